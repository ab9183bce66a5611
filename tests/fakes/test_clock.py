from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from fakevmss._clock import DEFAULT_START, RealClock, VirtualClock


def test_starts_at_zero_and_default_start() -> None:
    clock = VirtualClock()
    assert clock.now() == 0.0
    assert clock.utcnow() == DEFAULT_START == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.to_datetime(90) == DEFAULT_START + timedelta(seconds=90)
    assert clock.speed == 1.0


def test_naive_start_rejected() -> None:
    with pytest.raises(ValueError):
        VirtualClock(start=datetime(2026, 1, 1))


def test_advance_negative_raises_and_time_never_goes_back() -> None:
    clock = VirtualClock()
    clock.advance(5)
    with pytest.raises(ValueError):
        clock.advance(-1)
    assert clock.now() == 5.0
    clock.call_at(1.0, lambda: None)  # in the past: runs at "now", never moves time back
    clock.advance(0)
    assert clock.now() == 5.0


def test_advance_runs_events_in_time_then_sequence_order_without_loop() -> None:
    clock = VirtualClock()
    seen: list[tuple[str, float]] = []
    clock.call_at(10, lambda: seen.append(("b", clock.now())))
    clock.call_at(5, lambda: seen.append(("a", clock.now())))
    clock.call_at(10, lambda: seen.append(("c", clock.now())))
    clock.call_later(20, lambda: seen.append(("late", clock.now())))
    clock.advance(10)
    assert seen == [("a", 5.0), ("b", 10.0), ("c", 10.0)]
    assert clock.now() == 10.0
    clock.advance(10)
    assert seen[-1] == ("late", 20.0)


def test_events_scheduled_by_events_run_in_the_same_advance() -> None:
    clock = VirtualClock()
    seen: list[float] = []

    def first() -> None:
        seen.append(clock.now())
        clock.call_later(3, lambda: seen.append(clock.now()))

    clock.call_later(2, first)
    clock.advance(10)
    assert seen == [2.0, 5.0]


def test_cancelled_event_does_not_run() -> None:
    clock = VirtualClock()
    seen: list[int] = []
    handle = clock.call_later(1, lambda: seen.append(1))
    handle.cancel()
    handle.cancel()
    clock.advance(2)
    assert seen == []


def test_repr_shows_time() -> None:
    clock = VirtualClock()
    clock.advance(1.5)
    assert "1.500" in repr(clock)
    assert "2026-01-01" in repr(clock)


async def test_two_sleepers_advance_time_once() -> None:
    clock = VirtualClock()
    await asyncio.gather(clock.sleep(30), clock.sleep(30))
    assert clock.now() == 30.0


async def test_sleepers_wake_in_deadline_order() -> None:
    clock = VirtualClock()
    order: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        order.append((name, clock.now()))

    await asyncio.gather(sleeper("c", 30), sleeper("a", 10), sleeper("b", 20))
    assert order == [("a", 10.0), ("b", 20.0), ("c", 30.0)]


async def test_sleep_zero_yields_without_moving_time() -> None:
    clock = VirtualClock()
    seen: list[str] = []

    async def other() -> None:
        seen.append("other")

    task = asyncio.ensure_future(other())
    await clock.sleep(0)
    await clock.sleep(-3)
    assert seen == ["other"]
    assert clock.now() == 0.0
    await task


async def test_engine_events_fire_during_jump() -> None:
    clock = VirtualClock()
    seen: list[float] = []
    clock.call_at(5, lambda: seen.append(clock.now()))
    clock.call_at(50, lambda: seen.append(clock.now()))
    await clock.sleep(10)
    assert seen == [5.0]
    assert clock.now() == 10.0


async def test_cancelled_sleeper_is_removed() -> None:
    clock = VirtualClock()
    task = asyncio.ensure_future(clock.sleep(1000))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock._sleepers == 0
    await clock.sleep(5)
    assert clock.now() == 5.0


async def test_no_jump_while_another_task_is_busy() -> None:
    clock = VirtualClock()
    steps: list[float] = []

    async def busy() -> None:
        for _ in range(50):
            steps.append(clock.now())
            await asyncio.sleep(0)

    await asyncio.gather(clock.sleep(100), busy())
    assert steps == [0.0] * 50
    assert clock.now() == 100.0


async def test_auto_advance_off_needs_advance() -> None:
    clock = VirtualClock(auto_advance=False)
    task = asyncio.ensure_future(clock.sleep(10))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not task.done()
    clock.advance(10)
    await task
    assert clock.now() == 10.0


async def test_ten_thousand_sleepers_complete() -> None:
    clock = VirtualClock()
    woke: list[float] = []

    async def sleeper(i: int) -> None:
        await clock.sleep(1 + i % 97)
        woke.append(clock.now())

    await asyncio.gather(*(sleeper(i) for i in range(10_000)))
    assert len(woke) == 10_000
    assert woke == sorted(woke)
    assert clock.now() == 97.0


async def test_idle_clock_leaves_no_pending_check() -> None:
    clock = VirtualClock()
    await clock.sleep(1)
    # One check runs after the wake-up (the woken loop holds the clock until it is idle); once
    # the loop really waits (a zero-delay loop timer, so nothing is ready), that check finds
    # nobody sleeping, forgets the loop and queues nothing more.
    for _ in range(2):
        done = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0, done.set_result, None)
        await done
    assert clock._loops == {}


def test_real_clock_rejects_bad_speed() -> None:
    with pytest.raises(ValueError):
        RealClock(speed=0)


def test_real_clock_advance_offsets_and_fires_events() -> None:
    clock = RealClock(speed=1.0)
    seen: list[bool] = []
    clock.call_later(3600, lambda: seen.append(True))
    clock.advance(3600)
    assert seen == [True]
    assert clock.now() >= 3600
    with pytest.raises(ValueError):
        clock.advance(-1)


async def test_real_clock_sleep_with_speed() -> None:
    clock = RealClock(speed=10_000.0)
    before = clock.now()
    await clock.sleep(5)  # 0.5 ms of real time
    assert clock.now() - before >= 5
    assert clock.speed == 10_000.0
    assert "RealClock" in repr(clock)


async def test_two_virtual_clocks_sleeping_on_one_loop_both_advance() -> None:
    """Each clock's idle check must not take the other's for work (a livelock before)."""
    first, second = VirtualClock(), VirtualClock()
    await asyncio.wait_for(asyncio.gather(first.sleep(5), second.sleep(7)), 60)  # hang guard
    assert (first.now(), second.now()) == (5.0, 7.0)
    # A clock whose sleepers all woke does not hold the next one back either.
    third = VirtualClock()
    await asyncio.wait_for(third.sleep(3), 60)
    assert third.now() == 3.0
