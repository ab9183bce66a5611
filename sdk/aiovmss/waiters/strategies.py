"""Tenacity building blocks for waiting on Resilient create and delete, driven by a clock.

Every strategy here is a small callable class that combines with tenacity's own (``|`` and ``&``
for stops and retries, ``+`` for waits); the lower-case factories are the public names
(see docs/waiters.md).
All time comes from the ``clock`` you pass (``client.clock``), never from ``time.monotonic``, so a
virtual clock makes hours of waiting instant::

    from tenacity import AsyncRetrying, stop_after_attempt, wait_fixed

    retrying = AsyncRetrying(
        sleep=client.clock.sleep,
        stop=stop_after_clock_delay(3600, client.clock) | stop_after_attempt(500),
        wait=wait_retry_after_or(wait_fixed(30)),
        retry=retry_if_deletion_in_progress(clock=client.clock),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    vm = await retrying(client.scale_set_vms.get, rg, name, "3", expand="resiliencyView")
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from tenacity import RetryCallState
from tenacity.retry import retry_base
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from aiovmss._clock import Clock
from aiovmss._retry import DEFAULT_RETRY_STATUSES
from aiovmss.errors import (
    HttpResponseError,
    ResponseDecodeError,
    ServiceRequestError,
    ServiceResponseError,
    ThrottledError,
)
from aiovmss.waiters._decisions import creation_verdict, deletion_verdict, normalise, state_of
from aiovmss.waiters._results import Verdict

__all__ = [
    "ResilientCreateWindow",
    "ResilientDeleteWindow",
    "RetryIfCreationInProgress",
    "RetryIfDeletionInProgress",
    "StopAfterClockDelay",
    "StopBeforeClockDelay",
    "WaitRetryAfterOr",
    "is_transient_poll_error",
    "retry_after_of",
    "retry_if_creation_in_progress",
    "retry_if_deletion_in_progress",
    "stop_after_clock_delay",
    "stop_before_clock_delay",
    "wait_retry_after_or",
]

_DELETE_RETRY_DELAYS = (0.0, 600.0, 1200.0, 2400.0, 4800.0)
_DELETE_ATTEMPT = 60.0


@dataclass(frozen=True, slots=True)
class ResilientDeleteWindow:
    """The Resilient delete schedule: the user's attempt, then forced retries after these delays.

    Defaults follow the emulation model (docs/fake/emulation.md): retries due 0, 10, 20, 40 and
    80 minutes after the previous attempt failed, each attempt taking 60 s, so a VM whose every
    attempt fails is given up on 156 minutes after the delete request: the :attr:`horizon`.
    """

    retry_delays: tuple[float, ...] = _DELETE_RETRY_DELAYS
    attempt_duration: float = _DELETE_ATTEMPT

    @property
    def retries(self) -> int:
        """How many forced retries follow the user's attempt."""
        return len(self.retry_delays)

    def schedule(self) -> tuple[float, ...]:
        """Start of every attempt (user's first), in seconds after the delete request."""
        starts = [0.0]
        for delay in self.retry_delays:
            starts.append(starts[-1] + self.attempt_duration + delay)
        return tuple(starts)

    @property
    def horizon(self) -> float:
        """Seconds from the delete request until the last retry has failed."""
        return self.schedule()[-1] + self.attempt_duration

    @classmethod
    def from_timings(cls, timings: Any) -> ResilientDeleteWindow:
        """Read a ``fakevmss.Timings`` (or anything with the same attribute names)."""
        delays = getattr(timings, "delete_retry_delays", None) or _DELETE_RETRY_DELAYS
        retries = getattr(timings, "delete_max_retries", None)
        duration = getattr(timings, "delete_attempt", None)
        return cls(
            retry_delays=tuple(float(d) for d in delays[:retries]),
            attempt_duration=_DELETE_ATTEMPT if duration is None else float(duration),
        )

    def stop(self, clock: Clock, *, start: float | None = None) -> StopAfterClockDelay:
        """A stop that fires once the whole window has passed on ``clock``."""
        return StopAfterClockDelay(self.horizon, clock, start=start)


@dataclass(frozen=True, slots=True)
class ResilientCreateWindow:
    """The Resilient create bound: at most ``attempts`` per VM within ``time_limit`` seconds."""

    attempts: int = 5
    time_limit: float = 1800.0

    @property
    def horizon(self) -> float:
        """Seconds from a VM's first create attempt until it must have settled."""
        return self.time_limit

    @classmethod
    def from_timings(cls, timings: Any) -> ResilientCreateWindow:
        """Read a ``fakevmss.Timings`` (or anything with the same attribute names)."""
        attempts = getattr(timings, "create_max_attempts", None)
        limit = getattr(timings, "create_time_limit", None)
        default = cls()  # an attribute it lacks keeps this class's default
        return cls(
            attempts=default.attempts if attempts is None else int(attempts),
            time_limit=default.time_limit if limit is None else float(limit),
        )

    def stop(self, clock: Clock, *, start: float | None = None) -> StopAfterClockDelay:
        """A stop that fires once the create window has passed on ``clock``."""
        return StopAfterClockDelay(self.horizon, clock, start=start)


class _ClockDelay(stop_base):
    """Shared state of the clock-based stops: where each retry run started on ``clock``."""

    def __init__(self, seconds: float, clock: Clock, *, start: float | None = None) -> None:
        self.seconds = float(seconds)
        self.clock = clock
        self.start = start
        self._starts: weakref.WeakKeyDictionary[RetryCallState, float] = weakref.WeakKeyDictionary()

    def elapsed(self, retry_state: RetryCallState) -> float:
        """Seconds on the clock since ``start`` (or since first consulted for this run)."""
        now = self.clock.now()
        start = self.start if self.start is not None else self._starts.setdefault(retry_state, now)
        return now - start

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.seconds:g}s, {self.clock!r})"


class StopAfterClockDelay(_ClockDelay):
    """Stop once ``seconds`` have passed on ``clock`` (tenacity's ``stop_after_delay``, clocked).

    The delay counts from ``start`` if given, else from the first time the stop is consulted
    in a run (after the first attempt).
    """

    def __call__(self, retry_state: RetryCallState) -> bool:
        """True once the delay has passed."""
        return self.elapsed(retry_state) >= self.seconds


class StopBeforeClockDelay(_ClockDelay):
    """Stop when the next sleep would end past ``seconds`` on ``clock``: never oversleeps."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        """True when the upcoming sleep would end past the delay."""
        return self.elapsed(retry_state) + retry_state.upcoming_sleep > self.seconds


def stop_after_clock_delay(
    seconds: float, clock: Clock, *, start: float | None = None
) -> StopAfterClockDelay:
    """Stop once ``seconds`` have passed on ``clock``; use instead of ``stop_after_delay``."""
    return StopAfterClockDelay(seconds, clock, start=start)


def stop_before_clock_delay(
    seconds: float, clock: Clock, *, start: float | None = None
) -> StopBeforeClockDelay:
    """Stop when sleeping again would pass ``seconds`` on ``clock``."""
    return StopBeforeClockDelay(seconds, clock, start=start)


def retry_after_of(retry_state: RetryCallState) -> float | None:
    """The server's Retry-After (seconds) carried by the last outcome, if any.

    Read from a raised error's ``retry_after`` (``ThrottledError``) or a result's
    ``retry_after`` attribute (the waiters' observations).
    """
    outcome = retry_state.outcome
    if outcome is None:
        return None
    source = outcome.exception() if outcome.failed else outcome.result()
    value = getattr(source, "retry_after", None)
    return float(value) if isinstance(value, int | float) else None


class WaitRetryAfterOr(wait_base):
    """Wait as ``fallback`` does, but never less than the server's Retry-After.

    ``cap`` bounds how much of a Retry-After is honoured (never below the fallback).
    """

    def __init__(self, fallback: wait_base, *, cap: float | None = None) -> None:
        self.fallback = fallback
        self.cap = cap

    def __call__(self, retry_state: RetryCallState) -> float:
        """Seconds to sleep before the next attempt."""
        base = float(self.fallback(retry_state))
        hint = retry_after_of(retry_state)
        if hint is None:
            return base
        if self.cap is not None:
            hint = min(hint, self.cap)
        return max(base, hint)


def wait_retry_after_or(fallback: wait_base, *, cap: float | None = None) -> WaitRetryAfterOr:
    """``fallback``'s wait, stretched to any Retry-After the server sent."""
    return WaitRetryAfterOr(fallback, cap=cap)


def is_transient_poll_error(error: BaseException) -> bool:
    """True for errors a poll may ride out: no response, or a status the client retries.

    Those statuses are ``aiovmss._retry.DEFAULT_RETRY_STATUSES``: 408, 429, 500, 502, 503, 504.

    A body of the wrong shape (``ResponseDecodeError`` of valid JSON) is not: it would repeat.
    """
    if isinstance(error, ResponseDecodeError):
        return error.invalid_json
    if isinstance(error, ServiceRequestError | ServiceResponseError | ThrottledError):
        return True
    return isinstance(error, HttpResponseError) and error.status_code in DEFAULT_RETRY_STATUSES


class RetryIfDeletionInProgress(retry_base):
    """Retry while a VM's deletion has not settled (docs/waiters.md), whatever its state flaps to.

    The outcome may be a waiter observation (its ``verdict`` decides), a VM model or dict from
    ``scale_set_vms.get(..., expand="resiliencyView")``, or an error: a 404 stops (deleted),
    transient errors retry, others stop and re-raise. Without ``resilientVMDeletionStatus``
    (api-version 2023-07-01) a ``Failed`` state stops only once ``horizon`` seconds have passed
    on ``clock`` since the first ``Failed`` was seen (flaps back to ``Deleting`` do not restart
    the count) or since this predicate was first consulted in the run (start the loop after
    the delete request); with no clock that never happens, so pair it with a stop.
    """

    def __init__(self, *, clock: Clock | None = None, horizon: float | None = None) -> None:
        self.clock = clock
        self.horizon = ResilientDeleteWindow().horizon if horizon is None else horizon
        self._failed_since: weakref.WeakKeyDictionary[RetryCallState, float] = (
            weakref.WeakKeyDictionary()
        )
        self._started: weakref.WeakKeyDictionary[RetryCallState, float] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, retry_state: RetryCallState) -> bool:
        """True to poll again."""
        outcome = retry_state.outcome
        if outcome is None:
            return True
        if outcome.failed:
            error = outcome.exception()
            return error is not None and is_transient_poll_error(error)
        result = outcome.result()
        verdict = getattr(result, "verdict", None)
        if isinstance(verdict, Verdict):
            return verdict is Verdict.IN_PROGRESS
        return self._judge_model(retry_state, result) is Verdict.IN_PROGRESS

    def _judge_model(self, retry_state: RetryCallState, model: Any) -> Verdict:
        state, status = state_of(model)
        failed_for = waited_for = 0.0
        if self.clock is not None:
            now = self.clock.now()
            waited_for = now - self._started.setdefault(retry_state, now)
            if status is None and normalise(state) == "failed":
                failed_for = now - self._failed_since.setdefault(retry_state, now)
        return deletion_verdict(
            state, status, failed_for=failed_for, horizon=self.horizon, waited_for=waited_for
        )


class RetryIfCreationInProgress(retry_base):
    """Retry until ``provisioningState`` settles ``Succeeded`` or ``Failed``.

    The outcome may be a waiter observation or a VM / scale set model or dict; a 404 retries
    (not created yet), as do transient errors; other errors stop and re-raise.
    """

    def __call__(self, retry_state: RetryCallState) -> bool:
        """True to poll again."""
        outcome = retry_state.outcome
        if outcome is None:
            return True
        if outcome.failed:
            error = outcome.exception()
            not_yet = isinstance(error, HttpResponseError) and error.status_code == 404
            return error is not None and (not_yet or is_transient_poll_error(error))
        result = outcome.result()
        verdict = getattr(result, "verdict", None)
        if not isinstance(verdict, Verdict):
            verdict = creation_verdict(state_of(result)[0])
        return verdict is Verdict.IN_PROGRESS


def retry_if_deletion_in_progress(
    *, clock: Clock | None = None, horizon: float | None = None
) -> RetryIfDeletionInProgress:
    """Retry while a VM deletion is in progress; see :class:`RetryIfDeletionInProgress`."""
    return RetryIfDeletionInProgress(clock=clock, horizon=horizon)


def retry_if_creation_in_progress() -> RetryIfCreationInProgress:
    """Retry while a create is in progress; see :class:`RetryIfCreationInProgress`."""
    return RetryIfCreationInProgress()
