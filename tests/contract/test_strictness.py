"""The fake refuses what Azure refuses, alike through every adapter (docs/fake/strictness.md).

A misspelled member at the top level, in ``sku`` and deep in ``virtualMachineProfile`` is a 400
``InvalidRequestContent`` naming the member, its object type and its JSON path, whether the
request came through ``fake.transport()``, httpx via respx, the azure-core transport or real
HTTP; the same body spelled right succeeds. Every response of these tests is also checked
against the published schema (conftest.py).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from azure.core.exceptions import HttpResponseError as AzureHttpResponseError
from azure.mgmt.compute.aio import ComputeManagementClient
from contract_support import SPEED, StubCredential, serve

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.errors import HttpResponseError
from aiovmss.transport import HttpxTransport
from fakevmss import FakeCompute
from fakevmss._clock import RealClock
from fakevmss._http import WireRequest

RG = "rg"
API = "2024-07-01"
MODES = ["transport", "respx", "azure-core", "http"]

#: (misspelled PATCH body, path, object type, the same body spelled right)
CASES = {
    "top": ({"tagz": {"team": "a"}}, "tagz", "ResourceDefinition", {"tags": {"team": "a"}}),
    "sku": ({"sku": {"capacty": 3}}, "sku.capacty", "Sku", {"sku": {"capacity": 3}}),
    "deep": (
        {
            "properties": {
                "virtualMachineProfile": {
                    "osProfile": {"linuxConfiguration": {"disablePasswordAuth": True}}
                }
            }
        },
        "properties.virtualMachineProfile.osProfile.linuxConfiguration.disablePasswordAuth",
        "LinuxConfiguration",
        {
            "properties": {
                "virtualMachineProfile": {
                    "osProfile": {"linuxConfiguration": {"disablePasswordAuthentication": True}}
                }
            }
        },
    ),
}

Patch = Callable[[dict[str, Any]], Awaitable[tuple[int, dict[str, Any] | None]]]


def aiovmss_patcher(client: ComputeClient) -> Patch:
    async def patch(body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        try:
            await (await client.scale_sets.begin_update(RG, "web", body)).result()
        except HttpResponseError as exc:
            error = {"code": exc.code, "message": exc.error.message, "target": exc.error.target}
            return exc.status_code, error
        return 200, None

    return patch


def official_patcher(client: ComputeManagementClient, **kw: Any) -> Patch:
    async def patch(body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        raw = io.BytesIO(json.dumps(body).encode())
        operations = client.virtual_machine_scale_sets
        try:
            await (await operations.begin_update(RG, "web", raw, api_version=API, **kw)).result()
        except AzureHttpResponseError as exc:
            assert exc.error is not None and exc.status_code is not None
            error = {
                "code": exc.error.code,
                "message": exc.error.message,
                "target": exc.error.target,
            }
            return exc.status_code, error
        return 200, None

    return patch


@asynccontextmanager
async def patcher(mode: str, fake: FakeCompute) -> AsyncIterator[Patch]:
    """A PATCH of scale set ``web`` sent through ``mode``'s adapter."""
    sub, credential = fake.subscription_id, StaticTokenCredential("t")
    if mode == "transport":
        async with ComputeClient(
            credential, sub, transport=fake.transport(), clock=fake.clock
        ) as c:
            yield aiovmss_patcher(c)
    elif mode == "respx":
        with fake.respx_router():
            async with httpx.AsyncClient() as http:
                transport = HttpxTransport(http)
                async with ComputeClient(
                    credential, sub, transport=transport, clock=fake.clock
                ) as c:
                    yield aiovmss_patcher(c)
    elif mode == "azure-core":
        transport = fake.azure_core_transport()
        async with ComputeManagementClient(StubCredential(), sub, transport=transport) as official:
            yield official_patcher(official)
    else:
        runner, base_url = await serve(fake)
        try:
            async with ComputeManagementClient(
                StubCredential(), sub, base_url=base_url, polling_interval=1
            ) as official:
                yield official_patcher(official, enforce_https=False)
        finally:
            await runner.cleanup()


async def get_json(fake: FakeCompute, path: str, api: str = API, query: str = "") -> Any:
    url = f"https://management.azure.com{path}?api-version={api}{query}"
    reply = await fake.handle(WireRequest("GET", url, {"Authorization": "Bearer t"}))
    assert reply.status == 200, reply.body
    return json.loads(reply.body)


def scale_set_path(fake: FakeCompute, name: str = "web") -> str:
    return (
        f"/subscriptions/{fake.subscription_id}/resourceGroups/{RG}"
        f"/providers/Microsoft.Compute/virtualMachineScaleSets/{name}"
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(CASES))
async def test_misspelled_member_is_refused_and_the_right_spelling_succeeds(
    mode: str, case: str
) -> None:
    wrong, path, owner, right = CASES[case]
    fake = FakeCompute(clock=RealClock(speed=SPEED)) if mode == "http" else FakeCompute()
    fake.create_scale_set(RG, "web", capacity=2)
    async with patcher(mode, fake) as patch:
        status, error = await patch(wrong)
        assert status == 400 and error is not None
        assert error["code"] == "InvalidRequestContent"
        assert error["target"] == path
        member = path.rsplit(".", 1)[-1]
        expected = (
            "The request content was invalid and could not be deserialized: 'Could not find "
            f"member '{member}' on object of type '{owner}'. Path '{path}', line 1, position "
        )
        assert error["message"].startswith(expected), error["message"]
        assert re.search(r"position \d+\.'$", error["message"])
        assert await patch(right) == (200, None)
    shown = await get_json(fake, scale_set_path(fake))
    assert f'"{member}"' not in json.dumps(shown)  # the misspelled member was never stored
    if case == "top":
        assert shown["tags"] == {"team": "a"}
    elif case == "sku":
        assert shown["sku"]["capacity"] == 3
    else:
        linux = shown["properties"]["virtualMachineProfile"]["osProfile"]["linuxConfiguration"]
        assert linux == {"disablePasswordAuthentication": True}
