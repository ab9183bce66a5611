"""Pure retry decisions and the tenacity strategies, without an event loop."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from tenacity import RetryCallState, Retrying

from aiovmss._retry import (
    LogRetry,
    RetryPolicy,
    RetryTransient,
    WaitRetryAfterOrBackoff,
    backoff_delay,
    has_retry_after,
    is_retryable,
    retry_after_seconds,
)
from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport import Headers, HttpResponse


def state_with(outcome: Any, attempt: int = 1) -> RetryCallState:
    state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    if isinstance(outcome, BaseException):
        try:
            raise outcome
        except BaseException as exc:
            state.set_exception((type(exc), exc, exc.__traceback__))
    else:
        state.set_result(outcome)
    return state


# --- is_retryable -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD", "get"])
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_idempotent_methods_retry_every_transient_status(method: str, status: int) -> None:
    assert is_retryable(method, status=status)


@pytest.mark.parametrize("status", [200, 201, 400, 401, 403, 404, 409, 412, 501])
def test_other_statuses_are_never_retried(status: int) -> None:
    assert not is_retryable("GET", status=status, has_retry_after=True)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_unsafe_methods_retry_only_when_asked(method: str) -> None:
    assert not is_retryable(method, status=503)
    assert not is_retryable(method, status=429)
    assert is_retryable(method, status=503, has_retry_after=True)
    assert is_retryable(method, status=429, has_retry_after=True)
    for status in (408, 500, 502, 504):
        assert not is_retryable(method, status=status, has_retry_after=True)


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_connection_never_made_is_always_retried(method: str) -> None:
    assert is_retryable(method, exc=ServiceRequestError("refused"))


def test_reset_after_sending_is_retried_only_for_idempotent_methods() -> None:
    exc = ServiceResponseError("reset")
    assert is_retryable("GET", exc=exc)
    assert is_retryable("PUT", exc=exc)
    assert not is_retryable("POST", exc=exc)
    assert not is_retryable("PATCH", exc=exc)


def test_other_exceptions_are_not_retried() -> None:
    assert not is_retryable("GET", exc=ValueError("bug"))


def test_custom_status_set_is_honoured() -> None:
    assert not is_retryable("GET", status=500, retry_statuses=frozenset({503}))
    assert not is_retryable("POST", status=429, has_retry_after=True, retry_statuses=frozenset())


# --- retry_after_seconds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"retry-after-ms": "250"}, 0.25),
        ({"x-ms-retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "100", "Retry-After": "9"}, 0.1),
        ({"retry-after-ms": "junk", "Retry-After": "9"}, 9.0),
        ({"x-ms-retry-after-ms": "nan", "Retry-After": "2"}, 2.0),
        (
            {
                "Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT",
                "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
            },
            30.0,
        ),
        (
            {
                "Retry-After": "Wed, 21 Oct 2015 07:27:00 GMT",
                "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
            },
            0.0,
        ),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"}, None),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(Headers(headers)) == expected


def test_has_retry_after_sees_every_spelling() -> None:
    assert not has_retry_after(Headers({}))
    for name in ("Retry-After", "retry-after-ms", "X-MS-Retry-After-Ms"):
        assert has_retry_after(Headers({name: "1"}))


# --- backoff ----------------------------------------------------------------------------------


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    policy = RetryPolicy(backoff_base=0.8, backoff_max=30.0)
    top = [backoff_delay(n, policy, lambda: 1.0) for n in range(1, 8)]
    assert top == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0]
    assert backoff_delay(3, policy, lambda: 0.5) == pytest.approx(1.6)
    assert backoff_delay(3, policy, lambda: 0.0) == 0.0
    assert backoff_delay(10_000, policy, lambda: 1.0) == 30.0


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(timeout=0)
    with pytest.raises(ValueError):
        RetryPolicy(backoff_base=-1)


# --- strategies -------------------------------------------------------------------------------


def test_predicate_on_responses_and_exceptions() -> None:
    policy = RetryPolicy()
    get, post = RetryTransient("GET", policy), RetryTransient("post", policy)
    assert get(state_with(HttpResponse(503)))
    assert not get(state_with(HttpResponse(200)))
    assert not get(state_with(HttpResponse(404)))
    assert not post(state_with(HttpResponse(503)))
    assert post(state_with(HttpResponse(503, {"Retry-After": "1"})))
    assert post(state_with(ServiceRequestError("refused")))
    assert not post(state_with(ServiceResponseError("reset")))
    assert get(state_with(ServiceResponseError("reset")))


def test_predicate_refuses_a_demand_beyond_the_cap() -> None:
    predicate = RetryTransient("GET", RetryPolicy(max_retry_after=60))
    assert predicate(state_with(HttpResponse(429, {"Retry-After": "60"})))
    assert not predicate(state_with(HttpResponse(429, {"Retry-After": "61"})))
    assert not predicate(state_with(HttpResponse(503, {"retry-after-ms": "60001"})))


def test_wait_prefers_the_demand_then_backs_off() -> None:
    wait = WaitRetryAfterOrBackoff(RetryPolicy(backoff_base=1.0), rng=lambda: 0.5)
    assert wait(state_with(HttpResponse(429, {"Retry-After": "7"}))) == 7.0
    assert wait(state_with(HttpResponse(503, {"x-ms-retry-after-ms": "20"}))) == 0.02
    assert wait(state_with(HttpResponse(503), attempt=3)) == 2.0
    assert wait(state_with(ServiceRequestError("x"), attempt=1)) == 0.5


def test_log_retry_names_reason_attempt_delay_operation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("aiovmss.test")
    log = LogRetry(
        logger, method="GET", operation="scale_sets.get", resource="rg/web", max_attempts=5
    )
    state = state_with(HttpResponse(503, {"Retry-After": "2"}), attempt=2)
    state.next_action = type("Action", (), {"sleep": 2.0})()  # what tenacity sets before logging
    with caplog.at_level(logging.INFO, logger="aiovmss"):
        log(state)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    text = record.getMessage()
    assert "scale_sets.get rg/web" in text
    assert "HTTP 503 (Retry-After 2 s)" in text
    assert "attempt 2 of 5" in text
    assert "next in 2.000 s" in text
