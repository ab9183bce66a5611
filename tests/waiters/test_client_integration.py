"""The waiters through the real ComputeClient (models, errors, paging) on a scripted wire."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from waiters_stub import ManualClock

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss.errors import ClientAuthenticationError, VMDeletionFailedError
from aiovmss.transport import HttpRequest, HttpResponse
from aiovmss.waiters import DeletionOutcome, wait_for_instances_deleted, wait_for_vm_deletion

SUB = "00000000-0000-0000-0000-000000000001"
Answer = Callable[[HttpRequest, float], tuple[int, Any]]


class WireScript:
    """Answers from a function of (request, clock time); records (time, method, path, query)."""

    def __init__(self, clock: ManualClock, answer: Answer) -> None:
        self.clock, self.answer = clock, answer
        self.seen: list[tuple[float, str, str, dict[str, list[str]]]] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        self.seen.append((self.clock.now(), request.method, parts.path, parse_qs(parts.query)))
        status, body = self.answer(request, self.clock.now())
        headers = {"x-ms-request-id": "r", "Content-Type": "application/json"}
        return HttpResponse(status, headers, json.dumps(body).encode(), request=request)

    async def aclose(self) -> None:
        return None


def vm(iid: str, state: str, status: str | None) -> dict[str, Any]:
    props: dict[str, Any] = {"provisioningState": state}
    if status:
        props["resilientVMDeletionStatus"] = status
    return {"name": f"web_{iid}", "instanceId": iid, "properties": props}


def missing() -> tuple[int, Any]:
    return 404, {"error": {"code": "ResourceNotFound", "message": "gone"}}


def client_on(answer: Answer, api_version: str = "2024-07-01") -> tuple[ComputeClient, WireScript]:
    clock = ManualClock()
    wire = WireScript(clock, answer)
    client = ComputeClient(
        StaticTokenCredential("t"),
        SUB,
        api_version=api_version,
        transport=wire,
        clock=clock,
        retry=RetryPolicy(),
    )
    return client, wire


async def test_single_vm_through_the_client() -> None:
    def answer(request: HttpRequest, t: float) -> tuple[int, Any]:
        if t < 60:
            return 200, vm("0", "Deleting", "InProgress")
        if t < 700:
            return 200, vm("0", "Failed", "In Progress")  # the seed's spelling
        return missing()

    client, wire = client_on(answer)
    async with client:
        result = await wait_for_vm_deletion(client, "rg", "web", "0")
    assert result.deleted and result.elapsed == 720.0
    assert result.last_seen.instance_id == "0"
    assert {q["$expand"][0] for _, _, _, q in wire.seen} == {"resiliencyView"}


async def test_failed_status_through_the_client() -> None:
    def answer(request: HttpRequest, t: float) -> tuple[int, Any]:
        return 200, vm("0", "Failed", "Failed" if t >= 90 else "InProgress")

    client, _ = client_on(answer)
    async with client, client:
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, "rg", "web", "0")
    assert caught.value.result.outcome is DeletionOutcome.FAILED


async def test_uniform_list_with_paging_counts_as_one_round() -> None:
    def answer(request: HttpRequest, t: float) -> tuple[int, Any]:
        alive = [str(i) for i in range(4) if t < 30 * (i + 1)]
        if "page=2" in request.url:
            return 200, {"value": [vm(i, "Deleting", "InProgress") for i in alive[2:]]}
        base = request.url.split("?")[0]
        page = {"value": [vm(i, "Deleting", "InProgress") for i in alive[:2]]}
        if len(alive) > 2:
            page["nextLink"] = f"{base}?api-version=2024-07-01&page=2"
        return 200, page

    client, wire = client_on(answer)
    async with client:
        results = await wait_for_instances_deleted(client, "rg", "web", ["0", "1", "2", "3"])
    assert [r.elapsed for r in results.values()] == [30.0, 60.0, 90.0, 120.0]
    first_pages = [t for t, _, _, q in wire.seen if "page" not in q]
    assert first_pages == [0.0, 30.0, 60.0, 90.0, 120.0]


async def test_flexible_refusal_switches_to_gets() -> None:
    def answer(request: HttpRequest, t: float) -> tuple[int, Any]:
        if request.url.split("?")[0].endswith("/virtualMachines"):
            return 400, {"error": {"code": "OperationNotAllowed", "message": "Flexible"}}
        return missing() if t >= 30 else (200, vm("web_1a2b3c4d", "Deleting", "InProgress"))

    client, wire = client_on(answer)
    async with client:
        results = await wait_for_instances_deleted(client, "rg", "web", ["web_1a2b3c4d"])
    assert results["web_1a2b3c4d"].deleted
    assert [p.rsplit("/", 1)[-1] for _, _, p, _ in wire.seen] == [
        "virtualMachines",
        "web_1a2b3c4d",
        "web_1a2b3c4d",
    ]


async def test_auth_failure_propagates() -> None:
    def answer(request: HttpRequest, t: float) -> tuple[int, Any]:
        return 403, {"error": {"code": "AuthorizationFailed", "message": "no"}}

    client, _ = client_on(answer)
    async with client:
        with pytest.raises(ClientAuthenticationError):
            await wait_for_vm_deletion(client, "rg", "web", "0")


async def test_2023_never_asks_for_resiliency_view() -> None:
    def answer(request: HttpRequest, t: float) -> tuple[int, Any]:
        return (200, vm("0", "Deleting", None)) if t < 30 else missing()

    client, wire = client_on(answer, api_version="2023-07-01")
    async with client:
        assert (await wait_for_vm_deletion(client, "rg", "web", "0")).deleted
    assert all("$expand" not in q for _, _, _, q in wire.seen)
