"""The engine's events, batched: one clock timer for every event due at the same instant.

A fleet created or deleted at once has its VMs' attempts end together: 100,000 VMs put in one
go end their first attempt at the same virtual second. One clock timer per event cost a timer
handle, a heap entry and two closures per VM, which the garbage collector walked on every full
collection; here an event is one small object in the list of its instant, and each instant has
one timer (``benchmarks/fleet_bench.py``, 100 x 1,000 VMs: see docs/performance.md).

Order is kept: events of one instant run in the order they were scheduled, and an event
scheduled for an instant that is already running gets a new instant, which runs after it, as
a new timer would have. Sleepers due at the same instant wake after every event due then
(the clocks fire everything due before a woken task runs), as before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Protocol

__all__ = ["Event", "Instants"]


class _Owner(Protocol):
    """What the scheduler reads at fire time: the lock to hold, whether to run at all."""

    lock: Any
    stopped: bool


class _ClockLike(Protocol):
    def now(self) -> float: ...
    def call_at(self, when: float, callback: Callable[[], None]) -> Any: ...


_NO = object()  # an argument slot not used


class Event:
    """One scheduled ``action(*args)`` (up to 4 arguments); ``cancel()`` keeps it from running.

    The arguments sit in slots of their own rather than in a tuple: one object per event.
    """

    __slots__ = ("a", "action", "b", "c", "cancelled", "d")

    def __init__(
        self, action: Callable[..., None], a: Any = _NO, b: Any = _NO, c: Any = _NO, d: Any = _NO
    ) -> None:
        self.action = action
        self.a, self.b, self.c, self.d = a, b, c, d
        self.cancelled = False

    def cancel(self) -> None:
        """Do not run this event (idempotent)."""
        self.cancelled = True

    def run(self) -> None:
        """Call the action with the arguments given."""
        self.action(*[x for x in (self.a, self.b, self.c, self.d) if x is not _NO])


class Instants:
    """Schedules events on ``clock``, one clock timer per distinct due time.

    ``owner.lock`` is held while an instant's events run, and none runs once
    ``owner.stopped`` (both read when the instant comes: the fake swaps the lock after the
    engine is built); scheduling takes it too.
    """

    def __init__(self, clock: _ClockLike, owner: _Owner) -> None:
        self.clock = clock
        self.owner = owner
        self.due: dict[float, list[Event]] = {}

    def at(self, when: float, action: Callable[..., None], *args: Any) -> Event:
        """Run ``action(*args)`` (at most 4 arguments) at clock time ``when`` (now, if past).

        Pass a function and its object rather than a bound method (``Engine._round, engine,
        scale_set``): a bound method is one more object per event.
        """
        when = max(when, self.clock.now())
        event = Event(action, *args)
        with self.owner.lock:  # re-entrant: the engine usually holds it already
            events = self.due.get(when)
            if events is None:
                events = self.due[when] = []
                self.clock.call_at(when, partial(self._fire, when))
            events.append(event)
        return event

    def _fire(self, when: float) -> None:
        owner = self.owner
        # Taken under the lock that ``at`` holds too: no event joins a list that already ran.
        with owner.lock, _collector_paused():
            events = self.due.pop(when, ())
            for event in events:
                if not event.cancelled and not owner.stopped:
                    event.cancelled = True  # ran: a later cancel() changes nothing
                    event.run()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while one instant's events run (no await there).

    100,000 attempts ending at once allocate their history and state changes in one burst:
    with the collector on, that burst ran dozens of young collections, each a chance of a full
    one over the whole fleet; held off, the burst counts as one (``benchmarks/fleet_bench.py``).
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
