"""Per-attempt deadlines on the event loop with one timer for all attempts in flight.

``asyncio.timeout`` schedules and cancels a timer handle for every request; with a 120 s limit
and millisecond requests that is pure overhead (~10 us a request, and a heap of cancelled
handles for the loop to sweep). :class:`DeadlineWatch` keeps the deadlines of the attempts in
flight in a dict and one timer armed at the earliest of them; when it fires it cancels the
overdue tasks and re-arms for the next deadline. A task that finishes only leaves the dict.
"""

from __future__ import annotations

import asyncio

__all__ = ["DeadlineWatch"]


class DeadlineWatch:
    """Cancels watched tasks that pass their deadline (the loop's clock), one timer for all.

    Usage, inside the task to limit::

        cancelling = task.cancelling()
        watch.watch(task, loop.time() + limit)
        try:
            ...  # awaits
        except asyncio.CancelledError:
            if watch.unwatch(task) and task.uncancel() <= cancelling:
                raise TimeoutError from None
            raise
        finally:
            if watch.unwatch(task):
                task.uncancel()  # fired as the work finished: drop the stale request
    """

    __slots__ = ("_armed_at", "_fired", "_handle", "_loop", "_watched")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._watched: dict[asyncio.Task[object], float] = {}
        self._fired: set[asyncio.Task[object]] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = 0.0

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop whose clock and timer this watch uses."""
        return self._loop

    def watch(self, task: asyncio.Task[object], deadline: float) -> None:
        """Cancel ``task`` once the loop's time reaches ``deadline`` (loop seconds)."""
        self._watched[task] = deadline
        if self._handle is None or deadline < self._armed_at:
            self._arm(deadline)

    def unwatch(self, task: asyncio.Task[object]) -> bool:
        """Stop watching ``task``; True (once) if this watch cancelled it."""
        if self._watched.pop(task, None) is not None:
            return False
        if task in self._fired:
            self._fired.discard(task)
            return True
        return False

    def expire(self, now: float) -> int:
        """Cancel every watched task whose deadline is ``now`` or earlier; how many."""
        overdue = [task for task, deadline in self._watched.items() if deadline <= now]
        for task in overdue:
            del self._watched[task]
            self._fired.add(task)
            task.cancel()
        return len(overdue)

    def _arm(self, deadline: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self._loop.call_at(deadline, self._on_timer)
        self._armed_at = deadline

    def _on_timer(self) -> None:
        self._handle = None
        # The loop runs a timer up to one clock tick early: everything due by now is overdue.
        self.expire(max(self._loop.time(), self._armed_at))
        if self._watched:
            self._arm(min(self._watched.values()))

    def __len__(self) -> int:
        return len(self._watched)

    def __repr__(self) -> str:
        return f"<DeadlineWatch watching={len(self._watched)} armed_at={self._armed_at:.3f}>"
