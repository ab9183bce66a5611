"""Client test helpers: a scripted in-memory transport and a manual clock.

A uniquely named module (not ``conftest``) so that test files in every folder can import it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from manual_clock import ManualClock as ManualClock

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.transport import HttpRequest, HttpResponse

Handler = Callable[[HttpRequest], "HttpResponse | BaseException"]


class ScriptedTransport:
    """Answers each request from a script of responses (or a handler) and records every request.

    A script item is an ``HttpResponse``, an exception instance (raised from ``send``), or a
    callable taking the request and returning one of those.
    """

    def __init__(self, *script: HttpResponse | BaseException | Handler) -> None:
        self.script: list[HttpResponse | BaseException | Handler] = list(script)
        self.requests: list[HttpRequest] = []
        self.closed = False

    def add(self, *items: HttpResponse | BaseException | Handler) -> None:
        self.script.extend(items)

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        if not self.script:
            raise AssertionError(f"unscripted request: {request.method} {request.url}")
        item = self.script.pop(0)
        if callable(item) and not isinstance(item, BaseException | HttpResponse):
            item = item(request)
        if isinstance(item, BaseException):
            raise item
        item.request = request
        return item

    async def aclose(self) -> None:
        self.closed = True


def respond(
    status: int = 200, body: Any = None, headers: dict[str, str] | None = None
) -> HttpResponse:
    """An ``HttpResponse`` with a JSON body (``bytes`` are sent as they are)."""
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    all_headers = {"x-ms-request-id": "req-1"}
    if body is not None and not isinstance(body, bytes):
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    return HttpResponse(status, all_headers, raw)


def split(request: HttpRequest) -> tuple[str, str, dict[str, list[str]]]:
    """``(method, path, query)`` of a request, the query parsed into lists."""
    parts = urlsplit(request.url)
    return request.method, parts.path, parse_qs(parts.query, keep_blank_values=True)


def body_of(request: HttpRequest) -> Any:
    """The request's JSON body, decoded."""
    assert request.body is not None, "request has no body"
    return json.loads(request.body)


def assert_sent(
    request: HttpRequest, method: str, path: str, query: dict[str, list[str]], body: Any
) -> None:
    """``request`` is ``method path?query`` with the JSON ``body`` (None: no body at all)."""
    assert split(request) == (method, path, query)
    if body is None:
        assert request.body in (None, b""), "a body was sent"
    else:
        assert body_of(request) == body


def scripted_client(transport: ScriptedTransport, api_version: str = "2024-07-01") -> ComputeClient:
    """A client of subscription ``sub`` over ``transport``, on a fresh ``ManualClock``."""
    return ComputeClient(
        StaticTokenCredential("t"),
        "sub",
        transport=transport,
        clock=ManualClock(),
        api_version=api_version,
    )


@asynccontextmanager
async def serve_app(app: web.Application, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve ``app`` on a free port of loopback ``host``; yield its base URL, clean up after."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
