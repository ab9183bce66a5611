"""The client-side pacer: spend Azure's request budget evenly instead of spending 429s.

One ``Pacer`` per client, shared by all its calls, on the client's clock. Per kind of request
(reads, writes, deletes, as ARM counts them) a token bucket a little smaller than ARM's: a
burst beyond it is spaced at its rate. Each response's remaining counts lower the bucket to
what the service says is left (other clients of the same principal spend it too). A Compute
policy reported nearly empty spaces the requests that charge it over the policy's window;
one reported empty releases them as the client's own earlier charges to it leave the service's
sliding window (each one second after its charge's window ends), and after a whole window
since the report when it knows no such charge (others spent the budget, or it was forgotten).

Own charges are remembered from the answers, not from the sends: an answer that reports a
policy was charged to it no later than it was read, so reading times are safe release times,
and a policy's earlier charges are known when it first runs low, for one append per policy
per answer (the newest 4,096 for at most 32 policies). Decisions are synchronous and cost a few
arithmetic operations while the budget lasts; only the pipeline awaits the delay. See
docs/client/rate-limits.md.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, fields

from aiovmss._rate_limits import RateLimitHeaders, policy_window

__all__ = ["Pacer", "PacingPolicy", "kind_of", "request_shape"]

_logger = logging.getLogger("aiovmss.pacing")
_MAX_SHAPES = 256
_GLOBAL = {kind: f"global-{kind}" for kind in ("reads", "writes", "deletes")}
_MAX_LOGS = 32  # policies whose own charge times are remembered
_LOG_LENGTH = 4096  # own charge times remembered per policy (the newest)
_MARGIN = 1.0  # seconds between an own charge leaving a window and the request it releases


@dataclass(frozen=True, slots=True)
class PacingPolicy:
    """How the client paces its requests (``ComputeClient(pacing=...)``; ``None`` turns it off).

    Attributes:
        reads_capacity: reads sent at once before pacing starts (ARM's bucket: 250).
        reads_rate: reads per second once paced (ARM refills 25).
        writes_capacity: writes (PUT, PATCH, POST) at once (ARM: 200).
        writes_rate: writes per second once paced (ARM: 10).
        deletes_capacity: deletes at once (ARM: 200).
        deletes_rate: deletes per second once paced (ARM: 10).
        reserve: ARM tokens left unspent when the service reports its remaining count.
        policy_reserve: a Compute policy reported at or below this spaces its requests over
            its window; at 0 they wait for the window to pass.
    """

    reads_capacity: float = 240.0
    reads_rate: float = 24.0
    writes_capacity: float = 190.0
    writes_rate: float = 9.5
    deletes_capacity: float = 190.0
    deletes_rate: float = 9.5
    reserve: float = 5.0
    policy_reserve: int = 2

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"PacingPolicy.{spec.name} must be a number, got {value!r}")
            positive = spec.name.endswith(("capacity", "rate"))
            if not (value > 0 if positive else value >= 0) or value == float("inf"):
                need = "positive" if positive else "zero or more"
                raise ValueError(f"PacingPolicy.{spec.name} must be {need}, got {value!r}")


def kind_of(method: str) -> str:
    """ARM's kind of a request: ``reads`` (GET, HEAD), ``deletes`` or ``writes``."""
    if method in ("GET", "HEAD"):
        return "reads"
    return "deletes" if method == "DELETE" else "writes"


def request_shape(method: str, url: str) -> str:
    """What decides a request's Compute policies: method, collection names, depth, $expand.

    ``GET .../virtualMachineScaleSets/a/virtualMachines/0`` and ``.../b/virtualMachines/7``
    have one shape; a list, or the same GET with ``$expand=instanceView``, another.
    """
    path, _, query = url.partition("://")[2].partition("/")[2].partition("?")
    segments = path.strip("/").split("/")
    collections = "/".join(segments[::2]).lower()
    expand = "expand" if "instanceview" in query.lower() else ""
    return f"{method} {len(segments)} {collections} {expand}"


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens = capacity
        self.stamp: float | None = None  # full until first used

    def _refill(self, now: float) -> None:
        if self.stamp is not None and now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        if self.stamp is None or now > self.stamp:
            self.stamp = now

    def reserve(self, now: float) -> float:
        """Take one token (going into debt if need be); seconds until it is really there."""
        self._refill(now)
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def lower(self, now: float, level: float) -> None:
        """Hold no more than ``level`` tokens at ``now`` (what the service says is left)."""
        self._refill(now)
        self.tokens = min(self.tokens, level)


class Pacer:
    """Delays for one client's requests; see the module docstring.

    Args:
        policy: the ``PacingPolicy``.
        logger: where the INFO line of each slow-down goes (default ``aiovmss.pacing``).
    """

    def __init__(self, policy: PacingPolicy, logger: logging.Logger | None = None) -> None:
        self.policy = policy
        self.logger = logger or _logger
        self._buckets = {
            kind: _Bucket(getattr(policy, f"{kind}_capacity"), getattr(policy, f"{kind}_rate"))
            for kind in ("reads", "writes", "deletes")
        }
        # Only policies reported at or below ``policy_reserve`` are tracked, and only the shapes
        # of the requests whose answers reported them: nothing to do while every policy is
        # plentiful (the hot path, benchmarks/client_bench.py "get").
        self._shapes: dict[str, tuple[str, ...]] = {}  # shape -> its low policies
        self._policies: dict[str, tuple[int, float, float]] = {}  # remaining, read at, next
        # Per policy, when answers reported it (own charges), oldest first, not yet used to
        # release a request: at most _MAX_LOGS deques of _LOG_LENGTH times.
        self._charged: dict[str, deque[float]] = {}
        self.slowed = False
        #: Delays given so far (seconds), for reports and tests.
        self.total_delay = 0.0

    def delay(self, method: str, url: str, now: float) -> float:
        """Seconds to wait before sending ``method url`` now (0 while the budget lasts)."""
        wait = self._buckets[kind_of(method)].reserve(now)
        if self._policies:
            wait = max(wait, self._policy_delay(request_shape(method, url), now))
        if wait > 0:
            self.total_delay += wait
            if not self.slowed:
                self.slowed = True
                self.logger.info(
                    "pacing %s requests: the request budget is low; waiting %.3f s before "
                    "this one, and spacing the next ones (docs/client/rate-limits.md)",
                    kind_of(method),
                    wait,
                )
        elif self.slowed:
            self.slowed = False
            self.logger.debug("pacing over: the request budget recovered")
        return wait

    def _policy_delay(self, shape: str, now: float) -> float:
        wait = 0.0
        for name in self._shapes.get(shape, ()):
            state = self._policies.get(name)
            if state is not None:  # else recovered since
                wait = max(wait, self._policy_start(name, state, now) - now)
        return wait

    def _policy_start(self, name: str, state: tuple[int, float, float], now: float) -> float:
        """When the next request charged to low policy ``name`` may go (and count it)."""
        remaining, read_at, free_at = state
        window = policy_window(name) or 60.0
        # Own charges in the window at the reading (the last _MARGIN s of it left out: they
        # may have left already) each free a slot when they leave it.
        oldest = self._oldest_own(name, read_at - window + _MARGIN)
        release = min(oldest + window + _MARGIN, read_at + window) if oldest is not None else 0.0
        if oldest is not None and (remaining <= 0 or release < free_at):
            self._charged[name].popleft()  # that slot is this request's
            start = max(now, release)
        elif remaining <= 0:  # no own charge known in the window: wait for all of it
            start, remaining = max(now, read_at + window), remaining - 1
        else:  # spread what is left over the window
            start, remaining = max(now, free_at), remaining - 1
            free_at = start + window / (self.policy.policy_reserve + 1)
        self._policies[name] = (remaining, read_at, free_at)
        return start

    def _oldest_own(self, name: str, after: float) -> float | None:
        """The oldest remembered own charge to ``name`` later than ``after`` (older forgotten)."""
        log = self._charged.get(name)
        if not log:
            return None
        while log and log[0] <= after:
            log.popleft()
        return log[0] if log else None

    def observe(self, method: str, url: str, headers: RateLimitHeaders, now: float) -> None:
        """Learn from one response's rate-limit headers (read at ``now``)."""
        kind = kind_of(method)
        counts = headers.subscription
        if counts:
            own, shared = counts.get(kind), counts.get(_GLOBAL[kind])
            reported = own if shared is None else shared if own is None else min(own, shared)
            if reported is not None:
                self._buckets[kind].lower(now, reported - self.policy.reserve)
        self._observe_policies(method, url, headers, now)

    def _observe_policies(
        self, method: str, url: str, headers: RateLimitHeaders, now: float
    ) -> None:
        low = []
        charged, logs = headers.charge != 0, self._charged  # a 429 charges nothing
        for name, count in headers.resource.items():
            if charged:
                log = logs.get(name)
                (log if log is not None else self._new_log(name)).append(now)
            previous = self._policies.get(name)
            if count > self.policy.policy_reserve:
                if previous is not None:  # recovered
                    del self._policies[name]
                continue
            low.append(name)
            self._policies[name] = (count, now, previous[2] if previous is not None else now)
        if low:
            shape = request_shape(method, url)
            if len(self._shapes) >= _MAX_SHAPES and shape not in self._shapes:
                self._shapes.clear()
            self._shapes[shape] = tuple(low)
        elif not self._policies:
            self._shapes.clear()

    def _new_log(self, name: str) -> deque[float]:
        if len(self._charged) >= _MAX_LOGS:
            self._charged.clear()
        log = self._charged[name] = deque(maxlen=_LOG_LENGTH)
        return log

    def __repr__(self) -> str:
        levels = {kind: round(b.tokens, 1) for kind, b in self._buckets.items()}
        return f"<Pacer {levels} slowed={self.slowed}>"
