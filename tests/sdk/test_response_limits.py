"""Bounded response bodies: on the wire and decompressed, both transports, never retried."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from hostile_support import MIB, gzip_bomb, gzip_bomb_size, stream_body, zeros
from sdk_support import ManualClock, ScriptedTransport, respond, serve_app

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss._pipeline import Pipeline
from aiovmss._retry import RetryPolicy, is_retryable
from aiovmss.errors import ResponseTooLargeError, ServiceResponseError
from aiovmss.transport import AiohttpTransport, AsyncTransport, HttpRequest, HttpxTransport
from aiovmss.transport._limits import (
    DEFAULT_MAX_RESPONSE_BYTES,
    BoundedBody,
    check_max_response_bytes,
    decode_bounded,
)

LIMIT = 256 * 1024
HITS = web.AppKey("hits", list[str])

# --- BoundedBody: pure, no event loop ---------------------------------------------------------


def _feed(body: BoundedBody, data: bytes, chunk: int = 1000) -> bytes:
    for start in range(0, len(data), chunk):
        body.feed(data[start : start + chunk])
    return body.finish()


@pytest.mark.parametrize("encoding", [None, "identity", "gzip", "x-gzip", "deflate", "GZIP"])
def test_bodies_within_the_limit_come_back_decoded(encoding: str | None) -> None:
    payload = json.dumps({"value": list(range(5000))}).encode()
    wire = {
        "gzip": gzip.compress(payload),
        "deflate": zlib.compress(payload),
    }.get((encoding or "").lower().replace("x-", ""), payload)
    assert _feed(BoundedBody(len(payload), encoding, None), wire) == payload
    assert decode_bounded(wire, encoding, len(payload), None) == payload


def test_raw_deflate_and_back_to_back_gzip_members_are_decoded() -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    wire = raw.compress(b"raw deflate") + raw.flush()
    assert _feed(BoundedBody(100, "deflate", None), wire + b"ignored", chunk=3) == b"raw deflate"
    members = gzip.compress(b"first ") + gzip.compress(b"second")
    assert _feed(BoundedBody(100, "gzip", None), members, chunk=5) == b"first second"


@pytest.mark.parametrize("size", [LIMIT, LIMIT + 1])
def test_the_limit_is_inclusive_on_the_wire(size: int) -> None:
    body = BoundedBody(LIMIT, None, None)
    if size <= LIMIT:
        assert len(_feed(body, bytes(size), chunk=4096)) == size
        return
    with pytest.raises(ResponseTooLargeError, match="on the wire") as info:
        _feed(body, bytes(size), chunk=4096)
    assert info.value.limit == LIMIT


def test_a_gzip_bomb_is_refused_without_inflating_it_whole() -> None:
    body = BoundedBody(LIMIT, "gzip", None)
    with pytest.raises(ResponseTooLargeError, match="once decompressed"):
        for chunk in gzip_bomb(64):  # 64 KiB of gzip, 64 MiB of zeros
            body.feed(chunk)
    assert body.decoded <= LIMIT + 1  # inflated one byte past the limit, no more
    assert body.wire < 4096


def test_the_bomb_generator_is_valid_gzip() -> None:
    wire = b"".join(gzip_bomb(3))
    assert len(wire) == gzip_bomb_size(3)
    assert gzip.decompress(wire) == bytes(3 * MIB)  # CRC and size checked by gzip


@pytest.mark.parametrize(
    ("encoding", "wire", "match"),
    [
        ("br", b"anything", "unsupported Content-Encoding 'br'"),
        ("gzip", b"not gzip at all", "gzip body does not decompress"),
        ("deflate", b"\x78\x9c garbage", "deflate body does not decompress"),
    ],
)
def test_undecodable_bodies_are_service_response_errors(
    encoding: str, wire: bytes, match: str
) -> None:
    request = HttpRequest("GET", "https://h.example/p?sig=secret")
    with pytest.raises(ServiceResponseError, match=match) as info:
        decode_bounded(wire, encoding, LIMIT, request)
    assert not isinstance(info.value, ResponseTooLargeError)
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    ("value", "error"), [(0, ValueError), (-1, ValueError), (True, TypeError), (1.5, TypeError)]
)
def test_the_limit_must_be_a_positive_int(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_max_response_bytes(value)
    with pytest.raises(error):
        AiohttpTransport(max_response_bytes=value)  # type: ignore[arg-type]
    with pytest.raises(error):
        HttpxTransport(max_response_bytes=value)  # type: ignore[arg-type]
    with pytest.raises(error):
        ComputeClient(StaticTokenCredential("t"), "sub", max_response_bytes=value)  # type: ignore[arg-type]


def test_too_large_is_never_retried() -> None:
    error = ResponseTooLargeError("too big", limit=1)
    assert isinstance(error, ServiceResponseError)
    for method in ("GET", "PUT", "DELETE", "HEAD", "POST", "PATCH"):
        assert not is_retryable(method, exc=error)


def test_the_client_hands_its_limit_to_the_default_transport() -> None:
    client = ComputeClient(StaticTokenCredential("t"), "sub", max_response_bytes=1234)
    transport = client.pipeline.transport
    assert isinstance(transport, AiohttpTransport) and transport.max_response_bytes == 1234
    assert client.pipeline.max_response_bytes == 1234
    assert AiohttpTransport().max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 64 * MIB


# --- the pipeline's second line: any transport ------------------------------------------------


async def test_the_pipeline_refuses_a_long_body_from_any_transport() -> None:
    transport = ScriptedTransport(respond(200, b"x" * 1025), respond(200, b"{}"))
    client = ComputeClient(
        StaticTokenCredential("t"),
        "sub",
        transport=transport,
        clock=ManualClock(),
        max_response_bytes=1024,
    )
    with pytest.raises(
        ResponseTooLargeError, match=r"scale_sets\.get rg/web: .*1025 bytes"
    ) as info:
        await client.scale_sets.get("rg", "web")
    assert (info.value.operation, info.value.resource, info.value.limit) == (
        "scale_sets.get",
        "rg/web",
        1024,
    )
    assert len(transport.requests) == 1  # not retried


# --- both transports against a real loopback server -------------------------------------------


async def _stream(
    request: web.Request,
    chunks: Iterator[bytes],
    *,
    length: int | None = None,
    encoding: str | None = None,
) -> web.StreamResponse:
    request.app[HITS].append(request.path)
    return await stream_body(request, chunks, length=length, encoding=encoding)


def _size(request: web.Request) -> int | None:
    size = request.match_info["size"]
    return None if size == "endless" else int(size)


async def declared(request: web.Request) -> web.StreamResponse:
    size = int(request.match_info["size"])
    return await _stream(request, zeros(size), length=size)


async def chunked(request: web.Request) -> web.StreamResponse:
    return await _stream(request, zeros(_size(request)))


async def bomb(request: web.Request) -> web.StreamResponse:
    mib = int(request.match_info["size"])
    length = gzip_bomb_size(mib) if request.query.get("length") else None
    return await _stream(request, gzip_bomb(mib), length=length, encoding="gzip")


async def small_gzip(request: web.Request) -> web.Response:
    request.app[HITS].append(request.path)
    body = gzip.compress(json.dumps({"zipped": list(range(1000))}).encode())
    return web.Response(body=body, headers={"Content-Encoding": "gzip"})


async def peer(request: web.Request) -> web.Response:
    request.app[HITS].append(request.path)
    transport = request.transport
    port = transport.get_extra_info("peername")[1] if transport is not None else None
    return web.json_response({"port": port})


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[str]]]:
    app = web.Application()
    app[HITS] = []
    app.router.add_get("/declared/{size}", declared)
    app.router.add_get("/chunked/{size}", chunked)
    app.router.add_get("/bomb/{size}", bomb)
    app.router.add_get("/small-gzip", small_gzip)
    app.router.add_get("/peer", peer)
    async with serve_app(app) as url:
        yield url, app[HITS]


TRANSPORTS: dict[str, Callable[[int], AsyncTransport]] = {
    "aiohttp": lambda limit: AiohttpTransport(max_response_bytes=limit),
    "httpx": lambda limit: HttpxTransport(max_response_bytes=limit),
}


@pytest.fixture(params=sorted(TRANSPORTS))
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[AsyncTransport]:
    made = TRANSPORTS[request.param](LIMIT)
    yield made
    await made.aclose()


@pytest.mark.parametrize(
    ("path", "match"),
    [
        (f"/declared/{LIMIT + 1}", f"declared as {LIMIT + 1} bytes"),
        (f"/chunked/{4 * LIMIT}", "on the wire"),
        ("/chunked/endless", "on the wire"),
        ("/bomb/16", "once decompressed"),  # 16 KiB of gzip, 16 MiB inflated
        ("/bomb/16?length=1", "once decompressed"),
    ],
)
async def test_transports_refuse_bodies_over_the_limit(
    server: tuple[str, list[str]], transport: AsyncTransport, path: str, match: str
) -> None:
    url, _ = server
    with pytest.raises(ResponseTooLargeError, match=match) as info:
        await transport.send(HttpRequest("GET", f"{url}{path}"))
    assert info.value.limit == LIMIT


@pytest.mark.parametrize("path", [f"/declared/{LIMIT}", f"/chunked/{LIMIT}", "/small-gzip"])
async def test_transports_accept_bodies_up_to_the_limit(
    server: tuple[str, list[str]], transport: AsyncTransport, path: str
) -> None:
    url, _ = server
    response = await transport.send(HttpRequest("GET", f"{url}{path}"))
    if path == "/small-gzip":
        assert response.json() == {"zipped": list(range(1000))}
        assert "content-encoding" not in response.headers
    else:
        assert response.body == bytes(LIMIT)


async def test_a_callers_decompressing_session_is_bounded_by_what_it_hands_over(
    server: tuple[str, list[str]],
) -> None:
    url, _ = server
    async with aiohttp.ClientSession() as session:  # aiohttp's default: auto_decompress=True
        transport = AiohttpTransport(session, max_response_bytes=LIMIT)
        with pytest.raises(ResponseTooLargeError):
            await transport.send(HttpRequest("GET", f"{url}/bomb/16"))
        response = await transport.send(HttpRequest("GET", f"{url}/small-gzip"))
    assert response.json() == {"zipped": list(range(1000))}
    assert "content-encoding" not in response.headers


async def test_a_refused_body_closes_its_connection(
    server: tuple[str, list[str]], transport: AsyncTransport
) -> None:
    url, _ = server

    async def port() -> int:
        response = await transport.send(HttpRequest("GET", f"{url}/peer"))
        value: int = response.json()["port"]
        return value

    first = await port()
    assert await port() == first  # a read body gives its connection back for reuse
    await transport.send(HttpRequest("GET", f"{url}/chunked/{LIMIT}"))  # streamed, read whole
    assert await port() == first
    with pytest.raises(ResponseTooLargeError):
        await transport.send(HttpRequest("GET", f"{url}/chunked/{4 * LIMIT}"))
    reused = await port()
    with pytest.raises(ResponseTooLargeError):
        await transport.send(HttpRequest("GET", f"{url}/chunked/endless"))
    assert await port() != reused  # the half-read connection was closed, not reused


@pytest.mark.parametrize("name", sorted(TRANSPORTS))
async def test_through_the_client_a_large_body_is_sent_for_once(
    server: tuple[str, list[str]], name: str
) -> None:
    url, hits = server
    made = TRANSPORTS[name](LIMIT)
    pipeline = Pipeline(
        transport=made,
        credential=StaticTokenCredential("t"),
        clock=ManualClock(),
        retry=RetryPolicy(timeout=None),
    )
    try:
        with pytest.raises(ResponseTooLargeError, match=r"^op res: GET http"):
            await pipeline.send("GET", f"{url}/chunked/endless", operation="op", resource="res")
    finally:
        await made.aclose()
    assert hits == ["/chunked/endless"]  # never retried


# --- peak memory, measured in a subprocess per transport ---------------------------------------


@pytest.mark.parametrize("name", ["aiohttp", "httpx"])
def test_peak_memory_stays_within_four_times_the_default_limit(name: str) -> None:
    probe = Path(__file__).with_name("rss_probe.py")
    result = subprocess.run(
        [sys.executable, str(probe), name], capture_output=True, text=True, timeout=600, check=True
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    cases = {line["case"]: line for line in lines}
    assert set(cases) == {
        "baseline",
        "gzip bomb 1 GiB, chunked",
        "gzip bomb 1 GiB, Content-Length",
        "500 MB body, Content-Length",
        "500 MB body, chunked",
        "endless chunked body",
    }
    for case, line in cases.items():
        if case != "baseline":
            assert line["error"] == "ResponseTooLargeError", case
    peak = max(line["peak_mib"] for line in lines)  # the whole process: server included
    assert peak < 4 * DEFAULT_MAX_RESPONSE_BYTES / MIB, result.stdout
