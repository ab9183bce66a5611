"""The per-attempt timeout on a non-loop I/O clock withdraws its cancel as the loop path does."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sdk_support import ManualClock

from aiovmss._credentials import StaticTokenCredential
from aiovmss._pipeline import Pipeline
from aiovmss._retry import RetryPolicy
from aiovmss.errors import ServiceResponseError
from aiovmss.transport import AsyncTransport, HttpRequest, HttpResponse

URL = "https://management.azure.com/x?api-version=2024-07-01"
OP: dict[str, Any] = {"operation": "scale_sets.get", "resource": "rg/web"}


class SwallowingTransport:
    """Answers 200 even when cancelled (as a transport that catches CancelledError might)."""

    def __init__(self) -> None:
        self.io_clock = ManualClock()  # its I/O "runs" on a clock whose sleeps return at once

    async def send(self, request: HttpRequest) -> HttpResponse:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()
        return HttpResponse(200, {}, b"{}")

    async def aclose(self) -> None:
        pass


class HangingTransport:
    def __init__(self) -> None:
        self.io_clock = ManualClock()

    async def send(self, request: HttpRequest) -> HttpResponse:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        pass


def pipeline(transport: AsyncTransport) -> Pipeline:
    return Pipeline(
        transport=transport,
        credential=StaticTokenCredential("t"),
        clock=ManualClock(),
        retry=RetryPolicy(max_attempts=1, timeout=5),
    )


async def test_a_swallowed_watchdog_cancel_leaves_the_task_uncancelled() -> None:
    async def send() -> tuple[int, int]:
        response = await pipeline(SwallowingTransport()).send("GET", URL, **OP)
        task = asyncio.current_task()
        assert task is not None
        return response.status_code, task.cancelling()

    assert await asyncio.ensure_future(send()) == (200, 0)


async def test_timeout_in_a_task_that_already_swallowed_a_cancel() -> None:
    async def send() -> int:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):  # no uncancel(): cancelling() stays 1
            await asyncio.sleep(0)
        with pytest.raises(ServiceResponseError, match="timed out after 5 s"):
            await pipeline(HangingTransport()).send("GET", URL, **OP)
        return task.cancelling()

    assert await asyncio.ensure_future(send()) == 1
