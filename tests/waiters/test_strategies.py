"""The public tenacity building blocks, alone and inside a real AsyncRetrying."""

from __future__ import annotations

from typing import Any

import pytest
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, wait_fixed
from waiters_stub import ManualClock, not_found, vm_body

from aiovmss.errors import ArmError, HttpResponseError, ThrottledError
from aiovmss.waiters import (
    Observation,
    ResilientCreateWindow,
    ResilientDeleteWindow,
    Verdict,
    retry_if_creation_in_progress,
    retry_if_deletion_in_progress,
    stop_after_clock_delay,
    stop_before_clock_delay,
    wait_retry_after_or,
)


def state_with(*, result: Any = None, error: BaseException | None = None) -> RetryCallState:
    state = RetryCallState(retry_object=AsyncRetrying(), fn=None, args=(), kwargs={})
    if error is not None:
        state.set_exception((type(error), error, None))
    else:
        state.set_result(result)
    return state


def test_delete_window_matches_design_schedule() -> None:
    window = ResilientDeleteWindow()
    assert window.retries == 5
    # user's attempt at 0; retries at 60, 720, 1980, 4440, 9300 (each 60 s + delay after).
    assert window.schedule() == (0.0, 60.0, 720.0, 1980.0, 4440.0, 9300.0)
    assert window.horizon == 156 * 60
    short = ResilientDeleteWindow(retry_delays=(0.0, 5.0), attempt_duration=1.0)
    assert short.horizon == 3 * 1.0 + 0.0 + 5.0  # three attempts and the delays


def test_delete_window_from_timings_reads_attributes() -> None:
    class Timings:
        delete_attempt = 30.0
        delete_retry_delays = (0.0, 60.0)

    window = ResilientDeleteWindow.from_timings(Timings())
    assert window.attempt_duration == 30.0 and window.retry_delays == (0.0, 60.0)
    assert ResilientDeleteWindow.from_timings(object()) == ResilientDeleteWindow()


def test_create_window() -> None:
    assert ResilientCreateWindow().horizon == 1800.0
    assert ResilientCreateWindow().attempts == 5

    class Timings:
        create_max_attempts = 3
        create_time_limit = 600.0

    assert ResilientCreateWindow.from_timings(Timings()) == ResilientCreateWindow(3, 600.0)


def test_windows_match_the_fake_timings() -> None:
    timings = pytest.importorskip("fakevmss").Timings()
    assert ResilientDeleteWindow.from_timings(timings).horizon == 156 * 60
    assert ResilientCreateWindow.from_timings(timings) == ResilientCreateWindow()
    short = ResilientDeleteWindow.from_timings(
        type(timings)(delete_max_retries=2, delete_attempt=10.0)
    )
    assert short.retry_delays == (0.0, 600.0) and short.horizon == 3 * 10.0 + 600.0


def test_stop_after_clock_delay_uses_the_clock_not_monotonic() -> None:
    clock = ManualClock()
    stop = stop_after_clock_delay(100, clock)
    state = state_with(result=None)
    assert not stop(state)  # first consultation fixes the start at 0
    clock.time = 99.0
    assert not stop(state)
    clock.time = 100.0
    assert stop(state)
    other = state_with(result=None)
    assert not stop(other)  # a new run starts its own count


def test_stop_before_clock_delay_never_oversleeps() -> None:
    clock = ManualClock()
    stop = stop_before_clock_delay(100, clock, start=0.0)
    state = state_with(result=None)
    clock.time = 70.0
    state.upcoming_sleep = 30.0
    assert not stop(state)
    state.upcoming_sleep = 31.0
    assert stop(state)


def test_wait_retry_after_or_takes_the_longer() -> None:
    wait = wait_retry_after_or(wait_fixed(30))
    assert wait(state_with(result=Observation(0.0))) == 30.0
    assert wait(state_with(result=Observation(0.0, retry_after=10.0))) == 30.0
    assert wait(state_with(result=Observation(0.0, retry_after=90.0))) == 90.0
    throttled = ThrottledError("429", status_code=429, retry_after=45.0)
    assert wait(state_with(error=throttled)) == 45.0
    capped = wait_retry_after_or(wait_fixed(30), cap=60.0)
    assert capped(state_with(result=Observation(0.0, retry_after=600.0))) == 60.0


def test_deletion_predicate_on_observations_models_and_errors() -> None:
    retry = retry_if_deletion_in_progress()
    assert retry(state_with(result=Observation(0, verdict=Verdict.IN_PROGRESS)))
    assert not retry(state_with(result=Observation(0, verdict=Verdict.DELETED)))
    assert retry(state_with(result=vm_body("1", ("Failed", "InProgress"))))
    assert not retry(state_with(result=vm_body("1", ("Failed", "Failed"))))
    assert not retry(state_with(error=not_found("VM 1")))
    assert retry(state_with(error=ThrottledError("429", status_code=429)))
    server = HttpResponseError("500", status_code=500, error=ArmError("InternalServerError"))
    assert retry(state_with(error=server))
    assert not retry(state_with(error=HttpResponseError("400", status_code=400)))


def test_deletion_predicate_times_bare_failed_on_its_clock() -> None:
    clock = ManualClock()
    retry = retry_if_deletion_in_progress(clock=clock, horizon=600.0)
    state = state_with(result=vm_body("1", ("Failed", None)))
    assert retry(state)
    clock.time = 599.0
    assert retry(state)
    clock.time = 600.0
    assert not retry(state)


def test_deletion_predicate_takes_a_late_failed_as_final() -> None:
    clock = ManualClock()
    retry = retry_if_deletion_in_progress(clock=clock, horizon=600.0)
    state = state_with(result=vm_body("1", ("Running", None)))
    assert retry(state)
    clock.time = 650.0
    assert retry(state)
    # First Failed a horizon after the run started: final, no second horizon.
    state.set_result(vm_body("1", ("Failed", None)))
    assert not retry(state)


def test_creation_predicate() -> None:
    retry = retry_if_creation_in_progress()
    assert retry(state_with(result=vm_body("0", ("Creating", None))))
    assert not retry(state_with(result=vm_body("0", ("Succeeded", None))))
    assert not retry(state_with(result=vm_body("0", ("Failed", None))))
    assert retry(state_with(error=not_found("VM 0")))
    assert not retry(state_with(error=HttpResponseError("403", status_code=403)))


async def test_building_blocks_compose_in_async_retrying() -> None:
    clock = ManualClock()
    states = iter([("Deleting", "InProgress"), ("Failed", "InProgress"), ("Running", "InProgress")])

    async def get() -> dict[str, Any]:
        state = next(states, None)
        if state is None:
            raise not_found("VM 7")
        return vm_body("7", state)

    retrying = AsyncRetrying(
        sleep=clock.sleep,
        stop=stop_after_clock_delay(3600, clock) | stop_after_attempt(100),
        wait=wait_retry_after_or(wait_fixed(30)),
        retry=retry_if_deletion_in_progress(clock=clock),
        reraise=True,
    )
    with pytest.raises(type(not_found("x"))):
        await retrying(get)
    assert clock.sleeps == [30.0, 30.0, 30.0]
