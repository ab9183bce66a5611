"""How long a fleet waiter pauses between rounds: its poll interval, stretched by the read budget.

Pure decisions, no I/O: the fleet watch counts the requests a round sent and reads what the
client knows of the remaining budget; :func:`next_interval` says how long to wait
(``docs/waiters.md``, "Fleets").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiovmss._rate_limits import policy_window

__all__ = [
    "ARM_READ_REFILL",
    "DEFAULT_BUDGET_SHARE",
    "PAGE_GUESS",
    "ReadBudget",
    "Tally",
    "gets_cheaper",
    "next_interval",
    "pages_guess",
    "policy_low",
    "read_budget",
]

#: Reads a second that ARM gives back to one principal in one region: its token bucket's
#: published refill rate (a bucket of 250 reads, 25 a second).
ARM_READ_REFILL = 25.0

#: The part of that sustained rate one fleet waiter plans to use, leaving the rest to the
#: other callers of the subscription.
DEFAULT_BUDGET_SHARE = 0.5

#: VMs a list page holds, to guess a listing's pages before it was read once (the fake's
#: default page size; the service's pages are of that order).
PAGE_GUESS = 100


def gets_cheaper(pending: int, pages: int) -> bool:
    """Whether a GET of each pending VM costs no more requests than listing the scale set.

    On a tie the GETs win: the Compute provider counts a VM's GET as a low-cost read and a
    list call as a high-cost one (docs/fake/limits.md).
    """
    return 0 < pending <= pages


def pages_guess(vms: int) -> int:
    """The pages a listing of ``vms`` VMs likely takes, before one was read."""
    return max(1, math.ceil(vms / PAGE_GUESS))


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
    """The read budget as far as ``client.rate_limits`` knows it (the defaults when it cannot).

    The lower of the principal's and the global ``reads`` counts, plus what has refilled since
    it was read (at ARM's rate, on the client's clock).
    """
    table = getattr(getattr(client, "rate_limits", None), "subscription", None)
    if not isinstance(table, Mapping):
        return ReadBudget()
    now = client.clock.now()
    counts = []
    for name in ("reads", "global-reads"):
        seen: Any = table.get(name)
        if _counted(seen):
            waited = max(0.0, now - float(seen.read_at))
            counts.append(float(seen.remaining) + ARM_READ_REFILL * waited)
    return ReadBudget(min(counts)) if counts else ReadBudget()


def _counted(seen: Any) -> bool:
    """A ``Remaining`` with a numeric count and read time."""
    return all(
        isinstance(value, int | float) and not isinstance(value, bool)
        for value in (getattr(seen, "remaining", None), getattr(seen, "read_at", None))
    )


def policy_low(client: Any, margin: int) -> bool:
    """Whether a Compute policy reported within its window has ``margin`` requests left or fewer.

    The fleet waiters then send one list at a time, without read-ahead: the client's pacer
    learns a policy's count from answers, so requests already in flight when it runs low could
    overshoot it (``docs/client/rate-limits.md``).
    """
    table = getattr(getattr(client, "rate_limits", None), "resource", None)
    if not isinstance(table, Mapping):
        return False
    now = client.clock.now()
    for name, seen in table.items():
        window = policy_window(name) if isinstance(name, str) else None
        fresh = window is not None and _counted(seen) and now - seen.read_at < window
        if fresh and seen.remaining <= margin:
            return True
    return False
