"""The in-process aiovmss transport: conversions, dropped connections, concurrency."""

from __future__ import annotations

import asyncio
import json

import pytest
from wire_support import AUTH, BASE, S, scale_set_body

from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport import AsyncTransport, HttpRequest
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


async def test_dropped_connections_map_to_aiovmss_errors(fake) -> None:  # type: ignore[no-untyped-def]
    transport = FakeTransport(fake)
    fake.faults.drop_connection(method="GET")
    with pytest.raises(ServiceRequestError):
        await transport.send(HttpRequest("GET", f"{BASE}{S}{API}", AUTH))
    fake.faults.drop_connection(method="GET", after_send=True)
    with pytest.raises(ServiceResponseError):
        await transport.send(HttpRequest("GET", f"{BASE}{S}{API}", AUTH))
    ok = await transport.send(HttpRequest("GET", f"{BASE}{S}{API}", AUTH))
    assert ok.status_code == 200 and ok.json() == {"value": []}


async def test_thousand_concurrent_puts_then_list(fake) -> None:  # type: ignore[no-untyped-def]
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
