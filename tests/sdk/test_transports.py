"""AiohttpTransport against a real loopback server; HttpxTransport on httpx.MockTransport."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web
from sdk_support import ManualClock, serve_app

import aiovmss.transport as transport_module
from aiovmss._credentials import StaticTokenCredential
from aiovmss._pipeline import Pipeline
from aiovmss._retry import RetryPolicy
from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport import (
    AiohttpTransport,
    AsyncTransport,
    HttpRequest,
    HttpxTransport,
)

# --- a real aiohttp server on 127.0.0.1, port 0 -----------------------------------------------

HITS = web.AppKey("hits", list[str])


async def echo(request: web.Request) -> web.Response:
    payload = {
        "method": request.method,
        "query": request.query_string,
        "headers": dict(request.headers),
        "body": (await request.read()).decode(),
    }
    return web.json_response(payload, headers={"x-ms-request-id": "srv-1"})


async def unavailable(request: web.Request) -> web.Response:
    hits = request.app[HITS]
    hits.append(request.method)
    if len(hits) % 2:
        error = {"error": {"code": "ServiceUnavailable", "message": "busy"}}
        return web.json_response(error, status=503, headers={"Retry-After": "5"})
    return web.json_response({"ok": True})


async def drop_mid_response(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Length": "1000"})
    await response.prepare(request)
    await response.write(b'{"partial": ')
    assert request.transport is not None
    request.transport.close()
    return response


async def reset_before_answer(request: web.Request) -> web.Response:
    await request.read()
    assert request.transport is not None
    request.transport.close()
    return web.Response()


async def compressed(request: web.Request) -> web.Response:
    return web.Response(
        body=gzip.compress(b'{"zipped": true}'),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )


async def redirect(request: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": "/echo"})


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app[HITS] = []
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/unavailable", unavailable)
    app.router.add_get("/drop", drop_mid_response)
    app.router.add_route("*", "/reset", reset_before_answer)
    app.router.add_get("/gzip", compressed)
    app.router.add_get("/redirect", redirect)
    async with serve_app(app) as url:
        yield url


@pytest.fixture
async def aiohttp_transport() -> AsyncIterator[AiohttpTransport]:
    async with AiohttpTransport() as transport:
        yield transport


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_aiohttp_round_trip(server: str, aiohttp_transport: AiohttpTransport) -> None:
    request = HttpRequest(
        "put", f"{server}/echo?api-version=2024-07-01", {"X-Custom": "1"}, b'{"a":1}'
    )
    response = await aiohttp_transport.send(request)
    assert response.status_code == 200
    assert response.headers["X-MS-REQUEST-ID"] == "srv-1"
    assert response.request is request
    echoed = response.json()
    assert echoed["method"] == "PUT"
    assert echoed["query"] == "api-version=2024-07-01"
    assert echoed["headers"]["X-Custom"] == "1"
    assert echoed["body"] == '{"a":1}'


async def test_aiohttp_decodes_gzip_and_drops_the_encoding(
    server: str, aiohttp_transport: AiohttpTransport
) -> None:
    response = await aiohttp_transport.send(HttpRequest("GET", f"{server}/gzip"))
    assert response.json() == {"zipped": True}
    assert "content-encoding" not in response.headers


async def test_aiohttp_does_not_follow_redirects(
    server: str, aiohttp_transport: AiohttpTransport
) -> None:
    response = await aiohttp_transport.send(HttpRequest("GET", f"{server}/redirect"))
    assert response.status_code == 302


async def test_aiohttp_503_is_a_response_not_an_error(
    server: str, aiohttp_transport: AiohttpTransport
) -> None:
    response = await aiohttp_transport.send(HttpRequest("GET", f"{server}/unavailable"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


async def test_aiohttp_connection_refused_is_a_request_error(
    aiohttp_transport: AiohttpTransport,
) -> None:
    with pytest.raises(ServiceRequestError) as info:
        await aiohttp_transport.send(HttpRequest("GET", f"http://127.0.0.1:{closed_port()}/"))
    assert isinstance(info.value.__cause__, aiohttp.ClientConnectorError)


async def test_aiohttp_drop_mid_response_is_a_response_error(
    server: str, aiohttp_transport: AiohttpTransport
) -> None:
    with pytest.raises(ServiceResponseError, match=r"GET http://127\.0\.0\.1"):
        await aiohttp_transport.send(HttpRequest("GET", f"{server}/drop"))


async def test_aiohttp_reset_before_the_answer_is_a_response_error(
    server: str, aiohttp_transport: AiohttpTransport
) -> None:
    with pytest.raises(ServiceResponseError):
        await aiohttp_transport.send(HttpRequest("POST", f"{server}/reset", body=b"{}"))


async def test_aiohttp_keeps_a_callers_session_open(server: str) -> None:
    async with aiohttp.ClientSession() as session:
        transport = AiohttpTransport(session)
        response = await transport.send(HttpRequest("GET", f"{server}/echo"))
        assert response.status_code == 200
        await transport.aclose()
        await transport.aclose()
        assert not session.closed


async def test_aiohttp_owned_session_is_closed_once() -> None:
    transport = AiohttpTransport(connector_limit=5)
    session = transport._get_session()
    await transport.aclose()
    await transport.aclose()
    assert session.closed
    with pytest.raises(RuntimeError, match="closed"):
        await transport.send(HttpRequest("GET", "http://127.0.0.1:1/"))


async def test_pipeline_over_aiohttp_retries_a_503(server: str) -> None:
    clock = ManualClock()
    pipeline = Pipeline(
        transport=AiohttpTransport(),
        credential=StaticTokenCredential("t"),
        clock=clock,
        # The per-attempt timeout runs on the loop's real time (the socket's), not on this
        # manual clock whose sleep returns at once.
        retry=RetryPolicy(),
    )
    try:
        response = await pipeline.send(
            "POST", f"{server}/unavailable", json={"x": 1}, operation="op", resource="r"
        )
    finally:
        await pipeline.aclose()
    assert response.json() == {"ok": True}
    assert clock.sleeps == [5.0]


async def test_pipeline_over_aiohttp_with_the_loop_clock(server: str) -> None:
    from aiovmss._clock import LoopClock

    async with AiohttpTransport() as transport:
        pipeline = Pipeline(
            transport=transport,
            credential=StaticTokenCredential("t"),
            clock=LoopClock(),
            retry=RetryPolicy(),
        )
        response = await pipeline.send("GET", f"{server}/echo", operation="op", resource="r")
    assert response.json()["headers"]["Authorization"] == "Bearer t"


# --- httpx on MockTransport -------------------------------------------------------------------


def httpx_transport(handler: Any) -> HttpxTransport:
    return HttpxTransport(httpx.AsyncClient(transport=httpx.MockTransport(handler)))


async def test_httpx_round_trip() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201, json={"created": True}, headers={"x-ms-request-id": "h-1", "Retry-After": "3"}
        )

    transport = httpx_transport(handler)
    response = await transport.send(
        HttpRequest("PUT", "https://example.test/x?api-version=1", {"If-Match": "*"}, b"{}")
    )
    assert response.status_code == 201
    assert response.json() == {"created": True}
    assert response.headers["x-ms-request-id"] == "h-1"
    assert response.headers["retry-after"] == "3"
    assert seen[0].method == "PUT"
    assert seen[0].headers["if-match"] == "*"
    assert seen[0].content == b"{}"
    assert str(seen[0].url) == "https://example.test/x?api-version=1"


async def test_httpx_decodes_gzip() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = gzip.compress(json.dumps({"z": 1}).encode())
        return httpx.Response(200, content=body, headers={"Content-Encoding": "gzip"})

    response = await httpx_transport(handler).send(HttpRequest("GET", "https://example.test/"))
    assert response.json() == {"z": 1}
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ConnectError, ServiceRequestError),
        (httpx.ConnectTimeout, ServiceRequestError),
        (httpx.ReadError, ServiceResponseError),
        (httpx.RemoteProtocolError, ServiceResponseError),
        (httpx.ReadTimeout, ServiceResponseError),
    ],
)
async def test_httpx_error_mapping(error: type[httpx.TransportError], expected: type) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("boom", request=request)

    with pytest.raises(expected, match=r"GET https://example\.test/: boom") as info:
        await httpx_transport(handler).send(HttpRequest("GET", "https://example.test/"))
    assert isinstance(info.value.__cause__, error)


async def test_httpx_client_ownership() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(204)))
    transport = HttpxTransport(client)
    assert (await transport.send(HttpRequest("DELETE", "https://example.test/"))).status_code == 204
    await transport.aclose()
    assert not client.is_closed
    await client.aclose()

    async with HttpxTransport() as owned:
        created = owned._get_client()
    assert created.is_closed
    await owned.aclose()


# --- the transport package's exports ----------------------------------------------------------


def test_transport_exports_and_protocol() -> None:
    assert transport_module.AiohttpTransport is AiohttpTransport
    assert transport_module.HttpxTransport is HttpxTransport
    assert isinstance(AiohttpTransport(), AsyncTransport)
    assert isinstance(HttpxTransport(), AsyncTransport)
    assert sorted(transport_module.__all__) == transport_module.__all__
    with pytest.raises(AttributeError):
        _ = transport_module.NoSuchTransport


def test_importing_the_seam_pulls_in_no_http_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, aiovmss.transport\n"
        "assert 'httpx' not in sys.modules, 'httpx'\n"
        "assert 'aiovmss.transport._aiohttp' not in sys.modules, 'aiohttp transport'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
