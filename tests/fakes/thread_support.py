"""Run coroutines on threads of their own, each with its own event loop, without ever hanging."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

#: Generous: every use finishes in about a second; only a hang gets anywhere near this.
HANG_GUARD = 120.0


def run_in_threads(
    *jobs: Callable[[], Coroutine[Any, Any, Any]], budget: float = HANG_GUARD
) -> list[Any]:
    """Run each coroutine function with ``asyncio.run`` on its own thread; results in order.

    Fails (an AssertionError naming what it saw) if a thread is still running after ``budget``
    seconds: the threads are daemons, so a hang fails the test instead of hanging the run.
    """
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = asyncio.run(jobs[index]())
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=budget)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"{stuck} still running after {budget} s"
    assert not errors, errors
    return results
