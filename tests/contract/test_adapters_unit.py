"""The respx and azure-core adapters against a scripted stand-in fake (no engine involved)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from azure.core import AsyncPipelineClient
from azure.core.exceptions import (
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline.policies import AsyncRetryPolicy
from azure.core.rest import AsyncHttpResponse, HttpRequest

from fakevmss._clock import VirtualClock
from fakevmss._http import DroppedConnection, WireRequest, WireResponse
from fakevmss.adapters.azure_core import FakeAzureCoreTransport
from fakevmss.adapters.respx import respx_router

BASE = "https://management.azure.com"


class ScriptedFake:
    """Answers from a script of WireResponses or exceptions; records what it saw."""

    def __init__(self, *script: WireResponse | BaseException) -> None:
        self.clock = VirtualClock()
        self.script = list(script)
        self.seen: list[WireRequest] = []

    async def handle(self, request: WireRequest) -> WireResponse:
        self.seen.append(request)
        item = self.script.pop(0) if self.script else ok({"echo": request.url})
        if isinstance(item, BaseException):
            raise item
        return item


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> WireResponse:
    all_headers = {"Content-Type": "application/json; charset=utf-8", "Content-Length": "1"}
    all_headers.update(headers or {})
    return WireResponse(status, all_headers, json.dumps(body).encode())


# --- respx -------------------------------------------------------------------------------------


async def test_respx_router_as_a_transport() -> None:
    fake: Any = ScriptedFake(ok({"value": []}, headers={"x-ms-request-id": "r1"}))
    router = respx_router(fake)
    async with httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler)) as http:
        response = await http.put(
            f"{BASE}/subscriptions/s/x?api-version=2024-07-01",
            json={"sku": {"capacity": 2}},
            headers={"Authorization": "Bearer t"},
        )
    assert response.status_code == 200
    assert response.json() == {"value": []}
    assert response.headers["x-ms-request-id"] == "r1"
    seen = fake.seen[0]
    assert (seen.method, seen.url) == ("PUT", f"{BASE}/subscriptions/s/x?api-version=2024-07-01")
    assert seen.header("Authorization") == "Bearer t"
    assert json.loads(seen.body) == {"sku": {"capacity": 2}}


async def test_respx_router_patches_httpx_as_a_context_manager() -> None:
    fake: Any = ScriptedFake()
    with respx_router(fake) as router:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{BASE}/subscriptions/s?api-version=1")
        assert router.routes["fakevmss"].call_count == 1
    assert response.json() == {"echo": f"{BASE}/subscriptions/s?api-version=1"}


async def test_respx_router_refuses_other_hosts() -> None:
    fake: Any = ScriptedFake()
    with respx_router(fake, base_url="http://127.0.0.1:9"):
        async with httpx.AsyncClient() as http:
            with pytest.raises(Exception, match="not mocked"):
                await http.get("https://example.com/")
    assert fake.seen == []


@pytest.mark.parametrize(
    ("sent", "error"), [(False, httpx.ConnectError), (True, httpx.RemoteProtocolError)]
)
async def test_respx_dropped_connection(sent: bool, error: type[Exception]) -> None:
    fake: Any = ScriptedFake(DroppedConnection(sent=sent))
    router = respx_router(fake)
    async with httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler)) as http:
        with pytest.raises(error):
            await http.delete(f"{BASE}/subscriptions/s")


# --- azure-core --------------------------------------------------------------------------------


def pipeline(fake: Any, **kwargs: Any) -> AsyncPipelineClient[HttpRequest, AsyncHttpResponse]:
    return AsyncPipelineClient(BASE, transport=FakeAzureCoreTransport(fake), **kwargs)


async def test_azure_core_transport_round_trip() -> None:
    fake: Any = ScriptedFake(ok({"name": "web"}, 201, {"Retry-After": "10"}))
    async with pipeline(fake) as client:
        request = HttpRequest("PUT", f"{BASE}/subscriptions/s/x", json={"location": "westus"})
        response = await client.send_request(request)
        assert response.status_code == 201
        assert response.json() == {"name": "web"}
        assert response.headers["retry-after"] == "10"
        assert response.content_type == "application/json; charset=utf-8"
        assert response.reason == "Created"
        assert await response.read() == b'{"name": "web"}'
        chunks = [chunk async for chunk in response.iter_bytes()]
        assert b"".join(chunks) == b'{"name": "web"}'
    assert json.loads(fake.seen[0].body) == {"location": "westus"}


async def test_azure_core_error_status_raises_for_status() -> None:
    fake: Any = ScriptedFake(ok({"error": {"code": "ResourceNotFound", "message": "gone"}}, 404))
    async with pipeline(fake) as client:
        response = await client.send_request(HttpRequest("GET", f"{BASE}/x"))
        with pytest.raises(HttpResponseError) as caught:
            response.raise_for_status()
    assert caught.value.status_code == 404


@pytest.mark.parametrize(
    ("sent", "error"), [(False, ServiceRequestError), (True, ServiceResponseError)]
)
async def test_azure_core_dropped_connection(sent: bool, error: type[Exception]) -> None:
    fake: Any = ScriptedFake(DroppedConnection(sent=sent))
    transport = FakeAzureCoreTransport(fake)
    with pytest.raises(error):
        await transport.send(HttpRequest("GET", f"{BASE}/x"))


async def test_azure_core_retries_sleep_on_the_fake_clock() -> None:
    busy = ok({"error": {"code": "TooManyRequests", "message": "slow down"}}, 429)
    busy.headers["Retry-After"] = "600"
    fake: Any = ScriptedFake(busy, ok({"fine": True}))
    async with pipeline(fake, policies=[AsyncRetryPolicy(retry_total=3)]) as client:
        response = await client.send_request(HttpRequest("GET", f"{BASE}/x"))
    assert response.json() == {"fine": True}
    assert len(fake.seen) == 2
    assert fake.clock.now() == 600.0  # ten virtual minutes, no real wait


async def test_azure_core_transport_sleep_uses_the_fake_clock() -> None:
    fake: Any = ScriptedFake()
    await FakeAzureCoreTransport(fake).sleep(3600)
    assert fake.clock.now() == 3600.0
