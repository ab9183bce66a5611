"""The fake as a real HTTP server (aiohttp): the ARM API plus a control API under ``/_fake/``.

Every request outside ``/_fake/`` goes to ``fake.handle`` with the absolute URL the client used
(scheme and ``Host``; the bound socket address when an HTTP/1.0 request has no ``Host``), so
the URLs the fake emits point back at this server. An injected dropped connection closes the
socket without an answer.

Before any route runs, a middleware refuses what a web page could use to drive the fake
(:mod:`fakevmss.adapters._guards`; docs/fake/http.md): a ``Host`` that does not name
this server (421, DNS rebinding), a foreign ``Origin`` (403), and a ``/_fake/`` POST, PUT, PATCH
or DELETE whose body is not ``application/json`` (415). A malformed HTTP request is logged as
one line on the ``fakevmss.server`` logger, without a traceback.

The control API needs no auth and answers JSON (errors are ARM-shaped, never HTML, never 500 for a
client mistake):

- ``POST /_fake/faults`` ``{"kind": "fail_create" | "fail_delete" | "fail_operation" |
  "http_error" | "throttle" | "drop_connection" | "slow_response" | "garbage_body", ...the
  keyword options of the Python API...}`` -> 201 ``{"id": ..., "kind": ...}``
  (``fail_operation`` names its VM operation in ``"operation"``, the Python API's first
  argument). ``path_regex`` stands for ``path=`` as a linear-time
  :class:`~fakevmss.PathPattern` (:mod:`fakevmss.adapters._fault_specs`).
- ``DELETE /_fake/faults``: clear every fault. ``POST /_fake/reset``: forget every resource.
- ``GET /_fake/clock``; ``POST /_fake/clock/advance`` ``{"seconds": n}`` (a ``VirtualClock``
  only; otherwise 409).
- ``GET /_fake/state`` (``fake.snapshot()``); ``GET /_fake/requests`` (the request records).
- ``GET /_fake/ui``: a live page of the fleet, its timelines and the request log, and its
  JSON ``GET /_fake/ui/data`` (routes in ``_ui_routes``).

State lives in memory only: a killed and restarted server starts empty.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.http import HttpVersion11
from aiohttp.http_exceptions import HttpProcessingError

from fakevmss._errors import (
    INVALID_PARAMETER,
    INVALID_REQUEST_CONTENT,
    METHOD_NOT_ALLOWED,
    OPERATION_NOT_ALLOWED,
    REQUEST_TOO_LARGE,
    RESOURCE_NOT_FOUND,
    ArmException,
)
from fakevmss._http import DroppedConnection, WireRequest, WireResponse
from fakevmss.adapters._fault_specs import FAULT_KINDS, add_fault, check_fault, is_number
from fakevmss.adapters._guards import (
    CONTROL_PREFIX,
    Allowed,
    RequestFacts,
    one_line,
    parse_allowed_host,
    refusal,
    served_authority,
)
from fakevmss.adapters._ui_routes import add_ui_routes

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_KINDS",
    "SERVER_LOGGER",
    "add_fault",
    "aiohttp_app",
    "check_fault",
]

# Headers aiohttp computes itself (or that make no sense to copy from the fake's answer).
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

Handler = Callable[["web.Request"], Awaitable["web.Response"]]
AnyHandler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]


class _OneLinePerBadRequest(logging.Filter):
    """aiohttp logs a malformed request with a traceback; the fake logs one line instead.

    Malformed: the parser refused it (bad request line, header, chunk...), or the client
    went away before sending all of it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError | ConnectionError):
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else None
            record.msg = "malformed or cut-short HTTP request from %s: %s: %s"
            record.args = (remote, type(exc).__name__, one_line(str(exc), 200))
            record.exc_info = None
            record.exc_text = None
            if record.levelno > logging.WARNING:  # the client's mistake, not the server's
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


#: The logger of the served fake's HTTP server (aiohttp's ``logger=``): one line per
#: malformed request, a traceback only for a bug in the fake.
SERVER_LOGGER = logging.getLogger("fakevmss.server")
SERVER_LOGGER.addFilter(_OneLinePerBadRequest())


def _json_response(
    status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> web.Response:
    body = b"" if payload is None else json.dumps(payload, default=str).encode()
    all_headers = {"x-ms-request-id": str(uuid.uuid4()), **(headers or {})}
    if payload is not None:
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    return web.Response(status=status, body=body, headers=all_headers)


def _error_response(exc: ArmException) -> web.Response:
    return _json_response(exc.status, exc.body(), exc.headers)


def _to_aiohttp(answer: WireResponse) -> web.Response:
    headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
    return web.Response(status=answer.status, body=answer.body, headers=headers)


async def _read_body(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        limit = request.client_max_size
        message = f"The request body is larger than the limit of {limit} bytes."
        raise ArmException(413, REQUEST_TOO_LARGE, message) from None


async def _json_body(request: web.Request) -> Any:
    raw = await _read_body(request)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ArmException(
            400, INVALID_REQUEST_CONTENT, "The request content is not valid JSON."
        ) from None


class _Control:
    """The ``/_fake/`` handlers; keeps the ids of the faults added through HTTP."""

    def __init__(self, fake: FakeCompute) -> None:
        self.fake = fake
        self.faults: dict[str, Any] = {}
        self._next_id = 1
        self.routes: dict[str, dict[str, Handler]] = {
            "faults": {"POST": self.add_fault, "DELETE": self.clear_faults},
            "reset": {"POST": self.reset},
            "clock": {"GET": self.clock},
            "clock/advance": {"POST": self.advance},
            "state": {"GET": self.state},
            "requests": {"GET": self.requests},
        }

    async def dispatch(self, request: web.Request) -> web.Response:
        """Route one control request; every failure is an ARM-shaped error."""
        name = request.path[len(CONTROL_PREFIX) :].strip("/")
        methods = self.routes.get(name)
        try:
            if methods is None:
                raise ArmException(404, RESOURCE_NOT_FOUND, f"No control endpoint '{name}'.")
            handler = methods.get(request.method)
            if handler is None:
                allowed = ", ".join(sorted(methods))
                raise ArmException(
                    405,
                    METHOD_NOT_ALLOWED,
                    f"{request.method} is not allowed on {request.path}.",
                    headers={"Allow": allowed},
                )
            return await handler(request)
        except ArmException as exc:
            return _error_response(exc)

    async def add_fault(self, request: web.Request) -> web.Response:
        """``POST /_fake/faults``."""
        spec = await _json_body(request)
        handle = add_fault(self.fake, spec)
        fault_id = f"fault-{self._next_id}"
        self._next_id += 1
        self.faults[fault_id] = handle
        return _json_response(201, {"id": fault_id, "kind": spec["kind"]})

    async def clear_faults(self, request: web.Request) -> web.Response:
        """``DELETE /_fake/faults``."""
        self.fake.faults.clear()
        self.faults.clear()
        return _json_response(200, {"cleared": True})

    async def reset(self, request: web.Request) -> web.Response:
        """``POST /_fake/reset``."""
        self.fake.reset()
        return _json_response(200, {"reset": True})

    def _clock_payload(self) -> dict[str, Any]:
        clock = self.fake.clock
        return {"now": clock.now(), "utcnow": clock.utcnow().isoformat()}

    async def clock(self, request: web.Request) -> web.Response:
        """``GET /_fake/clock``."""
        return _json_response(200, self._clock_payload())

    async def advance(self, request: web.Request) -> web.Response:
        """``POST /_fake/clock/advance`` with ``{"seconds": n}``."""
        from fakevmss._clock import VirtualClock

        body = await _json_body(request)
        seconds: Any = body.get("seconds") if isinstance(body, dict) else None
        if not is_number(seconds) or seconds < 0:
            raise ArmException(
                400, INVALID_PARAMETER, "'seconds' must be a finite number >= 0.", target="seconds"
            )
        if not isinstance(self.fake.clock, VirtualClock):
            raise ArmException(409, OPERATION_NOT_ALLOWED, "Only a virtual clock can be advanced.")
        self.fake.clock.advance(float(seconds))
        return _json_response(200, self._clock_payload())

    async def state(self, request: web.Request) -> web.Response:
        """``GET /_fake/state``."""
        return _json_response(200, self.fake.snapshot())

    async def requests(self, request: web.Request) -> web.Response:
        """``GET /_fake/requests``."""
        records = [dataclasses.asdict(record) for record in self.fake.requests]
        return _json_response(200, {"value": records})


def _sockname(request: web.BaseRequest) -> Any:
    transport = request.transport
    return None if transport is None else transport.get_extra_info("sockname")


def _facts(request: web.BaseRequest) -> RequestFacts:
    headers = request.headers
    return RequestFacts(
        method=request.method,
        path=request.path,
        http_10=request.version < HttpVersion11,
        hosts=tuple(headers.getall("Host", ())),
        origins=tuple(headers.getall("Origin", ())),
        content_type=headers.get("Content-Type"),
        has_body=request.body_exists,
        secure=request.secure,
        sockname=_sockname(request),
    )


def _guard(allowed: Allowed) -> Any:
    """The middleware that refuses, before any route runs, what a web page could send."""

    @web.middleware
    async def guard(request: web.Request, handler: AnyHandler) -> web.StreamResponse:
        refused = refusal(_facts(request), allowed)
        if refused is not None:
            return _error_response(refused)
        return await handler(request)

    return guard


def _absolute_url(request: web.BaseRequest) -> str:
    """The URL the client used; an HTTP/1.0 request without ``Host`` gets the bound address."""
    authority = request.headers.get("Host") or served_authority(_sockname(request))
    return f"{request.scheme}://{authority or request.host}{request.raw_path}"


def aiohttp_app(
    fake: FakeCompute,
    *,
    max_body_bytes: int = 4 * 1024 * 1024,
    allowed_hosts: Iterable[str] = (),
) -> web.Application:
    """An aiohttp application serving ``fake`` over HTTP, with the control API under /_fake/.

    Args:
        fake: the fake to serve.
        max_body_bytes: larger request bodies answer 413.
        allowed_hosts: ``Host`` names accepted besides the bound address (``NAME`` on the
            bound port, or ``NAME:PORT``): what ``--allow-host`` sets.

    Raises:
        ValueError: an ``allowed_hosts`` entry is not a host name or ``host:port``.

    Example::

        runner = web.AppRunner(fake.aiohttp_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
    """
    allowed = tuple(parse_allowed_host(name) for name in allowed_hosts)
    control = _Control(fake)

    async def forward(request: web.Request) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return await control.dispatch(request)
        try:
            body = await _read_body(request)
        except ArmException as exc:
            return _error_response(exc)
        wire = WireRequest(request.method, _absolute_url(request), dict(request.headers), body)
        try:
            answer = await fake.handle(wire)
        except DroppedConnection:
            # Close the socket without an answer; the response below is never written.
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        return _to_aiohttp(answer)

    app = web.Application(
        client_max_size=max_body_bytes,
        middlewares=[_guard(allowed)],
        handler_args={"logger": SERVER_LOGGER},
    )
    add_ui_routes(app, fake)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app
