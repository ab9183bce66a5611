"""Retry policy: pure decisions (retry or not, how long) and the tenacity strategies built on them.

Rules (see docs/client/retries.md): connection errors and statuses 408, 429, 500, 502, 503, 504
are retried. GET, PUT, DELETE and HEAD always; POST and PATCH only when it is safe: the
connection was never made (``ServiceRequestError``), or a 429/503 carries a Retry-After (the
service asked).
A 2xx body that is not JSON at all (``ResponseDecodeError`` with ``invalid_json``) is retried
for GET and HEAD only: every other method has already acted. A body over the size limit
(``ResponseTooLargeError``) is never retried.

A Retry-After demand is waited exactly; one above ``max_retry_after`` is not waited at all (the
pipeline raises ``ThrottledError``). Without a demand the wait is exponential backoff with full
jitter. ``Retry-After`` as an HTTP-date is judged against the response's own ``Date`` header; with
no ``Date`` it still counts as a demand (a POST may retry) but its length is unknown, so the
backoff applies: the client never reads wall time except for token expiry.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt
from tenacity.retry import retry_base
from tenacity.wait import wait_base

from aiovmss.errors import (
    ResponseDecodeError,
    ResponseTooLargeError,
    ServiceRequestError,
    ServiceResponseError,
)
from aiovmss.transport import HttpResponse

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "IDEMPOTENT_METHODS",
    "READ_METHODS",
    "LogRetry",
    "RetryPolicy",
    "RetryTransient",
    "WaitRetryAfterOrBackoff",
    "backoff_delay",
    "build_retrying",
    "describe_outcome",
    "has_retry_after",
    "is_retryable",
    "retry_after_seconds",
]

DEFAULT_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD"})
READ_METHODS = frozenset({"GET", "HEAD"})
_ASKED_STATUSES = frozenset({429, 503})  # a POST/PATCH retries these only with a Retry-After
_MS_HEADERS = ("retry-after-ms", "x-ms-retry-after-ms")


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries one request.

    Attributes:
        max_attempts: total tries, the first included (1 disables retries).
        backoff_base: seconds; the n-th retry waits up to ``base * 2**(n-1)`` (full jitter).
        backoff_max: cap of one backoff wait, in seconds.
        max_retry_after: longest Retry-After the client waits; a longer demand raises
            ``ThrottledError`` at once, with ``retry_after`` set.
        timeout: seconds per attempt (``None``: no limit), on the clock of the transport's
            I/O (its ``io_clock``; real time for sockets), not the client's ``clock=``: a test
            clock whose ``sleep()`` returns at once must not time out real requests.
        retry_statuses: HTTP statuses worth retrying.
    """

    max_attempts: int = 5
    backoff_base: float = 0.8
    backoff_max: float = 30.0
    max_retry_after: float = 60.0
    timeout: float | None = 120.0
    retry_statuses: frozenset[int] = field(default=DEFAULT_RETRY_STATUSES)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.max_retry_after < 0:
            raise ValueError("backoff_base, backoff_max and max_retry_after must be >= 0")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError("timeout must be positive or None")
        object.__setattr__(self, "retry_statuses", frozenset(self.retry_statuses))


def is_retryable(
    method: str,
    *,
    status: int | None = None,
    exc: BaseException | None = None,
    has_retry_after: bool = False,
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES,
) -> bool:
    """Whether a failed attempt (an exception, or an answer with ``status``) may be retried."""
    idempotent = method.upper() in IDEMPOTENT_METHODS
    if exc is not None:
        if isinstance(exc, ServiceRequestError):
            return True
        if isinstance(exc, ResponseDecodeError):  # damaged on the way: only a read is re-sent
            return exc.invalid_json and method.upper() in READ_METHODS
        if isinstance(exc, ResponseTooLargeError):  # the same request brings the same body
            return False
        return idempotent and isinstance(exc, ServiceResponseError)
    if status is None or status not in retry_statuses:
        return False
    return idempotent or (status in _ASKED_STATUSES and has_retry_after)


def has_retry_after(headers: Mapping[str, str]) -> bool:
    """Whether the response carries any header of the Retry-After family."""
    return "retry-after" in headers or any(name in headers for name in _MS_HEADERS)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds the response asks the client to wait, or ``None`` when it asks nothing usable.

    ``retry-after-ms`` and ``x-ms-retry-after-ms`` (milliseconds) come first, then
    ``Retry-After`` (seconds, or an HTTP-date judged against the ``Date`` header). Negative
    values count as 0; unparseable ones are ignored.
    """
    for name in _MS_HEADERS:
        value = headers.get(name)
        if value is not None:
            seconds = _number(value)
            if seconds is not None:
                return seconds / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    return seconds if seconds is not None else _http_date_delay(value, headers.get("date"))


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        return None
    return max(0.0, value)


def _http_date_delay(value: str, date: str | None) -> float | None:
    if date is None:
        return None
    try:
        delta = parsedate_to_datetime(value) - parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    return max(0.0, delta.total_seconds())


def backoff_delay(attempt: int, policy: RetryPolicy, rng: Callable[[], float]) -> float:
    """Full-jitter backoff after failed attempt number ``attempt`` (1-based).

    A uniform draw in ``[0, min(backoff_max, backoff_base * 2**(attempt-1))]``.
    """
    ceiling = min(policy.backoff_max, policy.backoff_base * 2.0 ** min(attempt - 1, 60))
    return rng() * ceiling


def _response_of(retry_state: RetryCallState) -> HttpResponse | None:
    outcome = retry_state.outcome
    if outcome is None or outcome.failed:
        return None
    result = outcome.result()
    return result if isinstance(result, HttpResponse) else None


class RetryTransient(retry_base):
    """Tenacity retry predicate: :func:`is_retryable` for one request's ``method``.

    An outcome is an ``HttpResponse`` (any status) or an exception from the transport. A
    Retry-After above the policy's cap is never retried: the caller raises ``ThrottledError``.
    """

    def __init__(self, method: str, policy: RetryPolicy) -> None:
        self.method = method.upper()
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        if outcome is None:
            return False
        if outcome.failed:
            return is_retryable(self.method, exc=outcome.exception())
        response = _response_of(retry_state)
        if response is None or response.status_code < 400:
            return False
        asked = has_retry_after(response.headers)
        if not is_retryable(
            self.method,
            status=response.status_code,
            has_retry_after=asked,
            retry_statuses=self.policy.retry_statuses,
        ):
            return False
        demand = retry_after_seconds(response.headers) if asked else None
        return demand is None or demand <= self.policy.max_retry_after


class WaitRetryAfterOrBackoff(wait_base):
    """Tenacity wait: the response's Retry-After demand if any, else jittered backoff."""

    def __init__(self, policy: RetryPolicy, rng: Callable[[], float] | None = None) -> None:
        self.policy = policy
        self.rng = rng or random.random

    def __call__(self, retry_state: RetryCallState) -> float:
        response = _response_of(retry_state)
        if response is not None:
            demand = retry_after_seconds(response.headers)
            if demand is not None:
                return min(demand, self.policy.max_retry_after)
        return backoff_delay(retry_state.attempt_number, self.policy, self.rng)


class LogRetry:
    """Tenacity ``before_sleep``: one log line per retry with reason, attempt and delay."""

    __slots__ = ("level", "logger", "max_attempts", "method", "operation", "resource")

    def __init__(
        self,
        logger: logging.Logger,
        *,
        method: str,
        operation: str,
        resource: str,
        max_attempts: int,
        level: int = logging.WARNING,
    ) -> None:
        self.logger = logger
        self.method = method
        self.operation = operation
        self.resource = resource
        self.max_attempts = max_attempts
        self.level = level

    def __call__(self, retry_state: RetryCallState) -> None:
        if not self.logger.isEnabledFor(self.level):
            return
        delay = retry_state.next_action.sleep if retry_state.next_action else 0.0
        self.logger.log(
            self.level,
            "retrying %s %s (%s) after %s: attempt %d of %d failed, next in %.3f s",
            self.operation,
            self.resource,
            self.method,
            describe_outcome(retry_state),
            retry_state.attempt_number,
            self.max_attempts,
            delay,
        )


def describe_outcome(retry_state: RetryCallState) -> str:
    """A short reason for a failed attempt: ``HTTP 503 (Retry-After 2)`` or the error class."""
    outcome = retry_state.outcome
    if outcome is None:
        return "nothing"
    if outcome.failed:
        exc = outcome.exception()
        return f"{type(exc).__name__}: {exc}"
    response = _response_of(retry_state)
    if response is None:
        return "an unexpected result"
    demand = retry_after_seconds(response.headers)
    hint = "" if demand is None else f" (Retry-After {demand:g} s)"
    return f"HTTP {response.status_code}{hint}"


def _last_outcome(retry_state: RetryCallState) -> Any:
    # Retries are spent: hand back the last response, or re-raise the last exception.
    assert retry_state.outcome is not None
    return retry_state.outcome.result()


def build_retrying(
    policy: RetryPolicy,
    *,
    method: str,
    sleep: Callable[[float], Awaitable[None]],
    rng: Callable[[], float] | None = None,
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> AsyncRetrying:
    """A fresh tenacity ``AsyncRetrying`` for one request (tenacity keeps per-call state)."""
    return AsyncRetrying(
        sleep=sleep,
        stop=stop_after_attempt(policy.max_attempts),
        wait=WaitRetryAfterOrBackoff(policy, rng),
        retry=RetryTransient(method, policy),
        reraise=True,
        retry_error_callback=_last_outcome,
        before_sleep=before_sleep,
    )
