"""The in-process aiovmss transport: conversions, dropped connections, concurrency."""

from __future__ import annotations

import asyncio
import json

import pytest
from wire_support import AUTH, BASE, S, scale_set_body

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.errors import ResourceNotFoundError, ServiceRequestError, ServiceResponseError
from aiovmss.transport import AsyncTransport, HttpRequest
from fakevmss import FakeCompute
from fakevmss._http import WireRequest, WireResponse
from fakevmss.adapters.aiovmss import FakeTransport

API = "?api-version=2024-07-01"


class Echo:
    def __init__(self) -> None:
        self.seen: list[WireRequest] = []

    async def handle(self, request: WireRequest) -> WireResponse:
        self.seen.append(request)
        return WireResponse(201, {"X-Echo": request.method}, request.body)


async def test_converts_requests_and_responses() -> None:
    echo = Echo()
    transport = FakeTransport(echo)
    assert isinstance(transport, AsyncTransport)
    request = HttpRequest("put", f"{BASE}/x{API}", {"A": "1"}, b"{}")
    response = await transport.send(request)
    assert (response.status_code, response.body, response.request) == (201, b"{}", request)
    assert response.headers["x-echo"] == "PUT"
    seen = echo.seen[0]
    assert (seen.method, seen.url, seen.header("a"), seen.body) == ("PUT", request.url, "1", b"{}")
    await transport.send(HttpRequest("GET", f"{BASE}/x"))
    assert echo.seen[1].body == b""
    await transport.aclose()
    await transport.aclose()


async def test_dropped_connections_map_to_aiovmss_errors(fake: FakeCompute) -> None:
    transport = FakeTransport(fake)
    fake.faults.drop_connection(method="GET")
    with pytest.raises(ServiceRequestError):
        await transport.send(HttpRequest("GET", f"{BASE}{S}{API}", AUTH))
    fake.faults.drop_connection(method="GET", after_send=True)
    with pytest.raises(ServiceResponseError):
        await transport.send(HttpRequest("GET", f"{BASE}{S}{API}", AUTH))
    ok = await transport.send(HttpRequest("GET", f"{BASE}{S}{API}", AUTH))
    assert ok.status_code == 200 and ok.json() == {"value": []}


async def test_thousand_concurrent_puts_then_list(fake: FakeCompute) -> None:
    fake.set_limits(None)  # 1,000 writes at once exceed ARM's bucket of 200 by design
    transport = FakeTransport(fake)
    body = json.dumps(scale_set_body(0)).encode()
    names = [f"ss{i:04d}" for i in range(1000)]
    replies = await asyncio.gather(
        *(transport.send(HttpRequest("PUT", f"{BASE}{S}/{n}{API}", AUTH, body)) for n in names)
    )
    assert {r.status_code for r in replies} == {201}
    seen: list[str] = []
    url: str | None = f"{BASE}{S}{API}"
    while url:
        page = (await transport.send(HttpRequest("GET", url, AUTH))).json()
        seen.extend(item["name"] for item in page["value"])
        url = page.get("nextLink")
    assert sorted(seen) == names


async def test_compute_client_end_to_end_on_the_virtual_clock(fake: FakeCompute) -> None:
    credential = StaticTokenCredential("t")
    async with ComputeClient(
        credential, fake.subscription_id, transport=fake.transport(), clock=fake.clock
    ) as client:
        poller = await client.scale_sets.begin_create_or_update("rg", "web", scale_set_body(2))
        created = await poller.result()
        assert created.properties is not None
        assert created.properties.provisioning_state == "Succeeded"
        assert fake.clock.now() == 90.0  # one Linux create attempt, polled on the fake's clock
        ids = [vm.instance_id async for vm in client.scale_set_vms.list("rg", "web")]
        assert ids == ["0", "1"]
        vm = await client.scale_set_vms.get("rg", "web", "0", expand="resiliencyView")
        assert vm.properties is not None
        assert vm.properties.resilient_vm_deletion_status == "Enabled"
        await (await client.scale_sets.begin_delete("rg", "web", force_deletion=True)).result()
        with pytest.raises(ResourceNotFoundError):
            await client.scale_sets.get("rg", "web")
    assert {record.status for record in fake.requests} <= {200, 201, 202, 404}
