"""The fake's clocks: a virtual clock that auto-advances, and a real clock with a speed factor.

This is the only module of the fake that reads real time (``RealClock``); everything else asks
a clock. Both clocks keep ONE heap of timers: engine events (``call_at``/``call_later``) and
sleepers (``await sleep``), fired in ``(time, sequence)`` order.
"""

from __future__ import annotations

import asyncio
import heapq
import types
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
from time import monotonic as _real_monotonic
from typing import Any

__all__ = ["DEFAULT_START", "RealClock", "TimerHandle", "VirtualClock"]

#: Where clocks start unless told otherwise: 2026-01-01T00:00:00Z.
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)

#: Idle checks that find the loop busy this many times in a row on a loop without a
#: readable ready queue jump anyway (only for event loops other than CPython's).
_FALLBACK_PASSES = 3


class TimerHandle:
    """A scheduled callback on a clock; ``cancel()`` stops it from running."""

    __slots__ = ("_clock", "callback", "cancelled", "sleeper", "when")

    def __init__(
        self, clock: _HeapClock, when: float, callback: Callable[[], None], sleeper: bool
    ) -> None:
        self._clock = clock
        self.when = when
        self.callback = callback
        self.cancelled = False
        self.sleeper = sleeper

    def cancel(self) -> None:
        """Stop the callback from running (idempotent)."""
        if not self.cancelled:
            self.cancelled = True
            self._clock._forget(self)

    def __repr__(self) -> str:
        state = " cancelled" if self.cancelled else ""
        return f"<TimerHandle when={self.when:.3f}{state}>"


@types.coroutine
def _yield_once() -> Generator[None, None, None]:
    """Give the event loop one pass (what a zero-second sleep does)."""
    yield


class _HeapClock:
    """Shared machinery: one heap of timers, fired in (time, sequence) order."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._start = start
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._seq = 0
        self._sleepers = 0  # live (not cancelled, not fired) sleepers
        self._dead = 0  # cancelled entries still in the heap

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
        return self._push(max(when, self.now()), callback, sleeper=False)

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
        handle = self._push(self.now() + seconds, _Wake(future), sleeper=True)
        self._sleeper_added(loop)
        try:
            await future
        finally:
            handle.cancel()  # no-op once fired; removes a cancelled task's timer

    # -- heap machinery ----------------------------------------------------------------

    def _push(self, when: float, callback: Callable[[], None], *, sleeper: bool) -> TimerHandle:
        handle = TimerHandle(self, when, callback, sleeper)
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, handle))
        if sleeper:
            self._sleepers += 1
        self._timer_pushed(when)
        return handle

    def _forget(self, handle: TimerHandle) -> None:
        """Account for a handle cancelled while still in the heap."""
        if handle.sleeper:
            self._sleepers -= 1
        self._dead += 1
        if self._dead > 64 and self._dead * 2 > len(self._heap):
            self._heap = [entry for entry in self._heap if not entry[2].cancelled]
            heapq.heapify(self._heap)
            self._dead = 0

    def _pop_due(self, until: float) -> TimerHandle | None:
        """Remove and return the next live timer due at or before ``until``."""
        heap = self._heap
        while heap and heap[0][0] <= until:
            handle = heapq.heappop(heap)[2]
            if handle.cancelled:
                self._dead -= 1
                continue
            handle.cancelled = True  # fired: a later cancel() must not count it again
            if handle.sleeper:
                self._sleepers -= 1
            return handle
        return None

    def _timer_pushed(self, when: float) -> None:
        """Hook: a timer was scheduled (RealClock re-arms its loop timer)."""

    def _sleeper_added(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hook: a task started sleeping (VirtualClock schedules an idle check)."""


class _Wake:
    """Timer callback that wakes a sleeping task."""

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[None]) -> None:
        self.future = future

    def __call__(self) -> None:
        if not self.future.done():
            self.future.set_result(None)


class VirtualClock(_HeapClock):
    """A clock that only moves when told to, or when every task waits on it.

    Time starts at 0.0 (``start``, default 2026-01-01T00:00Z, on the wire) and never goes back:
    ``advance()`` refuses negative values. Engine events (``call_at``/``call_later``) and sleepers
    share one heap and fire in (time, scheduling order).

    Auto-jump rule (``auto_advance=True``, the default; trio's ``MockClock`` with
    ``autojump_threshold=0`` is the model): whenever a task sleeps on this clock, an idle check
    is queued on the event loop. If, when it runs, the loop has nothing else ready to run, the
    clock jumps to the earliest sleeper's deadline, firing every event due on the way, and wakes
    every sleeper due at that instant. So two tasks sleeping 30 s together advance time by 30 s.
    Real-time timers and I/O of the loop are ignored (a task waiting on a socket or a thread
    does not hold the clock back), and no check is queued while nobody sleeps on the clock, so
    an idle or abandoned clock never keeps the loop busy. Engine events alone never make the
    clock jump: they run when a sleeper's jump or ``advance()`` passes them.

    Attributes:
        auto_advance: whether idle jumps happen (``advance()`` always works).
    """

    def __init__(self, *, start: datetime = DEFAULT_START, auto_advance: bool = True) -> None:
        super().__init__(start)
        self._now = 0.0
        self.auto_advance = auto_advance
        self._check_pending = False
        self._busy_passes = 0

    def now(self) -> float:
        """Virtual seconds since the clock started."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing due events and waking due sleepers in order.

        Works without a running event loop (woken tasks resume once their loop runs).

        Raises:
            ValueError: ``seconds`` is negative (time never goes back).
        """
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by a negative amount ({seconds})")
        self._run_until(self._now + seconds)

    def _run_until(self, target: float) -> None:
        while (handle := self._pop_due(target)) is not None:
            self._now = max(self._now, handle.when)
            handle.callback()
        self._now = max(self._now, target)

    def _sleeper_added(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.auto_advance and not self._check_pending:
            self._check_pending = True
            loop.call_soon(self._idle_check, loop)

    def _idle_check(self, loop: asyncio.AbstractEventLoop) -> None:
        self._check_pending = False
        if not self._sleepers or not self.auto_advance:
            return
        if self._loop_busy(loop):
            self._check_pending = True
            loop.call_soon(self._idle_check, loop)
            return
        self._busy_passes = 0
        self._jump()
        if self._sleepers:  # the others wait for the next idle moment
            self._sleeper_added(loop)

    def _jump(self) -> None:
        """Fire timers in order up to the first sleeper's wake-up and everything due with it."""
        woke_at: float | None = None
        while self._heap and (woke_at is not None or self._sleepers):
            when = self._heap[0][0]
            if woke_at is not None and when > woke_at:
                break
            handle = self._pop_due(when)
            if handle is None:
                continue
            self._now = max(self._now, handle.when)
            handle.callback()
            if handle.sleeper:
                woke_at = handle.when

    def _loop_busy(self, loop: asyncio.AbstractEventLoop) -> bool:
        ready: Any = getattr(loop, "_ready", None)
        if ready is not None:
            return len(ready) > 0
        self._busy_passes += 1
        return self._busy_passes < _FALLBACK_PASSES

    def __repr__(self) -> str:
        return f"<VirtualClock now={self._now:.3f}s ({self.utcnow().isoformat()})>"


class RealClock(_HeapClock):
    """A clock on real time, optionally faster: ``now()`` is real elapsed seconds x ``speed``.

    For servers and demos. Timers run on the running event loop (one loop timer armed for the
    earliest entry). ``sleep(s)`` lasts ``s / speed`` real seconds. ``advance(s)`` is supported
    by an offset: the clock jumps ``s`` seconds ahead of real time at once, firing what is due;
    time still never goes back. Timers scheduled with no running loop fire on the next
    ``advance()``, or once a loop sleeps on the clock.
    """

    def __init__(self, speed: float = 1.0, *, start: datetime = DEFAULT_START) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed}")
        super().__init__(start)
        self._speed = float(speed)
        self._origin = _real_monotonic()
        self._offset = 0.0
        self._armed: asyncio.TimerHandle | None = None
        self._armed_for = float("inf")

    @property
    def speed(self) -> float:
        """Clock seconds per real second."""
        return self._speed

    def now(self) -> float:
        """Clock seconds since the clock was made (real elapsed x speed, plus advances)."""
        return (_real_monotonic() - self._origin) * self._speed + self._offset

    def advance(self, seconds: float) -> None:
        """Jump ``seconds`` ahead of real time, firing every timer now due.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by a negative amount ({seconds})")
        self._offset += seconds
        self._fire_due()

    def _fire_due(self) -> None:
        self._armed = None
        self._armed_for = float("inf")
        while (handle := self._pop_due(self.now())) is not None:
            handle.callback()
        self._arm()

    def _timer_pushed(self, when: float) -> None:
        if when < self._armed_for:
            self._arm()

    def _arm(self) -> None:
        """Arm one loop timer for the earliest live entry, if a loop is running."""
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
            self._dead -= 1
        if not self._heap:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        when = self._heap[0][0]
        if self._armed is not None:
            self._armed.cancel()
        delay = max(0.0, (when - self.now()) / self._speed)
        self._armed = loop.call_at(loop.time() + delay, self._fire_due)
        self._armed_for = when

    def __repr__(self) -> str:
        return f"<RealClock speed={self._speed} now={self.now():.3f}s>"
