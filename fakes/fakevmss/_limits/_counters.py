"""The two kinds of counter behind the limits, on whatever time they are given (no clock here).

``TokenBucket`` is ARM's: it holds up to ``capacity`` tokens, gains ``refill`` per second and
loses one per request. ``SlidingWindow`` is a Compute policy's: the charges of the last
``seconds`` may not exceed ``limit``. Both answer how long until a request of some size fits,
which is the ``Retry-After`` of a refusal.
"""

from __future__ import annotations

from collections import deque

__all__ = ["SlidingWindow", "TokenBucket"]


class TokenBucket:
    """A token bucket refilled lazily: its level is computed when asked, never by a timer."""

    __slots__ = ("capacity", "refill", "stamp", "tokens")

    def __init__(self, capacity: float, refill: float, now: float) -> None:
        self.capacity = capacity
        self.refill = refill
        self.tokens = capacity
        self.stamp = now

    def level(self, now: float) -> float:
        """Tokens at ``now`` (time never runs backwards here: an earlier ``now`` adds none)."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill)
            self.stamp = now
        return self.tokens

    def wait(self, now: float, amount: float = 1.0) -> float:
        """Seconds from ``now`` until ``amount`` tokens are there (0: at once)."""
        missing = amount - self.level(now)
        return 0.0 if missing <= 0 else missing / self.refill

    def take(self, now: float, amount: float = 1.0) -> None:
        """Spend ``amount`` tokens (the caller checked :meth:`wait` first)."""
        self.tokens = self.level(now) - amount

    def __repr__(self) -> str:
        return f"<TokenBucket {self.tokens:.1f}/{self.capacity:g} +{self.refill:g}/s>"


class SlidingWindow:
    """The charges of the last ``seconds``, each kept with its time until it leaves the window.

    At most about ``limit`` entries are ever kept (every charge is at least 1), so memory is
    bounded by the policy, not by the traffic.
    """

    __slots__ = ("_entries", "limit", "seconds", "used")

    def __init__(self, seconds: float, limit: int) -> None:
        self.seconds = seconds
        self.limit = limit
        self.used = 0
        self._entries: deque[tuple[float, int]] = deque()

    def _prune(self, now: float) -> None:
        entries, start = self._entries, now - self.seconds
        while entries and entries[0][0] <= start:
            self.used -= entries.popleft()[1]

    def remaining(self, now: float) -> int:
        """Charges still admitted in the window ending at ``now``."""
        self._prune(now)
        return max(0, self.limit - self.used)

    def wait(self, now: float, charge: int) -> float:
        """Seconds from ``now`` until ``charge`` fits (0: at once).

        A charge larger than the whole limit fits an empty window (*our reading*: a batch is
        never refused forever), so the answer is always finite.
        """
        self._prune(now)
        excess = self.used + charge - self.limit
        if excess <= 0 or not self._entries:
            return 0.0
        freed = 0
        for stamp, amount in self._entries:
            freed += amount
            if freed >= excess or freed == self.used:
                return stamp + self.seconds - now
        raise AssertionError("unreachable: the loop frees every entry")  # pragma: no cover

    def add(self, now: float, charge: int) -> None:
        """Count ``charge`` at ``now`` (after :meth:`wait` at the same ``now``, which pruned)."""
        self._entries.append((now, charge))
        self.used += charge

    def oldest(self, now: float) -> float | None:
        """Time of the oldest charge still in the window, if any."""
        self._prune(now)
        return self._entries[0][0] if self._entries else None

    def __repr__(self) -> str:
        return f"<SlidingWindow {self.used}/{self.limit} in {self.seconds:g} s>"
