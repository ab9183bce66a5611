"""The fake as a real HTTP server (aiohttp): the ARM API plus a control API under ``/_fake/``.

Every request outside ``/_fake/`` goes to ``fake.handle`` with the absolute URL the client used
(scheme and ``Host``), so the URLs the fake emits point back at this server. An injected dropped
connection closes the socket without an answer.

The control API needs no auth and answers JSON (errors are ARM-shaped, never HTML, never 500 for a
client mistake):

- ``POST /_fake/faults`` ``{"kind": "fail_create" | "fail_delete" | "fail_operation" |
  "http_error" | "throttle" | "drop_connection" | "slow_response" | "garbage_body", ...the
  keyword options of the Python API...}`` -> 201 (``fail_operation`` names its VM operation
  in ``"operation"``, the Python API's first argument)
  ``{"id": ..., "kind": ...}``. ``path_regex`` stands for ``path=re.compile(...)``.
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
import math
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

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
from fakevmss.adapters._ui_routes import add_ui_routes

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = ["CONTROL_PREFIX", "FAULT_KINDS", "add_fault", "aiohttp_app", "check_fault"]

#: Every control-API path starts with this.
CONTROL_PREFIX = "/_fake/"

# Headers aiohttp computes itself (or that make no sense to copy from the fake's answer).
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

Check = Callable[[Any], bool]
Handler = Callable[["web.Request"], Awaitable["web.Response"]]


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _optional(check: Check) -> Check:
    return lambda value: value is None or check(value)


_HTTP_FILTERS: dict[str, Check] = {
    "method": _optional(_is_str),
    "path": _optional(_is_str),
    "path_regex": _optional(_is_str),
    "times": _optional(_is_int),
}
_VM_FILTERS: dict[str, Check] = {
    "code": _is_str,
    "scale_set": _optional(_is_str),
    "instances": _optional(_is_str_list),
    "attempts": _optional(_is_int),
    "probability": _optional(_is_number),
}

#: kind -> (positional option names, every accepted option with its type check).
FAULT_KINDS: dict[str, tuple[tuple[str, ...], dict[str, Check]]] = {
    "fail_create": (("code",), _VM_FILTERS),
    "fail_delete": (("code",), {**_VM_FILTERS, "fallback_state": _is_str}),
    "fail_operation": (("operation", "code"), {**_VM_FILTERS, "operation": _is_str}),
    "http_error": (
        ("status", "code"),
        {**_HTTP_FILTERS, "status": _is_int, "code": _is_str, "message": _optional(_is_str)},
    ),
    "throttle": ((), {**_HTTP_FILTERS, "retry_after": _is_number}),
    "drop_connection": ((), {**_HTTP_FILTERS, "after_send": _is_bool}),
    "slow_response": (("seconds",), {**_HTTP_FILTERS, "seconds": _is_number}),
    "garbage_body": ((), {**_HTTP_FILTERS, "mode": _is_str, "status": _optional(_is_int)}),
}


def _bad(target: str, message: str) -> ArmException:
    return ArmException(400, INVALID_PARAMETER, message, target=target)


def check_fault(spec: Any) -> tuple[str, list[Any], dict[str, Any]]:
    """Check a control-API fault object; return (``fake.faults`` method, args, kwargs).

    Raises:
        ArmException: 400 ``InvalidParameter`` (with ``target``) for a bad fault object.
    """
    if not isinstance(spec, dict):
        raise _bad("fault", "A fault must be a JSON object.")
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in FAULT_KINDS:
        raise _bad("kind", f"'kind' must be one of {', '.join(sorted(FAULT_KINDS))}.")
    positional, accepted = FAULT_KINDS[kind]
    options = {key: value for key, value in spec.items() if key != "kind"}
    for key, value in options.items():
        if key not in accepted:
            raise _bad(key, f"Unknown option '{key}' for a {kind} fault.")
        if not accepted[key](value):
            raise _bad(key, f"Option '{key}' of a {kind} fault has the wrong type.")
    missing = [name for name in positional if name not in options]
    if missing:
        raise _bad(missing[0], f"A {kind} fault needs '{missing[0]}'.")
    if options.get("path_regex") is not None:
        try:
            options["path"] = re.compile(options.pop("path_regex"), re.IGNORECASE)
        except re.error as exc:
            raise _bad("path_regex", f"Not a regular expression: {exc}.") from None
    options.pop("path_regex", None)
    args = [options.pop(name) for name in positional]
    return kind, args, options


def add_fault(fake: FakeCompute, spec: Any) -> Any:
    """Add the fault described by a control-API fault object; return the fault's handle.

    Raises:
        ArmException: 400 ``InvalidParameter`` (with ``target``) for a bad fault object.
    """
    kind, args, kwargs = check_fault(spec)
    try:
        return getattr(fake.faults, kind)(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise _bad(kind, f"Bad {kind} fault: {exc}") from None


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
        if not _is_number(seconds) or seconds < 0:
            raise _bad("seconds", "'seconds' must be a finite number >= 0.")
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


def aiohttp_app(fake: FakeCompute, *, max_body_bytes: int = 4 * 1024 * 1024) -> web.Application:
    """An aiohttp application serving ``fake`` over HTTP, with the control API under /_fake/.

    Example::

        runner = web.AppRunner(fake.aiohttp_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
    """
    control = _Control(fake)

    async def forward(request: web.Request) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return await control.dispatch(request)
        try:
            body = await _read_body(request)
        except ArmException as exc:
            return _error_response(exc)
        url = f"{request.scheme}://{request.host}{request.raw_path}"
        wire = WireRequest(request.method, url, dict(request.headers), body)
        try:
            answer = await fake.handle(wire)
        except DroppedConnection:
            # Close the socket without an answer; the response below is never written.
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        return _to_aiohttp(answer)

    app = web.Application(client_max_size=max_body_bytes)
    add_ui_routes(app, fake)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app
