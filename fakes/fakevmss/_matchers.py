"""VM fault matchers: small predicates over one attempt that combine with ``&``, ``|``, ``~``.

As in respx and tenacity, each is a tiny callable class; :class:`~fakevmss._faults.Faults`
builds one per ``fail_create``/``fail_delete`` from its filters.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

__all__ = [
    "Always",
    "AttemptAtMost",
    "AttemptContext",
    "Chance",
    "InstanceIn",
    "Matcher",
    "ScaleSetIs",
    "check_code",
    "check_number",
    "check_times",
    "vm_matcher",
]


class AttemptContext(NamedTuple):
    """What a VM fault matcher sees: scale set, instance id, 1-based attempt number.

    A named tuple, not a frozen dataclass: one is built per create and delete attempt, and a
    fleet makes 200,000 of them (``benchmarks/fleet_bench.py``).
    """

    scale_set: str
    instance_id: str
    attempt: int


class Matcher:
    """A predicate over an :class:`AttemptContext`; combine with ``&``, ``|``, ``~``."""

    def __call__(self, ctx: AttemptContext) -> bool:
        """Whether the attempt matches."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short readable form of the filter (what inspection pages show)."""
        return type(self).__name__

    def __and__(self, other: Matcher) -> Matcher:
        return _Combined(all, (self, other))

    def __or__(self, other: Matcher) -> Matcher:
        return _Combined(any, (self, other))

    def __invert__(self) -> Matcher:
        return _Not(self)


class _Combined(Matcher):
    def __init__(self, how: Callable[[Iterable[bool]], bool], parts: tuple[Matcher, ...]) -> None:
        self.how = how
        self.parts = parts

    def __call__(self, ctx: AttemptContext) -> bool:
        # Generator keeps short-circuiting, so a Chance on the right draws only when needed.
        return self.how(part(ctx) for part in self.parts)

    def describe(self) -> str:
        joiner = " and " if self.how is all else " or "
        shown = []
        for part in self.parts:
            text = part.describe()
            mixed = isinstance(part, _Combined) and part.how is not self.how
            shown.append(f"({text})" if mixed and " " in text else text)
        return joiner.join(text for text in shown if text)


class _Not(Matcher):
    def __init__(self, inner: Matcher) -> None:
        self.inner = inner

    def __call__(self, ctx: AttemptContext) -> bool:
        return not self.inner(ctx)

    def describe(self) -> str:
        text = self.inner.describe()
        return f"not ({text})" if " " in text else f"not {text}"


class Always(Matcher):
    """Matches every attempt (the plan's starting point before any filter)."""

    def __call__(self, ctx: AttemptContext) -> bool:
        return True

    def describe(self) -> str:
        """Empty: no filter."""
        return ""


class ScaleSetIs(Matcher):
    """The attempt belongs to the scale set ``name`` (case-insensitive)."""

    def __init__(self, name: str) -> None:
        self.name = name.lower()

    def __call__(self, ctx: AttemptContext) -> bool:
        return ctx.scale_set.lower() == self.name

    def describe(self) -> str:
        """``scale_set=<name>``."""
        return f"scale_set={self.name}"


class InstanceIn(Matcher):
    """The attempt's instance id is one of ``ids`` (case-insensitive)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = frozenset(i.lower() for i in ids)

    def __call__(self, ctx: AttemptContext) -> bool:
        return ctx.instance_id.lower() in self.ids

    def describe(self) -> str:
        """``instances=<ids>``."""
        return "instances=" + ",".join(sorted(self.ids))


class AttemptAtMost(Matcher):
    """The attempt is one of the VM's first ``n`` attempts."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, ctx: AttemptContext) -> bool:
        return ctx.attempt <= self.n

    def describe(self) -> str:
        """``attempt<=n``."""
        return f"attempt<={self.n}"


class Chance(Matcher):
    """True with probability ``p``, drawn from ``rng`` on each call."""

    def __init__(self, p: float, rng: random.Random) -> None:
        self.p = p
        self.rng = rng

    def __call__(self, ctx: AttemptContext) -> bool:
        return self.rng.random() < self.p

    def describe(self) -> str:
        """``probability=p``."""
        return f"probability={self.p:g}"


def check_code(code: Any) -> str:
    """``code`` if it is a non-empty string (an ARM error code)."""
    if not isinstance(code, str):
        raise TypeError(f"code must be a string, got {type(code).__name__}")
    if not code:
        raise ValueError("code must not be empty")
    return code


def check_times(times: Any) -> int | None:
    """``times`` if it is None or an int of at least 1."""
    if times is None:
        return None
    if not isinstance(times, int) or isinstance(times, bool):
        raise TypeError("times must be an int or None")
    if times < 1:
        raise ValueError("times must be at least 1 (None: forever)")
    return times


def check_number(name: str, value: Any, *, low: float = 0.0, high: float | None = None) -> float:
    """``value`` as a float, if it is a finite number within ``low`` and ``high``."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number")
    if value < low or (high is not None and value > high) or value != value:
        raise ValueError(f"{name} out of range: {value!r}")
    return float(value)


def vm_matcher(
    scale_set: Any, instances: Any, attempts: Any, probability: Any, rng: random.Random
) -> Matcher:
    """The matcher of a VM fault's filters (an omitted filter matches everything).

    Raises:
        TypeError, ValueError: a bad filter.
    """
    matcher: Matcher = Always()
    if scale_set is not None:
        if not isinstance(scale_set, str):
            raise TypeError("scale_set must be a string")
        matcher = matcher & ScaleSetIs(scale_set)
    if instances is not None:
        ids = [] if isinstance(instances, str) else list(instances)
        if isinstance(instances, str) or not all(isinstance(i, str) for i in ids):
            raise TypeError("instances must be a list of instance id strings")
        matcher = matcher & InstanceIn(ids)
    if attempts is not None:
        if not isinstance(attempts, int) or isinstance(attempts, bool):
            raise TypeError("attempts must be an int or None")
        if attempts < 1:
            raise ValueError("attempts must be at least 1 (None: every attempt)")
        matcher = matcher & AttemptAtMost(attempts)
    if probability is not None:
        matcher = matcher & Chance(check_number("probability", probability, high=1.0), rng)
    return matcher
