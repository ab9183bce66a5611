"""The heap of timers both clocks share, safe for several threads each with its own event loop.

One heap holds engine events (``call_at``/``call_later``) and sleepers (``await sleep``), fired
in ``(time, sequence)`` order. One clock may serve several threads at once
(docs/fake/http.md, "One fake, several threads"), so:

- ``_lock`` guards the heap and the per-loop records. Callbacks never run under it, so a
  callback may schedule more timers, and a thread holding the fake's lock may schedule too.
- ``_firing`` lets one thread at a time fire timers, so they run in order even when two loops
  find the same timers due. Lock order: ``_firing``, then the fake's lock (inside engine
  callbacks), then ``_lock``; nothing takes them the other way round.
- A sleeper is woken on its own loop: directly when the firing code runs on that loop, with
  ``call_soon_threadsafe`` from anywhere else (an asyncio future is not thread-safe, and a
  loop blocked in ``select`` only notices a wake-up sent that way).

This module never reads real time; ``RealClock`` in :mod:`fakevmss._clock` does.
"""

from __future__ import annotations

import asyncio
import heapq
import threading
import types
from collections.abc import Callable, Generator
from datetime import datetime, timedelta
from typing import Any

__all__ = ["HeapClock", "LoopState", "TimerHandle", "call_on", "running_loop"]

Loop = asyncio.AbstractEventLoop


class TimerHandle:
    """A scheduled callback on a clock; ``cancel()`` stops it from running."""

    __slots__ = ("_clock", "callback", "cancelled", "loop", "when")

    def __init__(
        self, clock: HeapClock, when: float, callback: Callable[[], None], loop: Loop | None
    ) -> None:
        self._clock = clock
        self.when = when
        self.callback = callback
        self.cancelled = False
        #: The event loop of a sleeper; None for an engine event.
        self.loop = loop

    @property
    def sleeper(self) -> bool:
        """Whether a task sleeps on this timer (rather than an engine event)."""
        return self.loop is not None

    def cancel(self) -> None:
        """Stop the callback from running (idempotent, from any thread)."""
        with self._clock._lock:
            if not self.cancelled:
                self.cancelled = True
                self._clock._forget(self)

    def __repr__(self) -> str:
        state = " cancelled" if self.cancelled else ""
        return f"<TimerHandle when={self.when:.3f}{state}>"


class LoopState:
    """What a clock keeps about one event loop that sleeps on it (subclassed per clock)."""

    __slots__ = ("sleepers",)

    def __init__(self) -> None:
        self.sleepers = 0  # live sleepers of this loop


def running_loop() -> Loop | None:
    """The event loop running in this thread, or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def call_on(loop: Loop, callback: Callable[..., None], *args: Any) -> bool:
    """Queue ``callback(*args)`` on ``loop`` from any thread; False if the loop is closed."""
    try:
        if running_loop() is loop:
            loop.call_soon(callback, *args)
        else:
            loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # closed: nothing will ever run there again
        return False
    return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Wake:
    """Timer callback that wakes a sleeping task on its own loop."""

    __slots__ = ("future", "loop")

    def __init__(self, future: asyncio.Future[None], loop: Loop) -> None:
        self.future = future
        self.loop = loop

    def __call__(self) -> None:
        if running_loop() is self.loop:
            _resolve(self.future)
        else:
            call_on(self.loop, _resolve, self.future)


@types.coroutine
def _yield_once() -> Generator[None, None, None]:
    """Give the event loop one pass (what a zero-second sleep does)."""
    yield


class HeapClock:
    """Shared machinery: one heap of timers, fired in (time, sequence) order, thread-safe."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._start = start
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._seq = 0
        self._sleepers = 0  # live (not cancelled, not fired) sleepers, every loop together
        self._dead = 0  # cancelled entries still in the heap
        self._loops: dict[Loop, Any] = {}  # loop -> its LoopState (a subclass per clock)
        self._lock = threading.RLock()
        self._firing = threading.RLock()

    def now(self) -> float:
        """Seconds since the clock started."""
        raise NotImplementedError

    @property
    def speed(self) -> float:
        """Clock seconds per real second (1.0 for the virtual clock)."""
        return 1.0

    def utcnow(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return self.to_datetime(self.now())

    def to_datetime(self, t: float) -> datetime:
        """Clock seconds ``t`` as an aware UTC datetime."""
        return self._start + timedelta(seconds=t)

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback()`` when the clock reaches ``when`` (never before; never in the past)."""
        return self._push(max(when, self.now()), callback, None)

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback()`` ``delay`` seconds from now."""
        return self.call_at(self.now() + max(0.0, delay), callback)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock; 0 or less just yields to the event loop once."""
        if seconds <= 0:
            await _yield_once()
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        handle = self._push(self.now() + seconds, _Wake(future, loop), loop)
        try:
            await future
        finally:
            handle.cancel()  # no-op once fired; removes a cancelled task's timer

    # -- heap machinery (every method below runs under _lock unless it says otherwise) ----

    def _push(self, when: float, callback: Callable[[], None], loop: Loop | None) -> TimerHandle:
        handle = TimerHandle(self, when, callback, loop)
        with self._lock:
            self._seq += 1
            heapq.heappush(self._heap, (when, self._seq, handle))
            if loop is not None:
                self._sleepers += 1
                state = self._state(loop)
                state.sleepers += 1
                self._sleeper_added(loop, state)
            self._timer_pushed(when)
        return handle

    def _state(self, loop: Loop) -> Any:
        state = self._loops.get(loop)
        if state is None:
            state = self._loops[loop] = self._new_state()
        return state

    def _forget(self, handle: TimerHandle) -> None:
        """Account for a handle cancelled while still in the heap."""
        if handle.loop is not None:
            self._sleepers -= 1
            state = self._loops.get(handle.loop)
            if state is not None:
                state.sleepers -= 1
                self._sleeper_cancelled(handle.loop, state)
        self._dead += 1
        if self._dead > 64 and self._dead * 2 > len(self._heap):
            self._heap = [entry for entry in self._heap if not entry[2].cancelled]
            heapq.heapify(self._heap)
            self._dead = 0

    def _pop_due(self, until: float, *, need_sleeper: bool = False) -> TimerHandle | None:
        """Remove and return the next live timer due at or before ``until`` (takes _lock).

        ``need_sleeper``: return None at once when nobody sleeps on the clock.
        """
        with self._lock:
            heap = self._heap
            while heap and heap[0][0] <= until and not (need_sleeper and not self._sleepers):
                handle = heapq.heappop(heap)[2]
                if handle.cancelled:
                    self._dead -= 1
                    continue
                handle.cancelled = True  # fired: a later cancel() must not count it again
                if handle.loop is not None:
                    self._sleepers -= 1
                    state = self._loops.get(handle.loop)
                    if state is not None:
                        state.sleepers -= 1
                return handle
            return None

    def _earliest(self) -> float | None:
        """When the earliest live timer is due (drops cancelled entries from the top)."""
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
            self._dead -= 1
        return self._heap[0][0] if self._heap else None

    def _purge_closed(self) -> None:
        """Forget loops that were closed (their sleepers can never be woken)."""
        for loop in [loop for loop in self._loops if loop.is_closed()]:
            del self._loops[loop]

    # -- hooks for the clocks -----------------------------------------------------------

    def _new_state(self) -> LoopState:
        return LoopState()

    def _timer_pushed(self, when: float) -> None:
        """A timer was scheduled (RealClock arms its loop timers)."""

    def _sleeper_added(self, loop: Loop, state: Any) -> None:
        """A task of ``loop`` started sleeping (VirtualClock queues an idle check)."""

    def _sleeper_cancelled(self, loop: Loop, state: Any) -> None:
        """A task of ``loop`` stopped sleeping before its time (it was cancelled)."""
