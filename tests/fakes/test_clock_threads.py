"""One clock, several event loops (one per thread): wake-ups cross threads, nobody oversleeps.

Each test bounds its wait with a thread join timeout (or ``asyncio.wait_for``) purely as a
hang guard: a clock that loses a wake-up fails the test instead of hanging CI.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from thread_support import HANG_GUARD, run_in_threads

from fakevmss import RealClock, VirtualClock


def test_advance_from_another_thread_wakes_a_loop_blocked_in_select() -> None:
    clock = VirtualClock(auto_advance=False)
    sleeping = threading.Event()

    async def sleeper() -> float:
        asyncio.get_running_loop().call_soon(sleeping.set)  # runs once the timer is pushed
        await clock.sleep(10)
        return clock.now()

    def advance_when_asleep() -> Coroutine[Any, Any, None]:
        async def go() -> None:
            assert await asyncio.to_thread(sleeping.wait, HANG_GUARD)
            clock.advance(10)

        return go()

    woke, _ = run_in_threads(sleeper, advance_when_asleep)
    assert woke == 10.0


@pytest.mark.parametrize("seed", [1, 2])
def test_sleepers_of_several_loops_wake_exactly_at_their_deadlines(seed: int) -> None:
    """Auto-advance with three loops: no jump passes anyone's deadline, each wakes on time."""
    clock = VirtualClock()
    plans = [[random.Random(seed * 10 + i).randint(1, 40) for _ in range(30)] for i in range(3)]

    def job(plan: list[int]) -> Callable[[], Coroutine[Any, Any, list[tuple[float, float]]]]:
        async def sleep_through() -> list[tuple[float, float]]:
            seen = []
            for seconds in plan:
                deadline = clock.now() + seconds
                await clock.sleep(seconds)
                seen.append((deadline, clock.now()))
            return seen

        return sleep_through

    results = run_in_threads(*(job(plan) for plan in plans))
    for seen in results:
        assert [woke for _, woke in seen] == [deadline for deadline, _ in seen]
    assert clock.now() == max(seen[-1][1] for seen in results)


def _sleep_for(clock: VirtualClock, seconds: float) -> float:
    async def sleep() -> float:
        await clock.sleep(seconds)
        return clock.now()

    return float(run_in_threads(sleep)[0])


def test_a_stopped_loop_holds_nothing_back_and_resumes_later() -> None:
    clock = VirtualClock()
    other = asyncio.new_event_loop()
    try:
        parked = other.create_task(clock.sleep(50))
        other.run_until_complete(asyncio.sleep(0))  # the task is asleep; the loop stops
        assert _sleep_for(clock, 100) == 100.0
        assert not parked.done()  # its wake-up waits on the stopped loop
        other.run_until_complete(parked)
    finally:
        other.close()


def test_a_closed_loop_with_a_sleeper_holds_nothing_back() -> None:
    clock = VirtualClock()
    other = asyncio.new_event_loop()

    async def park() -> Any:
        sleeping = clock.sleep(50)
        sleeping.send(None)  # asleep: its timer is pushed and its future waits on `other`
        return sleeping

    sleeping = other.run_until_complete(park())
    other.close()  # nobody will ever wake that sleeper
    try:
        assert _sleep_for(clock, 100) == 100.0
        assert other not in clock._loops
    finally:
        sleeping.close()


async def test_real_clock_sleeper_wakes_after_the_loop_that_armed_first_closed() -> None:
    """A loop armed for an early event ends; a later sleeper on another loop still wakes."""
    clock = RealClock(speed=1_000)
    fired: list[float] = []

    async def schedule_and_leave() -> None:
        clock.call_later(1, lambda: fired.append(clock.now()))

    run_in_threads(lambda: schedule_and_leave())
    await asyncio.wait_for(clock.sleep(2), HANG_GUARD)  # 2 ms of real time
    assert len(fired) == 1


def test_real_clock_sleepers_on_three_loops_all_wake_on_time() -> None:
    clock = RealClock(speed=10_000)

    def job(seconds: float) -> Callable[[], Coroutine[Any, Any, list[bool]]]:
        async def sleep_often() -> list[bool]:
            on_time = []
            for _ in range(20):
                deadline = clock.now() + seconds
                await clock.sleep(seconds)
                on_time.append(clock.now() >= deadline)
            return on_time

        return sleep_often

    assert run_in_threads(job(1), job(3), job(7)) == [[True] * 20] * 3
