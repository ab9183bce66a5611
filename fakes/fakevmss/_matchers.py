"""VM fault matchers: small predicates over one attempt that combine with ``&``, ``|``, ``~``.

As in respx and tenacity, each is a tiny callable class; :class:`~fakevmss._faults.Faults`
builds one per ``fail_create``/``fail_delete`` from its filters.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "Always",
    "AttemptAtMost",
    "AttemptContext",
    "Chance",
    "InstanceIn",
    "Matcher",
    "ScaleSetIs",
]


@dataclass(frozen=True, slots=True)
class AttemptContext:
    """What a VM fault matcher sees: scale set, instance id, 1-based attempt number."""

    scale_set: str
    instance_id: str
    attempt: int


class Matcher:
    """A predicate over an :class:`AttemptContext`; combine with ``&``, ``|``, ``~``."""

    def __call__(self, ctx: AttemptContext) -> bool:
        """Whether the attempt matches."""
        raise NotImplementedError

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


class _Not(Matcher):
    def __init__(self, inner: Matcher) -> None:
        self.inner = inner

    def __call__(self, ctx: AttemptContext) -> bool:
        return not self.inner(ctx)


class Always(Matcher):
    """Matches every attempt (the plan's starting point before any filter)."""

    def __call__(self, ctx: AttemptContext) -> bool:
        return True


class ScaleSetIs(Matcher):
    """The attempt belongs to the scale set ``name`` (case-insensitive)."""

    def __init__(self, name: str) -> None:
        self.name = name.lower()

    def __call__(self, ctx: AttemptContext) -> bool:
        return ctx.scale_set.lower() == self.name


class InstanceIn(Matcher):
    """The attempt's instance id is one of ``ids`` (case-insensitive)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = frozenset(i.lower() for i in ids)

    def __call__(self, ctx: AttemptContext) -> bool:
        return ctx.instance_id.lower() in self.ids


class AttemptAtMost(Matcher):
    """The attempt is one of the VM's first ``n`` attempts."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, ctx: AttemptContext) -> bool:
        return ctx.attempt <= self.n


class Chance(Matcher):
    """True with probability ``p``, drawn from ``rng`` on each call."""

    def __init__(self, p: float, rng: random.Random) -> None:
        self.p = p
        self.rng = rng

    def __call__(self, ctx: AttemptContext) -> bool:
        return self.rng.random() < self.p
