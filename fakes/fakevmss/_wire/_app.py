"""WireApp: one request in, one ARM response out.

The pipeline, in order: body size (413), HTTP faults, authentication (401), routing (404/405),
api-version (400), path names (400), JSON body (400), the body against the published schema of
its api-version (400, ``_schema_check``), then the handler, which applies the service's own
rules and calls the backend; a ``garbage`` fault mangles the body of the answer afterwards.
Everything after the faults runs synchronously, so concurrent requests never interleave
between reading and writing state. Every request is recorded.
"""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fakevmss._errors import (
    AUTHENTICATION_FAILED,
    INTERNAL_SERVER_ERROR,
    REQUEST_TOO_LARGE,
    TOO_MANY_REQUESTS,
    ArmException,
)
from fakevmss._http import DroppedConnection, RequestRecord, WireRequest, WireResponse
from fakevmss._wire._backend_types import BackendLike
from fakevmss._wire._cache import BodyCache
from fakevmss._wire._call import Body, Call, Env, json_response
from fakevmss._wire._endpoints import EndpointMatch, resolve
from fakevmss._wire._json import parse_json_object
from fakevmss._wire._links import Origin
from fakevmss._wire._names import check_name
from fakevmss._wire._request import Incoming, RequestIds, query_value
from fakevmss._wire._schema_check import BodyChecker
from fakevmss._wire._throttle import throttled
from fakevmss._wire._types import ClockLike, FaultsLike, HttpFaultLike
from fakevmss._wire._versions import check_since, resolve_api_version

if TYPE_CHECKING:
    from fakevmss._limits import RequestLimiter

__all__ = ["WireApp"]

#: Routed paths remembered per app (method, path); the cache empties when full.
ROUTE_CACHE_SIZE = 4096


_NOT_JSON_PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def _garble(response: WireResponse, fault: HttpFaultLike) -> WireResponse:
    """``response`` (already acted on) with its body mangled as a ``garbage`` fault says."""
    headers = dict(response.headers)
    if fault.mode == "not_json":
        headers["Content-Type"] = "text/html"
        body = _NOT_JSON_PAGE
    else:
        body = response.body[: len(response.body) // 2] if len(response.body) > 1 else b"{"
    return WireResponse(fault.status or response.status, headers, body)


def _check_auth(incoming: Incoming) -> None:
    scheme, _, token = (incoming.authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ArmException(
            401,
            AUTHENTICATION_FAILED,
            "Authentication failed: the Authorization header is missing or not a bearer token.",
        )


class WireApp:
    """The ARM HTTP semantics of the fake over a backend.

    Args:
        backend: the state operations (raises ``ArmException``).
        clock: the fake's clock (timestamps, slow faults, Retry-After scaling by ``speed``).
        faults: the fault plan; ``take_http_fault(method, path)`` is asked once per request.
        records: every request is appended here as a ``RequestRecord``.
        api_versions: the Microsoft.Compute api-versions served.
        lenient_api_versions: serve newer well-formed versions as the newest configured one.
        page_size: items per list page.
        location: the fake's default region.
        max_body_bytes: larger bodies answer 413.
        lro_retry_after: virtual seconds of ``Retry-After`` on operation responses.
        lock: held while a request reads or writes state (shared with the engine's timers).
        strict_bodies: refuse members the api-version's schema lacks (False keeps them).
        limiter: the request limits (``None``: never throttled; see ``_throttle``).
    """

    def __init__(
        self,
        backend: BackendLike,
        *,
        clock: ClockLike,
        faults: FaultsLike,
        records: list[RequestRecord],
        api_versions: tuple[str, ...],
        lenient_api_versions: bool,
        page_size: int,
        location: str,
        max_body_bytes: int = 4 * 1024 * 1024,
        lro_retry_after: float = 10.0,
        lock: threading.RLock | None = None,
        strict_bodies: bool = True,
        limiter: RequestLimiter | None = None,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.faults = faults
        self.records = records
        self.api_versions = tuple(api_versions)
        self.lenient_api_versions = lenient_api_versions
        self.page_size = max(1, page_size)
        self.location = location
        self.max_body_bytes = max_body_bytes
        self.lro_retry_after = lro_retry_after
        self.lock = lock if lock is not None else threading.RLock()
        #: Serialised bodies of GET VM, reused until what they show changes.
        self.bodies = BodyCache()
        self.strict_bodies = strict_bodies
        self.body_checker = BodyChecker(strict=strict_bodies)
        self.limiter = limiter
        self._ids = RequestIds()
        self._routes: dict[tuple[str, str], tuple[EndpointMatch, dict[str, str]]] = {}
        # Everything a handler needs is fixed for the app's life (the clock's speed included).
        retry_after = self.retry_after_header(lro_retry_after)
        self._env = Env(backend, clock, self.page_size, retry_after, self.bodies, self.body_checker)

    def retry_after_header(self, seconds: float) -> str:
        """``seconds`` of virtual time as a Retry-After value in real seconds (rounded up)."""
        return str(max(1, math.ceil(seconds / self.clock.speed - 1e-9)))

    async def handle(self, request: WireRequest) -> WireResponse:
        """Answer ``request`` (raises ``DroppedConnection`` for an injected drop).

        Safe to call from several threads (each with its own event loop): everything but a
        ``slow`` fault's sleep runs under ``lock``.
        """
        incoming = Incoming.of(request)
        too_large = len(request.body) > self.max_body_bytes
        with self.lock:
            fault = (
                None if too_large else self.faults.take_http_fault(incoming.method, incoming.path)
            )
            if fault is not None and fault.kind == "drop" and not fault.after_send:
                self._record(incoming, 0)
                raise DroppedConnection(sent=False)
        if fault is not None and fault.kind == "slow":
            await self.clock.sleep(fault.seconds)
        with self.lock:
            return self._answer(incoming, fault, too_large=too_large)

    def _answer(
        self, incoming: Incoming, fault: HttpFaultLike | None, *, too_large: bool
    ) -> WireResponse:
        """The response (synchronous, so requests never interleave inside it), recorded."""
        if too_large:
            response = self._error(
                ArmException(413, REQUEST_TOO_LARGE, "The request body is too large.")
            )
        else:
            response = self._fault_response(fault) or self._limited(incoming)
            if fault is not None and fault.kind == "garbage":
                response = _garble(response, fault)
        response = self._decorate(incoming, response)
        if fault is not None and fault.kind == "drop":
            self._record(incoming, 0)
            raise DroppedConnection(sent=True)
        self._record(incoming, response.status)
        return response

    def _fault_response(self, fault: HttpFaultLike | None) -> WireResponse | None:
        if fault is None:
            return None
        if fault.kind == "throttle":
            retry = self.retry_after_header(fault.retry_after)
            return self._error(
                ArmException(
                    429,
                    TOO_MANY_REQUESTS,
                    "The request is being throttled.",
                    headers={"Retry-After": retry},
                )
            )
        if fault.kind == "error":
            message = fault.message or f"Injected fault: {fault.code}."
            return self._error(ArmException(fault.status, fault.code, message))
        return None

    def _limited(self, incoming: Incoming) -> WireResponse:
        """:meth:`_respond` under the request limits, when they are on (docs/fake/limits.md)."""
        if self.limiter is None:
            return self._respond(incoming)
        return throttled(self.limiter, incoming, self._respond, self.retry_after_header, self.clock)

    def _respond(self, incoming: Incoming) -> WireResponse:
        """The answer, computed synchronously; any exception becomes an ARM error."""
        try:
            if incoming.method == "GET":
                return self._dispatch(incoming)
            return _collector_paused(self._dispatch, incoming)
        except ArmException as exc:
            return self._error(exc)
        except Exception as exc:  # a bug in the fake must still answer, without a traceback
            return self._error(
                ArmException(
                    500,
                    INTERNAL_SERVER_ERROR,
                    f"The fake failed internally ({type(exc).__name__}).",
                )
            )

    def _dispatch(self, incoming: Incoming) -> WireResponse:
        _check_auth(incoming)
        known = self._routes.get((incoming.method, incoming.path))
        match = known[0] if known is not None else resolve(incoming.method, incoming.path)
        call = self._call(incoming, match, None if known is None else known[1])
        return match.endpoint.handler(self._env, call)

    def _call(
        self, incoming: Incoming, match: EndpointMatch, checked: dict[str, str] | None
    ) -> Call:
        """The routed call; ``checked`` are the path names when already known to be valid."""
        request, endpoint = incoming.request, match.endpoint
        raw_version = query_value(incoming.query, "api-version")
        version = resolve_api_version(
            raw_version,
            self.api_versions,
            lenient=self.lenient_api_versions,
            any_well_formed=endpoint.any_api_version,
        )
        if endpoint.since is not None:
            check_since(version, endpoint.since, endpoint.template.rsplit("/", 1)[-1])
        if checked is None:
            checked = {k: check_name(k, v) for k, v in match.params.items()}
            self._remember_route(incoming.method, incoming.path, match, checked)
        body = None
        if endpoint.body is Body.REQUIRED or (endpoint.body is Body.OPTIONAL and request.body):
            body = self._checked_body(request.body, endpoint.operation_id, version, raw_version)
        origin = Origin.of(request.url, raw_version or version)
        query = incoming.query
        return Call(request, endpoint, incoming.path, query, dict(checked), version, origin, body)

    def _checked_body(
        self, raw: bytes, operation_id: str | None, version: str, asked: str | None
    ) -> dict[str, Any]:
        """The request body, parsed and checked against the schema of ``version``.

        The one place bodies are checked: the endpoint names its published operation, whose
        body definition the checker uses. A request served leniently as an older api-version
        keeps the members that version lacks (its client may send a newer version's members).
        """
        body = parse_json_object(raw)
        if operation_id is None:
            return body
        strict = self.strict_bodies and asked == version
        return self.body_checker.check(operation_id, version, body, raw, strict=strict)

    def _remember_route(
        self, method: str, path: str, match: EndpointMatch, params: dict[str, str]
    ) -> None:
        """Cache a routed path whose names are valid (routing is a pure function of both)."""
        if len(self._routes) >= ROUTE_CACHE_SIZE:
            self._routes.clear()
        self._routes[(method, path)] = (match, params)

    @staticmethod
    def _error(exc: ArmException) -> WireResponse:
        return json_response(exc.status, exc.body(), dict(exc.headers))

    def _decorate(self, incoming: Incoming, response: WireResponse) -> WireResponse:
        """Add the request-id headers every ARM response carries."""
        headers = response.headers
        headers["x-ms-request-id"] = self._ids.next()
        headers["x-ms-correlation-request-id"] = incoming.correlation_id or self._ids.next()
        client_id = incoming.client_id
        if client_id is not None:
            headers["x-ms-client-request-id"] = client_id
        return response

    def _record(self, incoming: Incoming, status: int) -> None:
        query = incoming.query
        self.records.append(
            RequestRecord(
                time=self.clock.now(),
                method=incoming.method,
                path=incoming.path,
                query=dict(query),
                status=status,
                api_version=query_value(query, "api-version"),
                client_request_id=incoming.client_id,
            )
        )


def _collector_paused(
    dispatch: Callable[[Incoming], WireResponse], incoming: Incoming
) -> WireResponse:
    """``dispatch(incoming)`` with the cyclic garbage collector held off (it never awaits).

    A PUT of a 1,000-VM scale set (or its DELETE) makes thousands of objects in one go; with the
    collector on, each such request ran several young collections, and a fleet of 100 of them
    several full ones over everything the fake holds (``benchmarks/fleet_bench.py``). GETs, the
    hot path, do not pay for the switch.
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        return dispatch(incoming)
    finally:
        if enabled:
            gc.enable()
