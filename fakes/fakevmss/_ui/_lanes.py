"""A VM's history as a timeline lane: attempt bars, marks, and the window they are drawn in.

Pure functions over the fake's state (``VM.history``, ``ScaleSet.history``): the live page and
the standalone HTML file draw the same lanes (docs/fake/ui.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fakevmss._state import VM, HistoryEvent, ScaleSet
from fakevmss._timeline import format_seconds

__all__ = [
    "MIN_SPAN",
    "Bar",
    "Lane",
    "Mark",
    "Tick",
    "Window",
    "attempt_bars",
    "lane",
    "round_times",
    "ticks",
    "window_for",
]

#: The narrowest window drawn, in clock seconds (a lane of one 60 s attempt is not all bar).
MIN_SPAN = 60.0

# Event that ends an attempt -> (kind, outcome).
_ENDS = {
    "created": ("create", "succeeded"),
    "create-attempt-failed": ("create", "failed"),
    "create-attempt-stopped": ("create", "stopped"),
    "create-canceled": ("create", "canceled"),
    "deleted": ("delete", "succeeded"),
    "delete-attempt-failed": ("delete", "failed"),
}
_STARTS = {"create-attempt-started": "create", "delete-attempt-started": "delete"}
# Events that end a VM operation (its kind is the event's ``operation``) -> outcome.
_OPERATION_ENDS = {
    "operation-succeeded": "succeeded",
    "operation-failed": "failed",
    "operation-preempted": "canceled",
}
# Events drawn as a mark on the lane -> label.
_MARKS = {
    "delete-requested": "delete requested",
    "create-failed": "create failed",
    "delete-retries-exhausted": "retries exhausted",
    "operation-skipped": "skipped (protected)",
}
# Steps a tick may take, in seconds: whole seconds, minutes, hours, days.
_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)


@dataclass(frozen=True, slots=True)
class Bar:
    """One create or delete attempt: ``end`` None while it runs; ``outcome`` says how it ended.

    ``kind`` is ``create``, ``delete`` or a VM operation (``restart``, ...). ``outcome`` is
    ``succeeded``, ``failed``, ``stopped`` (the 30-minute create limit cut it), ``canceled`` (a
    delete overtook the create or the operation) or ``running``.
    """

    kind: str
    attempt: int
    start: float
    end: float | None
    outcome: str
    code: str | None = None
    forced: bool = False

    @property
    def label(self) -> str:
        """``delete #2 failed InternalExecutionError +00:01:00 - +00:02:00`` (forced noted)."""
        forced = " (forced)" if self.forced else ""
        code = f" {self.code}" if self.code else ""
        end = "now" if self.end is None else format_seconds(self.end)
        return (
            f"{self.kind} #{self.attempt}{forced} {self.outcome}{code} "
            f"{format_seconds(self.start)} - {end}"
        )


@dataclass(frozen=True, slots=True)
class Mark:
    """A point on a lane: a retry round, a delete request, a give-up, the next retry due."""

    time: float
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Lane:
    """Everything drawn for one VM."""

    bars: tuple[Bar, ...]
    marks: tuple[Mark, ...]

    @property
    def first(self) -> float | None:
        """The earliest time on the lane, or None for an empty lane."""
        times = [bar.start for bar in self.bars] + [mark.time for mark in self.marks]
        return min(times, default=None)

    @property
    def last(self) -> float | None:
        """The latest time on the lane (a future retry included), or None for an empty lane."""
        times = [bar.end for bar in self.bars if bar.end is not None]
        times += [mark.time for mark in self.marks]
        return max(times, default=None)


@dataclass(frozen=True, slots=True)
class Window:
    """The stretch of clock time a set of lanes is drawn over (``end > start``)."""

    start: float
    end: float

    def x(self, t: float) -> float:
        """Where ``t`` falls, from 0.0 (start) to 1.0 (end), clamped."""
        return min(1.0, max(0.0, (t - self.start) / (self.end - self.start)))


@dataclass(frozen=True, slots=True)
class Tick:
    """An axis tick: its position (0.0 to 1.0) and its ``+HH:MM:SS`` label."""

    x: float
    label: str


def _ending(event: HistoryEvent) -> tuple[str, str] | None:
    """``(kind, outcome)`` of an event that ends an attempt or a VM operation, else None."""
    outcome = _OPERATION_ENDS.get(event.event)
    if outcome is not None and event.operation is not None:
        return event.operation, outcome
    return _ENDS.get(event.event)


def attempt_bars(history: Iterable[HistoryEvent]) -> list[Bar]:
    """Pair each attempt's start with the event that ended it; an unended attempt is running."""
    bars: list[Bar] = []
    open_at: dict[tuple[str, int], HistoryEvent] = {}
    for event in history:
        if event.event in _STARTS:
            open_at[(_STARTS[event.event], event.attempt)] = event
            continue
        if event.event == "operation-started" and event.operation is not None:
            open_at[(event.operation, event.attempt)] = event
            continue
        ending = _ending(event)
        if ending is None:
            continue
        kind, outcome = ending
        started = open_at.pop((kind, event.attempt), None)
        start = event.time if started is None else started.time
        forced = started.forced if started is not None else event.forced
        bars.append(Bar(kind, event.attempt, start, event.time, outcome, event.code, forced))
    for (kind, attempt), started in open_at.items():
        bars.append(Bar(kind, attempt, started.time, None, "running", None, started.forced))
    bars.sort(key=lambda bar: (bar.start, bar.kind, bar.attempt))
    return bars


def round_times(scale_set: ScaleSet) -> dict[str, list[float]]:
    """Instance id (lower case) -> times of the resilient delete rounds that retried it."""
    times: dict[str, list[float]] = {}
    for event in scale_set.history:
        for instance_id in event.instance_ids:
            times.setdefault(instance_id.lower(), []).append(event.time)
    return times


def _marks(vm: VM, rounds: Sequence[float]) -> list[Mark]:
    marks = [Mark(t, "round", f"retry {n}") for n, t in enumerate(rounds, start=1)]
    for event in vm.history:
        label = _MARKS.get(event.event)
        if label is not None:
            code = f" {event.code}" if event.code else ""
            what = f"{event.operation} " if event.operation else ""
            marks.append(Mark(event.time, event.event, what + label + code))
    if vm.retry_due is not None:
        marks.append(Mark(vm.retry_due, "next-retry", f"next retry {format_seconds(vm.retry_due)}"))
    marks.sort(key=lambda mark: mark.time)
    return marks


def lane(vm: VM, rounds: Sequence[float] = ()) -> Lane:
    """The lane of ``vm``; ``rounds`` are the times of the delete rounds that retried it."""
    return Lane(tuple(attempt_bars(vm.history)), tuple(_marks(vm, rounds)))


def window_for(lanes: Iterable[Lane], now: float) -> Window:
    """A window from the earliest event to the later of ``now`` and the last event (>= 60 s)."""
    starts: list[float] = []
    ends = [now]
    for item in lanes:
        if item.first is not None:
            starts.append(item.first)
        if item.last is not None:
            ends.append(item.last)
    start = min(starts, default=now)
    end = max(ends)
    return Window(start, max(end, start + MIN_SPAN))


def ticks(window: Window, *, most: int = 8) -> list[Tick]:
    """Axis ticks at a round step, at most ``most`` of them, labelled ``+HH:MM:SS``."""
    span = window.end - window.start
    step: float = next((s for s in _STEPS if span / s <= most), span / most)
    first = -(-window.start // step) * step  # the first multiple of step at or after start
    found: list[Tick] = []
    t = first
    while t <= window.end + 1e-9 and len(found) <= most:
        found.append(Tick(window.x(t), format_seconds(t)))
        t += step
    return found
