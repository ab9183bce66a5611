"""The clock every wait and deadline of the client goes through."""

from __future__ import annotations

import asyncio
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "LoopClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` in seconds and ``async sleep(seconds)``.

    ``fakevmss.VirtualClock`` is one; so is :class:`LoopClock`, the default.
    """

    def now(self) -> float:
        """Seconds on this clock's own scale (only differences matter)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock."""
        ...


class LoopClock:
    """The default clock: the running event loop's time and :func:`asyncio.sleep`."""

    __slots__ = ()

    def now(self) -> float:
        """The event loop's monotonic time."""
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "LoopClock()"
