"""One request, end to end: headers, bearer token, per-attempt timeout, retries, logging, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from aiovmss._attempt_timeout import AttemptTimeout
from aiovmss._clock import Clock
from aiovmss._credentials import AsyncTokenCredential, BearerTokenCache
from aiovmss._decode import BodyDecoder, ParseInto
from aiovmss._error_map import error_from_response
from aiovmss._logging import get_logger, redact_url
from aiovmss._origin import AllowedOrigins, check_url
from aiovmss._pacing import Pacer, PacingPolicy
from aiovmss._rate_limits import RateLimits, parse_rate_limit_headers
from aiovmss._request_parts import dumps_json, request_id, user_agent
from aiovmss._retry import LogRetry, RetryPolicy, build_retrying
from aiovmss.errors import (
    AzureError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServiceRequestError,
    ServiceResponseError,
)
from aiovmss.transport import (
    AsyncTransport,
    Headers,
    HttpRequest,
    HttpResponse,
    transport_io_clock,
)
from aiovmss.transport._limits import (
    DEFAULT_MAX_RESPONSE_BYTES,
    check_max_response_bytes,
    too_large,
)

__all__ = [
    "DEFAULT_SCOPE",
    "FirstAttempt",
    "Pipeline",
    "dumps_json",
    "request_id",
    "user_agent",
]

T = TypeVar("T")

DEFAULT_SCOPE = "https://management.azure.com/.default"


class FirstAttempt(NamedTuple):
    """A request and the outcome of its first attempt (not yet judged or retried)."""

    request: HttpRequest
    outcome: HttpResponse | AzureError


class Pipeline:
    """Sends one logical request: authorises it, retries it per the policy, maps its errors.

    Args:
        transport: the HTTP transport (``aiovmss.transport.AsyncTransport``).
        credential: anything with ``async get_token(*scopes)``.
        clock: every retry wait runs on it. The per-attempt timeout runs on the transport's
            ``io_clock`` instead (real time on the event loop when it has none): network I/O
            takes the time of the clock it runs on, whatever clock the caller waits on.
        retry: the retry policy.
        application_id: put in front of the User-Agent.
        scope: the token scope.
        logger: where request, response and retry lines go (default ``aiovmss.pipeline``).
        rng: the jitter source, a callable returning floats in ``[0, 1)``.
        refresh_margin: refresh a token this many seconds before it expires.
        origins: where the bearer token may be sent (``None``: anywhere; the client always
            sets it). A request elsewhere raises ``UntrustedUrlError`` before it is sent.
        max_response_bytes: a longer body from the transport raises ``ResponseTooLargeError``
            (a second line behind the transport's own, streaming, limit).
        pacing: the ``PacingPolicy`` of the shared pacer (``None``: never paced).
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
        origins: AllowedOrigins | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pacing: PacingPolicy | None = None,
    ) -> None:
        self.transport = transport
        #: The latest rate-limit headers (docs/client/rate-limits.md).
        self.rate_limits = RateLimits()
        self.pacer = Pacer(pacing) if pacing is not None else None
        self.origins = origins
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)
        self.clock = clock
        self.retry = retry
        self.logger = logger or get_logger("pipeline")
        self.tokens = BearerTokenCache(credential, scope, refresh_margin=refresh_margin)
        self.user_agent = user_agent(application_id)
        self._base_headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        self._rng = rng
        self._timeout = AttemptTimeout(transport_io_clock(transport))
        self._io_clock: Clock = self._timeout.io_clock

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
        first = await self._first_outcome(request)
        if isinstance(first, HttpResponse) and first.status_code < 400:
            return first  # the hot path never builds the retry machinery
        return await self._recover(request, first, _itself, "the response", operation, resource)

    async def send_decoded(
        self,
        method: str,
        url: str,
        decode: Callable[[bytes], T],
        *,
        json: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        operation: str,
        resource: str,
    ) -> T:
        """:meth:`send`, then ``decode(response.body)`` (e.g. ``Model.from_wire``).

        A GET whose 2xx body is not JSON at all (cut short, a proxy's HTML page) is sent again
        like any transient failure, within the same attempt budget and backoff.

        Raises:
            ResponseDecodeError: ``decode`` raised ``ValueError``: valid JSON of the wrong shape
                (at once), a damaged body of any other method (its effect happened), or a
                damaged GET body on every attempt. The message never quotes the body.
            AzureError: as :meth:`send`.
        """
        request = self._build(method, url, json, body, headers)
        first = FirstAttempt(request, await self._first_outcome(request))
        return await self.finish_decoded(first, decode, operation=operation, resource=resource)

    async def first_attempt(self, method: str, url: str) -> FirstAttempt:
        """Build a body-less request and make only its first attempt; nothing is judged yet.

        The outcome (a response of any status, or the transport error) waits in the result
        for :meth:`finish_decoded`, which decodes it or retries as :meth:`send_decoded` does.
        Paging reads the next page ahead this way: the request goes out early, and every
        retry, wait and error still happens where the page is used.
        """
        request = self._build(method, url, None, None, None)
        return FirstAttempt(request, await self._first_outcome(request))

    async def finish_decoded(
        self,
        first: FirstAttempt,
        decode: Callable[[bytes], T],
        *,
        operation: str,
        resource: str,
    ) -> T:
        """Decode the first attempt's 2xx body, or retry and decode as :meth:`send_decoded`."""
        request, outcome = first
        if isinstance(outcome, HttpResponse) and outcome.status_code < 400:
            try:
                return decode(outcome.body)
            except ValueError:
                pass  # judged again below, where the retry machinery lives
        parse = BodyDecoder(decode)
        return await self._recover(request, outcome, parse, parse.decodes, operation, resource)

    async def send_parsed(
        self,
        method: str,
        url: str,
        parse: Callable[[HttpResponse], T],
        *,
        what: str,
        operation: str,
        resource: str,
    ) -> T:
        """As :meth:`send_decoded`, but ``parse`` gets the whole response (for its headers too).

        ``what`` names what ``parse`` builds, for the error message.
        """
        request = self._build(method, url, None, None, None)
        first = await self._first_outcome(request)
        if isinstance(first, HttpResponse) and first.status_code < 400:
            try:
                return parse(first)
            except ValueError:
                pass  # judged again below, where the retry machinery lives
        return await self._recover(request, first, parse, what, operation, resource)

    async def _first_outcome(self, request: HttpRequest) -> HttpResponse | AzureError:
        """The first attempt: its response, or the transport error, which ``_recover`` judges."""
        try:
            return await self._attempt(request)
        except (ServiceRequestError, ServiceResponseError) as exc:
            return exc

    async def _recover(
        self,
        request: HttpRequest,
        first: HttpResponse | AzureError,
        parse: Callable[[HttpResponse], T],
        what: str,
        operation: str,
        resource: str,
    ) -> T:
        """Retry after a first attempt that failed or did not parse; raise the final error."""
        parsed: list[T] = []
        try:
            parsing = ParseInto(parse, what, parsed, operation, resource)
            response = await self._retry(request, first, parsing)
        except ResponseDecodeError:
            raise
        except ResponseTooLargeError as exc:
            raise ResponseTooLargeError(
                f"{operation} {resource}: {exc.message}",
                limit=exc.limit,
                operation=operation,
                resource=resource,
            ) from exc
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
                method=request.method,
            )
        return parsed[-1]

    async def _retry(
        self,
        request: HttpRequest,
        first: HttpResponse | AzureError,
        parsing: ParseInto[Any],
    ) -> HttpResponse:
        # Tenacity judges the first attempt's outcome like any other: the first call of
        # ``attempt`` replays it, later calls send again. A 2xx is parsed inside the attempt,
        # so a body that does not parse is an outcome tenacity judges too.
        pending = [first]

        async def attempt() -> HttpResponse:
            if pending:
                outcome = pending.pop()
                if isinstance(outcome, AzureError):
                    raise outcome
            else:
                outcome = await self._attempt(request)
            if outcome.status_code < 400:
                parsing(outcome)
            return outcome

        retrying = build_retrying(
            self.retry,
            method=request.method,
            sleep=self.clock.sleep,
            rng=self._rng,
            before_sleep=LogRetry(
                self.logger,
                method=request.method,
                operation=parsing.operation,
                resource=parsing.resource,
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
        if self.origins is not None:  # a backstop: paging and polling check their URLs first
            check_url(
                request.url, self.origins, what="request", operation=request.method, resource=""
            )
        # Fetched per attempt so that a token refreshed between retries is used; a fresh cached
        # token is read without an await (the hot path).
        pacer = self.pacer
        if pacer is not None:
            wait = pacer.delay(request.method, request.url, self.clock.now())
            if wait > 0:
                await self.clock.sleep(wait)
        header = self.tokens.fresh_authorization()
        if header is None:
            header = await self.tokens.authorization()
        request.headers["Authorization"] = header
        if not self.logger.isEnabledFor(logging.DEBUG):
            response = await self._timeout.send(self.transport, request, self.retry.timeout)
            return self._observed(request, self._bounded(response))
        started = self._io_clock.now()
        self.logger.debug(
            "request %s %s x-ms-client-request-id=%s",
            request.method,
            redact_url(request.url),
            request.headers.get("x-ms-client-request-id"),
        )
        response = await self._timeout.send(self.transport, request, self.retry.timeout)
        response = self._bounded(response)
        self.logger.debug(
            "response %s %s -> %d x-ms-client-request-id=%s x-ms-request-id=%s in %.3f s",
            request.method,
            redact_url(request.url),
            response.status_code,
            request.headers.get("x-ms-client-request-id"),
            response.headers.get("x-ms-request-id"),
            self._io_clock.now() - started,
        )
        return self._observed(request, response)

    def _observed(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """``response``, its rate-limit headers remembered (and told to the pacer)."""
        headers = parse_rate_limit_headers(response.headers)
        if headers:
            now = self.clock.now()
            self.rate_limits.observe(headers, now)
            if self.pacer is not None:
                self.pacer.observe(request.method, request.url, headers, now)
        return response

    def _bounded(self, response: HttpResponse) -> HttpResponse:
        """``response``, unless its body is over the limit (a transport that does not bound)."""
        if len(response.body) > self.max_response_bytes:
            raise too_large(
                response.request, self.max_response_bytes, f"of {len(response.body)} bytes"
            )
        return response

    async def aclose(self) -> None:
        """Close the transport."""
        await self.transport.aclose()

    def __repr__(self) -> str:
        return (
            f"<Pipeline {type(self.transport).__name__} clock={self.clock!r}"
            f" io_clock={self._io_clock!r}>"
        )


def _itself(response: HttpResponse) -> HttpResponse:
    return response
