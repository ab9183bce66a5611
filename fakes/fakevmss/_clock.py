"""The fake's clocks: a virtual clock that auto-advances, and a real clock with a speed factor.

This is the only module of the fake that reads real time (``RealClock``); everything else asks
a clock. Both clocks keep ONE heap of timers (:mod:`fakevmss._timers`): engine events
(``call_at``/``call_later``) and sleepers (``await sleep``), fired in ``(time, sequence)`` order.
Both may be shared by several threads, each running its own event loop
(docs/fake/http.md, "One fake, several threads").
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from time import monotonic as _real_monotonic
from typing import Any

from fakevmss._timers import HeapClock, LoopState, TimerHandle, call_on, running_loop

__all__ = ["DEFAULT_START", "RealClock", "TimerHandle", "VirtualClock"]

#: Where clocks start unless told otherwise: 2026-01-01T00:00:00Z.
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)

#: Idle checks that find the loop busy this many times in a row on a loop without a
#: readable ready queue jump anyway (only for event loops other than CPython's).
_FALLBACK_PASSES = 3

Loop = asyncio.AbstractEventLoop


class _IdleState(LoopState):
    """A loop sleeping on a VirtualClock, and whether it has been idle since it last acted."""

    __slots__ = ("settled",)

    def __init__(self) -> None:
        super().__init__()
        self.settled = False  # its last idle check found it idle, and nothing happened since


class _IdleWatch:
    """The one idle check queued on a loop, shared by every VirtualClock that asked for it.

    One check per clock would livelock: each would find the others' in the ready queue and
    call the loop busy forever.
    """

    __slots__ = ("busy_passes", "clocks")

    def __init__(self) -> None:
        self.clocks: set[VirtualClock] = set()
        self.busy_passes = 0


_watches: dict[Loop, _IdleWatch] = {}
_watches_lock = threading.Lock()


def _request_idle_check(loop: Loop, clock: VirtualClock) -> bool:
    """Have ``clock._loop_idle(loop)`` called once ``loop`` is idle; False if it is closed."""
    with _watches_lock:
        watch = _watches.get(loop)
        if watch is not None:
            watch.clocks.add(clock)
            return True
        for closed in [other for other in _watches if other.is_closed()]:
            del _watches[closed]
        watch = _watches[loop] = _IdleWatch()
        watch.clocks.add(clock)
    if call_on(loop, _idle_check, loop):
        return True
    with _watches_lock:
        _watches.pop(loop, None)
    return False


def _idle_check(loop: Loop) -> None:
    with _watches_lock:
        watch = _watches.get(loop)
        if watch is None:
            return
        if _loop_busy(loop, watch):
            loop.call_soon(_idle_check, loop)
            return
        del _watches[loop]
    for clock in watch.clocks:
        clock._loop_idle(loop)


def _loop_busy(loop: Loop, watch: _IdleWatch) -> bool:
    ready: Any = getattr(loop, "_ready", None)
    if ready is not None:
        return len(ready) > 0
    watch.busy_passes += 1
    return watch.busy_passes < _FALLBACK_PASSES


class VirtualClock(HeapClock):
    """A clock that only moves when told to, or when every task waits on it.

    Time starts at 0.0 (``start``, default 2026-01-01T00:00Z, on the wire) and never goes back:
    ``advance()`` refuses negative values. Engine events (``call_at``/``call_later``) and sleepers
    share one heap and fire in (time, scheduling order).

    Auto-jump rule (``auto_advance=True``, the default; trio's ``MockClock`` with
    ``autojump_threshold=0`` is the model): whenever a task sleeps on this clock, an idle check
    is queued on its event loop. If, when it runs, the loop has nothing else ready to run, the
    clock jumps to the earliest sleeper's deadline, firing every event due on the way, and wakes
    every sleeper due at that instant. So two tasks sleeping 30 s together advance time by 30 s.
    Real-time timers and I/O of the loop are ignored (a task waiting on a socket or a thread
    does not hold the clock back), and once nobody sleeps on the clock (after one check that
    follows the last wake-up) no check is queued, so an idle or abandoned clock never keeps the
    loop busy. Engine events alone never make the clock jump: they run when a sleeper's jump or
    ``advance()`` passes them.

    Several loops (one per thread) may sleep on one clock: it then jumps only once every loop
    with a sleeper is idle, and a loop whose task was just woken holds it until that task has
    run to its next wait. Wake-ups reach another thread's loop with ``call_soon_threadsafe``.
    A loop that stopped running holds nothing back.

    Attributes:
        auto_advance: whether idle jumps happen (``advance()`` always works).
    """

    def __init__(self, *, start: datetime = DEFAULT_START, auto_advance: bool = True) -> None:
        super().__init__(start)
        self._now = 0.0
        self.auto_advance = auto_advance

    def now(self) -> float:
        """Virtual seconds since the clock started."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing due events and waking due sleepers in order.

        Works without a running event loop, and from any thread (woken tasks resume once their
        loop runs).

        Raises:
            ValueError: ``seconds`` is negative (time never goes back).
        """
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by a negative amount ({seconds})")
        with self._firing:
            target = self._now + seconds
            while (handle := self._pop_due(target)) is not None:
                self._fire(handle)
            self._now = max(self._now, target)

    def _fire(self, handle: TimerHandle) -> None:
        """Run one popped timer (under ``_firing``); a woken loop holds the clock."""
        self._now = max(self._now, handle.when)
        handle.callback()
        if handle.loop is not None:
            with self._lock:
                state = self._state(handle.loop)
                state.settled = False
                self._queue_check(handle.loop, state)

    def _jump(self) -> None:
        """Fire timers in order up to the first sleeper's wake-up and everything due with it."""
        woke_at: float | None = None
        while True:
            until = float("inf") if woke_at is None else woke_at
            handle = self._pop_due(until, need_sleeper=woke_at is None)
            if handle is None:
                return
            self._fire(handle)
            if handle.loop is not None:
                woke_at = handle.when

    # -- idle checks (each runs on the loop it checks) ------------------------------------

    def _new_state(self) -> _IdleState:
        return _IdleState()

    def _sleeper_added(self, loop: Loop, state: _IdleState) -> None:
        state.settled = False
        self._queue_check(loop, state)

    def _sleeper_cancelled(self, loop: Loop, state: _IdleState) -> None:
        self._sleeper_added(loop, state)

    def _queue_check(self, loop: Loop, state: _IdleState) -> None:
        if not _request_idle_check(loop, self):
            del self._loops[loop]  # closed

    def _loop_idle(self, loop: Loop) -> None:
        """``loop`` has nothing ready to run: settle it, and jump if every loop is settled."""
        with self._lock:
            state: _IdleState | None = self._loops.get(loop)
            if state is None:
                return
            if state.sleepers:
                state.settled = True
            else:  # nobody of this loop sleeps: it holds nothing back, and needs no checks
                del self._loops[loop]
        with self._firing:  # decide and jump at once: two idle loops must not both jump
            while self._can_jump():
                self._jump()

    def _can_jump(self) -> bool:
        """Whether somebody sleeps and every loop that could still act is idle."""
        with self._lock:
            if not (self.auto_advance and self._sleepers):
                return False
            self._purge_closed()
            return all(s.settled or not loop.is_running() for loop, s in self._loops.items())

    def __repr__(self) -> str:
        return f"<VirtualClock now={self._now:.3f}s ({self.utcnow().isoformat()})>"


class _TimerState(LoopState):
    """A loop that fires a RealClock's timers: its one armed loop timer."""

    __slots__ = ("armed", "armed_for", "rearm_pending")

    def __init__(self) -> None:
        super().__init__()
        self.armed: asyncio.TimerHandle | None = None
        self.armed_for = float("inf")
        self.rearm_pending = False


class RealClock(HeapClock):
    """A clock on real time, optionally faster: ``now()`` is real elapsed seconds x ``speed``.

    For servers and demos. Timers run on the event loops that use the clock: each loop that
    sleeps on it or schedules a timer arms one loop timer for the earliest entry (so a loop's
    sleepers never depend on another thread's loop still running), and the first loop to find
    timers due fires them. ``sleep(s)`` lasts ``s / speed`` real seconds. ``advance(s)`` is
    supported by an offset: the clock jumps ``s`` seconds ahead of real time at once, firing
    what is due; time still never goes back. Timers scheduled with no running loop fire on the
    next ``advance()``, or once a loop sleeps on the clock.
    """

    def __init__(self, speed: float = 1.0, *, start: datetime = DEFAULT_START) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed}")
        super().__init__(start)
        self._speed = float(speed)
        self._origin = _real_monotonic()
        self._offset = 0.0

    @property
    def speed(self) -> float:
        """Clock seconds per real second."""
        return self._speed

    def now(self) -> float:
        """Clock seconds since the clock was made (real elapsed x speed, plus advances)."""
        return (_real_monotonic() - self._origin) * self._speed + self._offset

    def advance(self, seconds: float) -> None:
        """Jump ``seconds`` ahead of real time, firing every timer now due (from any thread).

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by a negative amount ({seconds})")
        with self._firing:
            self._offset += seconds
            self._fire_due()
        with self._lock:  # every armed timer was set for the old offset
            self._rearm_all(float("-inf"))

    def _fire_due(self) -> None:
        with self._firing:
            while (handle := self._pop_due(self.now())) is not None:
                handle.callback()

    def _on_timer(self, loop: Loop) -> None:
        """A loop timer went off (on ``loop``): fire what is due, then arm for the next."""
        self._fire_due()
        with self._lock:
            state: _TimerState | None = self._loops.get(loop)
            if state is not None:
                state.armed = None
                self._arm_here(loop, state)

    def _rearm(self, loop: Loop) -> None:
        with self._lock:
            state: _TimerState | None = self._loops.get(loop)
            if state is not None:
                state.rearm_pending = False
                self._arm_here(loop, state)

    def _new_state(self) -> _TimerState:
        return _TimerState()

    def _timer_pushed(self, when: float) -> None:
        current = running_loop()
        if current is not None:
            self._state(current)
        self._rearm_all(when)

    def _rearm_all(self, when: float) -> None:
        """Re-arm every loop whose timer is set for later than ``when``."""
        self._purge_closed()
        current = running_loop()
        for loop, state in list(self._loops.items()):
            if when >= state.armed_for or state.rearm_pending:
                continue
            if loop is current:
                self._arm_here(loop, state)
            else:  # a loop timer may only be touched from its own thread
                state.rearm_pending = True
                if not call_on(loop, self._rearm, loop):
                    del self._loops[loop]

    def _arm_here(self, loop: Loop, state: _TimerState) -> None:
        """Arm ``loop``'s one timer for the earliest live entry (on ``loop``'s own thread)."""
        if state.armed is not None:
            state.armed.cancel()
            state.armed = None
        earliest = self._earliest()
        if earliest is None:
            state.armed_for = float("inf")
            if not state.sleepers:
                del self._loops[loop]
            return
        delay = max(0.0, (earliest - self.now()) / self._speed)
        state.armed = loop.call_at(loop.time() + delay, self._on_timer, loop)
        state.armed_for = earliest

    def __repr__(self) -> str:
        return f"<RealClock speed={self._speed} now={self.now():.3f}s>"
