"""The one polling loop every waiter runs: tenacity on the client's clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt
from tenacity.retry import retry_base
from tenacity.stop import stop_base
from tenacity.wait import wait_fixed

from aiovmss._clock import Clock
from aiovmss.waiters._results import Verdict
from aiovmss.waiters.strategies import StopBeforeClockDelay, WaitRetryAfterOr

__all__ = ["BeforeSleep", "Round", "poll_until_settled", "unsettled_reason"]

#: tenacity's ``before_sleep`` hook: called with the retry state before each sleep.
BeforeSleep = Callable[[RetryCallState], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Round:
    """What one polling round concluded: settled or not, and any server Retry-After."""

    verdict: Verdict
    retry_after: float | None = None


def unsettled_reason(timeout: float, max_polls: int | None, polls: int) -> str:
    """How a wait that ended unsettled ran out: its poll budget, or else its timeout."""
    if max_polls is not None and polls >= max_polls:
        return f"not settled after {polls} polls (max_polls={max_polls})"
    return f"not settled within {timeout:.0f} s"


def _last_round(retry_state: RetryCallState) -> None:
    """Stop without raising ``RetryError``: the caller reads its trackers instead."""
    return None


async def poll_until_settled(
    clock: Clock,
    poll: Callable[[], Awaitable[Round]],
    *,
    retry: retry_base,
    timeout: float,  # noqa: ASYNC109 - a deadline on the given clock
    poll_interval: float,
    start: float,
    max_polls: int | None = None,
    before_sleep: BeforeSleep | None = None,
) -> None:
    """Call ``poll`` until ``retry`` says settled or the deadline (``start + timeout``) nears.

    Sleeps ``poll_interval`` (or a longer Retry-After) on ``clock`` between rounds and never
    sleeps past the deadline. Errors ``poll`` raises propagate unchanged.
    """
    stop: stop_base = StopBeforeClockDelay(timeout, clock, start=start)
    if max_polls is not None:
        stop = stop | stop_after_attempt(max_polls)
    kwargs: dict[str, Any] = {} if before_sleep is None else {"before_sleep": before_sleep}
    retrying = AsyncRetrying(
        sleep=clock.sleep,
        stop=stop,
        wait=WaitRetryAfterOr(wait_fixed(poll_interval)),
        retry=retry,
        retry_error_callback=_last_round,
        **kwargs,
    )
    await retrying(poll)
