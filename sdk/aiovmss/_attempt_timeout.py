"""The per-attempt network timeout, on the clock of the transport's I/O.

Network I/O takes the time of the clock it runs on, whatever clock the caller waits on: real
time on the event loop for aiohttp and httpx, the fake's clock for ``fake.transport()`` (see
docs/client/clock.md). On the loop's real time one shared timer watches every attempt in flight
(:class:`~aiovmss._deadlines.DeadlineWatch`); on any other clock a watchdog task sleeps on it.
"""

from __future__ import annotations

import asyncio

from aiovmss._clock import Clock, LoopClock
from aiovmss._deadlines import DeadlineWatch
from aiovmss._logging import redact_url
from aiovmss.errors import ServiceResponseError
from aiovmss.transport import AsyncTransport, HttpRequest, HttpResponse

__all__ = ["AttemptTimeout"]


class AttemptTimeout:
    """Limits each attempt's ``transport.send`` to a number of seconds on ``io_clock``.

    Args:
        io_clock: the clock the transport's I/O runs on (``None``: the event loop's real time).
    """

    __slots__ = ("_on_loop", "io_clock", "watch")

    def __init__(self, io_clock: Clock | None) -> None:
        self.io_clock: Clock = io_clock if io_clock is not None else LoopClock()
        self._on_loop = type(self.io_clock) is LoopClock
        #: The shared timer of the loop's real time, made on first use in each loop.
        self.watch: DeadlineWatch | None = None

    async def send(
        self, transport: AsyncTransport, request: HttpRequest, limit: float | None
    ) -> HttpResponse:
        """``transport.send(request)``, raising ``ServiceResponseError`` after ``limit`` s."""
        if limit is None:
            return await transport.send(request)
        if not self._on_loop:
            return await self._send_on_clock(transport, request, limit=limit)
        # asyncio.timeout semantics with one shared timer (see aiovmss._deadlines: cheaper),
        # inline rather than one more coroutine per request (benchmarks/client_bench.py, "get"
        # and "concurrent"; tests/sdk/test_io_clock.py checks it agrees with the watchdog path).
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        watch = self.watch
        if watch is None or watch.loop is not loop:
            watch = self.watch = DeadlineWatch(loop)
        cancelling = task.cancelling()
        watch.watch(task, loop.time() + limit)
        try:
            return await transport.send(request)
        except asyncio.CancelledError:
            if watch.unwatch(task) and task.uncancel() <= cancelling:
                raise _timed_out(request, limit) from None
            raise
        finally:
            if watch.unwatch(task):  # it fired as the send finished: withdraw its cancel
                task.uncancel()

    async def _send_on_clock(
        self, transport: AsyncTransport, request: HttpRequest, *, limit: float
    ) -> HttpResponse:
        # A watchdog on the transport's I/O clock cancels this task, as asyncio.timeout does
        # on the loop's. The send runs in this task, so a transport that answers without suspending
        # finishes before the watchdog ever starts (no sleep is even scheduled on the clock).
        # Its cancel is withdrawn exactly as on the loop clock (see send).
        task = asyncio.current_task()
        assert task is not None
        cancelling = task.cancelling()
        fired = False

        async def watchdog() -> None:
            nonlocal fired
            await self.io_clock.sleep(limit)
            fired = True
            task.cancel()

        watcher = asyncio.ensure_future(watchdog())
        try:
            return await transport.send(request)
        except asyncio.CancelledError:
            if fired:
                fired = False
                if task.uncancel() <= cancelling:
                    raise _timed_out(request, limit) from None
            raise
        finally:
            watcher.cancel()
            if fired:  # it fired as the send finished: withdraw its cancel
                task.uncancel()

    def __repr__(self) -> str:
        return f"AttemptTimeout({self.io_clock!r})"


def _timed_out(request: HttpRequest, timeout: float) -> ServiceResponseError:
    return ServiceResponseError(
        f"{request.method} {redact_url(request.url)} timed out after {timeout:g} s"
    )
