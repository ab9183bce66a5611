"""One request, end to end: headers, bearer token, per-attempt timeout, retries, logging, errors."""

from __future__ import annotations

import asyncio
import json as _json
import logging
import os
import platform
from collections.abc import Callable, Mapping
from typing import Any

from aiovmss._clock import Clock, LoopClock
from aiovmss._credentials import AsyncTokenCredential, BearerTokenCache
from aiovmss._deadlines import DeadlineWatch
from aiovmss._logging import get_logger, redact_json_text, redact_url
from aiovmss._retry import (
    DEFAULT_RETRY_STATUSES,
    LogRetry,
    RetryPolicy,
    build_retrying,
    retry_after_seconds,
)
from aiovmss._version import __version__
from aiovmss.errors import (
    ArmError,
    AzureError,
    ClientAuthenticationError,
    ConflictError,
    HttpResponseError,
    PreconditionFailedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
    ThrottledError,
)
from aiovmss.transport import AsyncTransport, Headers, HttpRequest, HttpResponse

__all__ = [
    "DEFAULT_SCOPE",
    "Pipeline",
    "dumps_json",
    "error_from_response",
    "request_id",
    "user_agent",
]

DEFAULT_SCOPE = "https://management.azure.com/.default"
_ERROR_CLASSES: dict[int, type[HttpResponseError]] = {
    401: ClientAuthenticationError,
    403: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: ThrottledError,
}
_SNIPPET = 200
# The version (4) and variant (RFC 4122) bits of a random UUID, and the mask that clears them.
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)
_UUID4_MASK = ((1 << 128) - 1) ^ ((0xF000 << 64) | (0xC000 << 48))


def _stdlib_dumps(value: Any) -> bytes:
    return _json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _make_dumps() -> Callable[[Any], bytes]:
    try:
        import orjson
    except ImportError:  # orjson is an optional speed-up
        return _stdlib_dumps

    def dumps(value: Any) -> bytes:
        try:
            return orjson.dumps(value)
        except TypeError:  # e.g. an int beyond 64 bits: let the stdlib decide
            return _stdlib_dumps(value)

    return dumps


dumps_json: Callable[[Any], bytes] = _make_dumps()
dumps_json.__doc__ = "Serialise ``value`` as compact UTF-8 JSON (orjson when installed)."


def request_id() -> str:
    """A random UUID4 string for ``x-ms-client-request-id`` (as ``str(uuid.uuid4())``, faster)."""
    # uuid.uuid4() builds a UUID object only to format it: half the cost of a request id.
    n = int.from_bytes(os.urandom(16), "big") & _UUID4_MASK | _UUID4_BITS
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def user_agent(application_id: str | None = None) -> str:
    """``aiovmss/<version> Python/<version>``, with ``application_id`` in front if given."""
    base = f"aiovmss/{__version__} Python/{platform.python_version()}"
    if not application_id:
        return base
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in application_id):
        raise ValueError("application_id must not contain control characters")
    return f"{application_id} {base}"


class Pipeline:
    """Sends one logical request: authorises it, retries it per the policy, maps its errors.

    Args:
        transport: the HTTP transport (``aiovmss.transport.AsyncTransport``).
        credential: anything with ``async get_token(*scopes)``.
        clock: every retry wait and per-attempt timeout runs on it.
        retry: the retry policy.
        application_id: put in front of the User-Agent.
        scope: the token scope.
        logger: where request, response and retry lines go (default ``aiovmss.pipeline``).
        rng: the jitter source, a callable returning floats in ``[0, 1)``.
        refresh_margin: refresh a token this many seconds before it expires.
    """

    def __init__(
        self,
        *,
        transport: AsyncTransport,
        credential: AsyncTokenCredential,
        clock: Clock,
        retry: RetryPolicy,
        application_id: str | None = None,
        scope: str = DEFAULT_SCOPE,
        logger: logging.Logger | None = None,
        rng: Callable[[], float] | None = None,
        refresh_margin: float = 300.0,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.retry = retry
        self.logger = logger or get_logger("pipeline")
        self.tokens = BearerTokenCache(credential, scope, refresh_margin=refresh_margin)
        self.user_agent = user_agent(application_id)
        self._base_headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        self._rng = rng
        self._loop_clock = type(clock) is LoopClock
        self._watch: DeadlineWatch | None = None

    async def send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        operation: str,
        resource: str,
    ) -> HttpResponse:
        """Send a request with retries and return the final response (status < 400).

        Raises:
            HttpResponseError: (or a subclass) for an error status not, or no longer, retried.
            ThrottledError: also when the service asks to wait longer than ``max_retry_after``.
            ServiceRequestError: the request could not be sent, retries spent.
            ServiceResponseError: no complete answer (reset, timeout), not retried or spent.
        """
        request = self._build(method, url, json, body, headers)
        try:
            try:
                first: HttpResponse | AzureError = await self._attempt(request)
            except (ServiceRequestError, ServiceResponseError) as exc:
                first = exc
            if isinstance(first, HttpResponse) and first.status_code < 400:
                return first  # the hot path never builds the retry machinery
            response = await self._retry(request, first, operation, resource)
        except ServiceRequestError as exc:
            raise ServiceRequestError(f"{operation} {resource}: {exc.message}") from exc
        except ServiceResponseError as exc:
            raise ServiceResponseError(f"{operation} {resource}: {exc.message}") from exc
        if response.status_code >= 400:
            raise error_from_response(
                response,
                operation=operation,
                resource=resource,
                retry_after_cap=self.retry.max_retry_after,
                retry_statuses=self.retry.retry_statuses,
            )
        return response

    async def _retry(
        self, request: HttpRequest, first: HttpResponse | AzureError, operation: str, resource: str
    ) -> HttpResponse:
        # Tenacity judges the first attempt's outcome like any other: the first call of
        # ``attempt`` replays it, later calls send again.
        pending = [first]

        async def attempt() -> HttpResponse:
            if not pending:
                return await self._attempt(request)
            outcome = pending.pop()
            if isinstance(outcome, AzureError):
                raise outcome
            return outcome

        retrying = build_retrying(
            self.retry,
            method=request.method,
            sleep=self.clock.sleep,
            rng=self._rng,
            before_sleep=LogRetry(
                self.logger,
                method=request.method,
                operation=operation,
                resource=resource,
                max_attempts=self.retry.max_attempts,
            ),
        )
        response: HttpResponse = await retrying(attempt)
        return response

    def _build(
        self,
        method: str,
        url: str,
        json: Any,
        body: bytes | None,
        headers: Mapping[str, str] | None,
    ) -> HttpRequest:
        if json is not None and body is not None:
            raise ValueError("pass json= or body=, not both")
        pairs = self._base_headers.copy()
        if json is not None:
            body = dumps_json(json)
            pairs["Content-Type"] = "application/json"
        request_headers = Headers(pairs)
        if headers:
            request_headers.update(headers)
        if "x-ms-client-request-id" not in request_headers:
            request_headers["x-ms-client-request-id"] = request_id()
        return HttpRequest(method, url, request_headers, body)

    async def _attempt(self, request: HttpRequest) -> HttpResponse:
        # Fetched per attempt so that a token refreshed between retries is used; a fresh cached
        # token is read without an await (the hot path).
        header = self.tokens.fresh_authorization()
        if header is None:
            header = await self.tokens.authorization()
        request.headers["Authorization"] = header
        if not self.logger.isEnabledFor(logging.DEBUG):
            return await self._send_with_timeout(request)
        started = self.clock.now()
        self.logger.debug(
            "request %s %s x-ms-client-request-id=%s",
            request.method,
            redact_url(request.url),
            request.headers.get("x-ms-client-request-id"),
        )
        response = await self._send_with_timeout(request)
        self.logger.debug(
            "response %s %s -> %d x-ms-client-request-id=%s x-ms-request-id=%s in %.3f s",
            request.method,
            redact_url(request.url),
            response.status_code,
            request.headers.get("x-ms-client-request-id"),
            response.headers.get("x-ms-request-id"),
            self.clock.now() - started,
        )
        return response

    async def _send_with_timeout(self, request: HttpRequest) -> HttpResponse:
        timeout = self.retry.timeout
        if timeout is None:
            return await self.transport.send(request)
        if not self._loop_clock:
            return await self._send_on_clock(request, limit=timeout)
        # asyncio.timeout semantics with one shared timer (see aiovmss._deadlines: cheaper),
        # inline rather than one more coroutine per request.
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        watch = self._watch
        if watch is None or watch.loop is not loop:
            watch = self._watch = DeadlineWatch(loop)
        cancelling = task.cancelling()
        watch.watch(task, loop.time() + timeout)
        try:
            return await self.transport.send(request)
        except asyncio.CancelledError:
            if watch.unwatch(task) and task.uncancel() <= cancelling:
                raise _timed_out(request, timeout) from None
            raise
        finally:
            if watch.unwatch(task):  # it fired as the send finished: withdraw its cancel
                task.uncancel()

    async def _send_on_clock(self, request: HttpRequest, *, limit: float) -> HttpResponse:
        # A watchdog on the client's clock cancels this task, as asyncio.timeout does on the
        # loop's. The send runs in this task, so a transport that answers without suspending
        # finishes before the watchdog ever starts (no sleep is even scheduled on the clock).
        task = asyncio.current_task()
        assert task is not None
        fired = False

        async def watchdog() -> None:
            nonlocal fired
            await self.clock.sleep(limit)
            fired = True
            task.cancel()

        watcher = asyncio.ensure_future(watchdog())
        try:
            return await self.transport.send(request)
        except asyncio.CancelledError:
            if fired and task.uncancel() == 0:
                raise _timed_out(request, limit) from None
            raise
        finally:
            watcher.cancel()

    async def aclose(self) -> None:
        """Close the transport."""
        await self.transport.aclose()

    def __repr__(self) -> str:
        return f"<Pipeline {type(self.transport).__name__} clock={self.clock!r}>"


def _timed_out(request: HttpRequest, timeout: float) -> ServiceResponseError:
    return ServiceResponseError(
        f"{request.method} {redact_url(request.url)} timed out after {timeout:g} s"
    )


def error_from_response(
    response: HttpResponse,
    *,
    operation: str,
    resource: str,
    retry_after_cap: float | None = None,
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES,
) -> HttpResponseError:
    """The exception for an error response: the subclass for its status, with the ARM error.

    A retryable status (``retry_statuses``) whose Retry-After exceeds ``retry_after_cap``
    becomes a ``ThrottledError``. Messages never include tokens or request bodies.
    """
    status = response.status_code
    request_id = response.headers.get("x-ms-request-id")
    demand = retry_after_seconds(response.headers)
    error = _arm_error(response.body)
    if error is None:
        error = ArmError(code="Unknown", message=f"HTTP {status}")
        text = f"HTTP {status} (no ARM error body: {_snippet(response.body)})"
    else:
        text = f"HTTP {status} {error.code}: {error.message}"
    cls = _ERROR_CLASSES.get(status, HttpResponseError)
    capped = retry_after_cap is not None and demand is not None and demand > retry_after_cap
    if capped and status in retry_statuses:
        cls = ThrottledError
        text += f"; Retry-After {demand:g} s exceeds the client's limit of {retry_after_cap:g} s"
    message = f"{operation} {resource}: {text}"
    if request_id:
        message += f" (x-ms-request-id {request_id})"
    kwargs: dict[str, Any] = {
        "status_code": status,
        "error": error,
        "request_id": request_id,
        "operation": operation,
        "resource": resource,
    }
    if cls is ThrottledError:
        return ThrottledError(message, retry_after=demand, **kwargs)
    return cls(message, **kwargs)


def _arm_error(body: bytes) -> ArmError | None:
    if not body:
        return None
    try:
        data = _json.loads(body)
    except ValueError:
        return None
    inner = data.get("error") if isinstance(data, dict) else None
    if isinstance(inner, dict) or (isinstance(data, dict) and "code" in data):
        return ArmError.from_json(data)
    return None


def _snippet(body: bytes) -> str:
    text = body[:_SNIPPET].decode("utf-8", errors="replace")
    return repr(redact_json_text(text).encode("utf-8"))
