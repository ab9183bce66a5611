"""How long a fleet waiter pauses between rounds: its poll interval, stretched by the read budget.

Pure decisions, no I/O: the fleet watch counts the requests a round sent and reads what the
client knows of the remaining budget; :func:`next_interval` says how long to wait
(``docs/waiters.md``, "Fleets").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ARM_READ_REFILL",
    "DEFAULT_BUDGET_SHARE",
    "ReadBudget",
    "Tally",
    "next_interval",
    "read_budget",
]

#: Reads a second that ARM gives back to one principal in one region: its token bucket's
#: published refill rate (a bucket of 250 reads, 25 a second).
ARM_READ_REFILL = 25.0

#: The part of that sustained rate one fleet waiter plans to use, leaving the rest to the
#: other callers of the subscription.
DEFAULT_BUDGET_SHARE = 0.5


class Tally:
    """The requests a round sent (each page of a listing counts one)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def add(self, count: int = 1) -> None:
        """Count ``count`` more requests."""
        self.value += count


@dataclass(frozen=True, slots=True)
class ReadBudget:
    """What the waiter knows of the read budget.

    ``remaining`` is the reads left now (the lowest bucket or policy the service reported), or
    ``None`` when the client has no such figure; ``refill`` the reads a second that come back.
    """

    remaining: float | None = None
    refill: float = ARM_READ_REFILL


def next_interval(
    poll_interval: float,
    cost: int,
    budget: ReadBudget,
    *,
    share: float = DEFAULT_BUDGET_SHARE,
) -> float:
    """Seconds to pause before the next round, which is expected to cost ``cost`` reads.

    At least ``poll_interval``; long enough that rounds spend no more than ``share`` of the
    sustained read rate; and, when the remaining budget is below what the next round needs,
    long enough for the bucket to refill that much. ``cost`` is what the last round spent.
    """
    if cost <= 0 or budget.refill <= 0 or not math.isfinite(budget.refill):
        return poll_interval
    wait = max(poll_interval, cost / (budget.refill * max(share, 1e-6)))
    if budget.remaining is not None and budget.remaining < cost:
        wait = max(wait, (cost - max(budget.remaining, 0.0)) / budget.refill)
    return wait


def read_budget(client: Any) -> ReadBudget:
    """The read budget as far as ``client`` knows it (only the defaults when it cannot say)."""
    rate_limits = getattr(client, "rate_limits", None)
    remaining = getattr(rate_limits, "remaining_reads", None)
    if callable(remaining):
        remaining = remaining()
    if isinstance(remaining, int | float) and not isinstance(remaining, bool):
        return ReadBudget(float(remaining))
    return ReadBudget()
