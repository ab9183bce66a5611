"""``RequestLimiter``: the state of the limits (buckets and windows) and the admit decision.

No HTTP here: the wire layer (``_wire/_throttle.py``) names the subscription, the principal,
the method and the policies a request charges, and turns a refusal into ARM's 429.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from fakevmss._limits._charges import kind_of
from fakevmss._limits._counters import SlidingWindow, TokenBucket
from fakevmss._limits._principal import PrincipalNames
from fakevmss._limits._settings import KINDS, Limits, Policy

__all__ = ["MAX_EVENTS", "Refusal", "RequestLimiter", "ThrottleEvent", "Verdict"]

#: Throttle events kept for inspection (the oldest are dropped first).
MAX_EVENTS = 10_000
_COMPUTE = "Microsoft.Compute/"


class _Clock(Protocol):
    def now(self) -> float: ...


@dataclass(frozen=True, slots=True)
class ThrottleEvent:
    """One refused request: when, what, whose, which limit and the wait it was told."""

    time: float
    method: str
    path: str
    principal: str
    limit: str
    retry_after: float


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused: ``layer`` ``arm`` or ``compute``, the limit, the wait.

    For a Compute policy also its settings, the charges measured in its window with this
    request, and the window's start.
    """

    layer: str
    limit: str
    wait: float
    policy: Policy | None = None
    measured: int = 0
    window_start: float = 0.0


@dataclass(slots=True)
class Verdict:
    """The headers every answer carries, and the refusal if the request is throttled."""

    headers: dict[str, str] = field(default_factory=dict)
    refusal: Refusal | None = None


class RequestLimiter:
    """Buckets per subscription and principal, global buckets and Compute windows.

    Args:
        settings: the ``Limits``.
        clock: the fake's clock (anything with ``now()``); buckets start full.

    Attributes:
        settings: the ``Limits`` in force.
        throttled: the last ``MAX_EVENTS`` refusals, oldest first.
        principals: principal names by token (``principals.of(token, header)``).
    """

    def __init__(self, settings: Limits, clock: _Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.principals = PrincipalNames()
        self.throttled: deque[ThrottleEvent] = deque(maxlen=MAX_EVENTS)
        self._own: dict[tuple[str, str, str], TokenBucket] = {}
        self._global: dict[tuple[str, str], TokenBucket] = {}
        self._windows: dict[tuple[str, str], SlidingWindow] = {}
        self._policies = {p.name: p for p in settings.policies}
        self._last: tuple[str, str] | None = None

    # -- counters ------------------------------------------------------------------------

    def _bucket(self, sub: str, principal: str, kind: str, now: float) -> TokenBucket:
        key = (sub, principal, kind)
        found = self._own.get(key)
        if found is None:
            s = self.settings
            found = self._own[key] = TokenBucket(s.capacity(kind), s.refill(kind), now)
        return found

    def _global_bucket(self, sub: str, kind: str, now: float) -> TokenBucket:
        found = self._global.get((sub, kind))
        if found is None:
            s, factor = self.settings, self.settings.global_multiplier
            found = TokenBucket(s.capacity(kind) * factor, s.refill(kind) * factor, now)
            self._global[(sub, kind)] = found
        return found

    def _window(self, sub: str, policy: Policy) -> SlidingWindow:
        found = self._windows.get((sub, policy.name))
        if found is None:
            found = self._windows[(sub, policy.name)] = SlidingWindow(policy.seconds, policy.limit)
        return found

    # -- the decision --------------------------------------------------------------------

    def admit(
        self,
        subscription: str,
        principal: str,
        method: str,
        charges: Iterable[tuple[str, int]],
    ) -> Verdict:
        """Charge a request, or refuse it; either way the headers its answer carries.

        ``charges`` are (policy name, count) pairs; names the settings lack are skipped. ARM
        decides first: a request it refuses never reaches (nor charges) the Compute policies.
        Nothing is charged for a refused request.
        """
        now = self.clock.now()
        sub = subscription.lower()
        self._last = (sub, principal)
        kind = kind_of(method)
        verdict = self._admit_arm(sub, principal, kind, now)
        if verdict.refusal is None:
            self._admit_compute(sub, charges, now, verdict)
        return verdict

    def _admit_arm(self, sub: str, principal: str, kind: str, now: float) -> Verdict:
        own = self._bucket(sub, principal, kind, now)
        shared = self._global_bucket(sub, kind, now)
        own_wait, shared_wait = own.wait(now), shared.wait(now)
        refusal = None
        if own_wait > 0 or shared_wait > 0:
            limit = f"{kind}" if own_wait >= shared_wait else f"global-{kind}"
            refusal = Refusal("arm", limit, max(own_wait, shared_wait))
        else:
            own.take(now)
            shared.take(now)
        headers = {
            f"x-ms-ratelimit-remaining-subscription-{kind}": str(math.floor(own.tokens)),
            f"x-ms-ratelimit-remaining-subscription-global-{kind}": str(math.floor(shared.tokens)),
        }
        return Verdict(headers, refusal)

    def _admit_compute(
        self, sub: str, charges: Iterable[tuple[str, int]], now: float, verdict: Verdict
    ) -> None:
        chosen = [
            (policy, self._window(sub, policy), count)
            for name, count in charges
            if (policy := self._policies.get(name)) is not None
        ]
        if not chosen:
            return
        waits = [(w.wait(now, count), policy, w, count) for policy, w, count in chosen]
        wait, policy, window, count = max(waits, key=lambda item: item[0])
        if wait > 0:
            start = window.oldest(now)
            verdict.refusal = Refusal(
                "compute", policy.name, wait, policy, window.used + count,
                start if start is not None else now,
            )  # fmt: skip
        else:
            for _, window, count in chosen:
                window.add(now, count)
        # Every window was pruned to ``now`` by ``wait`` above: remaining is limit - used.
        remaining = ",".join(
            f"{_COMPUTE}{p.name};{max(0, w.limit - w.used)}" for p, w, _ in chosen
        )  # fmt: skip
        verdict.headers["x-ms-ratelimit-remaining-resource"] = remaining
        charged = 0 if verdict.refusal is not None else max(c for _, _, c in chosen)
        verdict.headers["x-ms-request-charge"] = str(charged)

    def record(self, event: ThrottleEvent) -> None:
        """Keep ``event`` in :attr:`throttled`."""
        self.throttled.append(event)

    # -- inspection ----------------------------------------------------------------------

    def remaining(
        self, principal: str | None = None, *, subscription: str | None = None
    ) -> dict[str, int]:
        """What is left now: per-principal and global buckets by kind, and every policy.

        Keys: ``reads``, ``writes``, ``deletes`` (``principal``'s buckets), ``global-reads``,
        ... and each policy's name. ``principal`` and ``subscription`` default to those of
        the last request seen. Untouched buckets and windows count as full.
        """
        now = self.clock.now()
        last_sub, last_principal = self._last or ("", "")
        sub = (subscription or last_sub).lower()
        who = principal if principal is not None else last_principal
        result: dict[str, int] = {}
        for kind in KINDS:
            own = self._own.get((sub, who, kind))
            level = own.level(now) if own is not None else self.settings.capacity(kind)
            result[kind] = math.floor(level)
        for kind in KINDS:
            shared = self._global.get((sub, kind))
            full = self.settings.capacity(kind) * self.settings.global_multiplier
            result[f"global-{kind}"] = math.floor(shared.level(now) if shared else full)
        for policy in self.settings.policies:
            window = self._windows.get((sub, policy.name))
            result[policy.name] = window.remaining(now) if window else policy.limit
        return result

    def __repr__(self) -> str:
        return (
            f"<RequestLimiter principals={len({k[1] for k in self._own})} "
            f"throttled={len(self.throttled)}>"
        )
