"""Timeline lanes (attempt bars, marks, windows, ticks) and fault descriptions, without HTTP."""

from __future__ import annotations

import re

import pytest

from fakevmss import FakeCompute, VirtualClock
from fakevmss._matchers import Always, AttemptAtMost, Chance, InstanceIn, ScaleSetIs
from fakevmss._state import HistoryEvent
from fakevmss._ui._faults import describe_faults
from fakevmss._ui._lanes import MIN_SPAN, Bar, Lane, Mark, Window, attempt_bars, lane, ticks
from fakevmss._ui._lanes import window_for as window_of

RG = "rg"
CODE = "InternalExecutionError"


def ev(time: float, event: str, attempt: int, code: str | None = None, forced: bool = False):
    return HistoryEvent(time, event, attempt, "x", code, forced)


def test_attempts_pair_with_what_ended_them() -> None:
    history = [
        ev(0, "create-attempt-started", 1),
        ev(480, "create-attempt-failed", 1, "OSProvisioningTimeout"),
        ev(480, "create-attempt-started", 2),
        ev(570, "created", 2),
        ev(600, "delete-requested", 0),
        ev(600, "delete-attempt-started", 1),
        ev(660, "delete-attempt-failed", 1, CODE),
        ev(660, "delete-attempt-started", 2, forced=True),
    ]
    assert attempt_bars(history) == [
        Bar("create", 1, 0, 480, "failed", "OSProvisioningTimeout"),
        Bar("create", 2, 480, 570, "succeeded"),
        Bar("delete", 1, 600, 660, "failed", CODE),
        Bar("delete", 2, 660, None, "running", None, forced=True),
    ]


def test_stopped_and_canceled_creates_and_a_finished_delete() -> None:
    history = [
        ev(0, "create-attempt-started", 1),
        ev(1800, "create-attempt-stopped", 1, "OSProvisioningTimeout"),
        ev(1800, "create-failed", 1, "OSProvisioningTimeout"),
        ev(1900, "create-attempt-started", 2),
        ev(1950, "create-canceled", 2),
        ev(1950, "delete-attempt-started", 1),
        ev(2010, "deleted", 1),
    ]
    outcomes = [(b.kind, b.outcome, b.end) for b in attempt_bars(history)]
    assert outcomes == [
        ("create", "stopped", 1800),
        ("create", "canceled", 1950),
        ("delete", "succeeded", 2010),
    ]


def test_an_end_without_a_start_is_a_zero_length_bar_and_unknown_events_are_skipped() -> None:
    bars = attempt_bars([ev(5, "something-new", 1), ev(9, "deleted", 3)])
    assert bars == [Bar("delete", 3, 9, 9, "succeeded")]


def test_bar_label_says_everything_a_tooltip_needs() -> None:
    assert (
        Bar("delete", 2, 60, 120, "failed", CODE, forced=True).label
        == f"delete #2 (forced) failed {CODE} +00:01:00 - +00:02:00"
    )
    assert Bar("create", 1, 0, None, "running").label == "create #1 running +00:00:00 - now"


def resilient_delete() -> FakeCompute:
    """VM 0 of web: its delete (from t=100) fails every time; retries 0, 10, 20, 40, 80 min on."""
    fake = FakeCompute(clock=VirtualClock(auto_advance=False))
    fake.faults.fail_delete(CODE, instances=["0"])
    fake.create_scale_set(RG, "web", capacity=2)
    fake.clock.advance(100)
    fake.backend.sets.delete_instances(fake.subscription_id, RG, "web", ["0"], force=False)
    return fake


def test_a_lane_marks_the_request_each_retry_round_the_next_retry_and_the_give_up() -> None:
    fake = resilient_delete()
    scale_set = fake.backend.scale_sets[(fake.subscription_id, RG, "web")]
    vm = scale_set.vms["0"]
    fake.clock.advance(60 + 60 + 600 + 60)  # attempt 1, retry 1, retry 2 fail; retry 3 at 2080
    rounds = [event.time for event in scale_set.history]
    first = lane(vm, rounds)
    assert [(m.kind, m.label) for m in first.marks] == [
        ("delete-requested", "delete requested"),
        ("round", "retry 1"),
        ("round", "retry 2"),
        ("next-retry", "next retry +00:34:40"),
    ]
    assert first.last == 2080  # the window reaches the retry still due
    fake.clock.advance(10_000)
    final = lane(vm, [event.time for event in scale_set.history])
    assert [bar.outcome for bar in final.bars if bar.kind == "delete"] == ["failed"] * 6
    assert [bar.forced for bar in final.bars if bar.kind == "delete"] == [False] + [True] * 5
    assert final.marks[-1] == Mark(final.marks[-1].time, "delete-retries-exhausted",
                                   f"retries exhausted {CODE}")  # fmt: skip


def test_window_spans_the_lanes_and_now_and_is_never_empty() -> None:
    busy = Lane((Bar("delete", 1, 100, 160, "failed"),), (Mark(900, "next-retry", "n"),))
    assert window_of([busy], now=500) == Window(100, 900)
    assert window_of([busy], now=2000) == Window(100, 2000)
    assert window_of([], now=42) == Window(42, 42 + MIN_SPAN)
    assert window_of([Lane((), ())], now=0) == Window(0, MIN_SPAN)
    running = Lane((Bar("create", 1, 10, None, "running"),), ())
    assert window_of([running], now=20) == Window(10, 10 + MIN_SPAN)


def test_window_positions_clamp_to_its_ends() -> None:
    window = Window(100, 300)
    assert [window.x(t) for t in (0, 100, 200, 300, 900)] == [0, 0, 0.5, 1, 1]


@pytest.mark.parametrize(
    ("start", "end", "step"),
    [(0, 60, 10), (0, 3600, 600), (120, 9360, 1800), (0, 86400 * 3, 43200), (5, 7, 1)],
)
def test_ticks_fall_on_round_steps(start: float, end: float, step: float) -> None:
    found = ticks(Window(start, end))
    assert 1 <= len(found) <= 9
    assert all(0 <= tick.x <= 1 for tick in found)
    seconds = [start + tick.x * (end - start) for tick in found]
    assert all(abs(s / step - round(s / step)) < 1e-6 for s in seconds)
    assert all(re.fullmatch(r"\+\d\d:\d\d:\d\d", tick.label) for tick in found)


def test_ticks_of_a_huge_window_stay_few() -> None:
    assert len(ticks(Window(0, 10**9))) <= 9


def test_matchers_describe_their_filters() -> None:
    matcher = Always() & ScaleSetIs("Web") & InstanceIn(["1", "0"]) & AttemptAtMost(3)
    assert matcher.describe() == "scale_set=web and instances=0,1 and attempt<=3"
    either = ScaleSetIs("a") | (ScaleSetIs("b") & ~AttemptAtMost(1))
    assert either.describe() == "scale_set=a or (scale_set=b and not attempt<=1)"
    assert (~(ScaleSetIs("a") | ScaleSetIs("b"))).describe() == "not (scale_set=a or scale_set=b)"
    assert Always().describe() == ""
    assert Chance(0.25, None).describe() == "probability=0.25"  # type: ignore[arg-type]


def test_faults_in_force_are_described_in_plan_order() -> None:
    fake = FakeCompute()
    fake.faults.throttle(retry_after=5, path=re.compile("virtualMachines$"), times=2)
    fake.faults.fail_delete(CODE, instances=["1"], fallback_state="Running")
    fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", probability=0.5)
    fake.faults.http_error(503, "ServerBusy", method="get", times=None)
    fake.faults.drop_connection(after_send=True)
    fake.faults.slow_response(2.5, path="/x")
    fake.faults.garbage_body(mode="not_json", status=200)
    assert describe_faults(fake.faults) == [
        {"kind": "fail_delete", "what": f"{CODE} (VM shows Running until retried)",
         "filters": "instances=1", "times": None},
        {"kind": "fail_create", "what": "OSProvisioningTimeout",
         "filters": "scale_set=web and probability=0.5", "times": None},
        {"kind": "throttle", "what": "429 TooManyRequests, Retry-After 5 s",
         "filters": "path~virtualMachines$", "times": 2},
        {"kind": "http_error", "what": "503 ServerBusy", "filters": "method=GET", "times": None},
        {"kind": "drop_connection", "what": "drop the connection after acting", "filters": "",
         "times": 1},
        {"kind": "slow_response", "what": "answer 2.5 s late", "filters": "path~/x", "times": 1},
        {"kind": "garbage_body", "what": "mangle the body (not_json, status 200)", "filters": "",
         "times": 1},
    ]  # fmt: skip
    fake.faults.clear()
    assert describe_faults(fake.faults) == []


def test_vm_operations_are_bars_and_skips_are_marks() -> None:
    def op(time: float, event: str, run: int, code: str | None = None) -> HistoryEvent:
        return HistoryEvent(time, event, run, "x", code, operation="restart")

    history = [
        ev(0, "create-attempt-started", 1),
        ev(90, "created", 1),
        op(100, "operation-started", 1),
        op(160, "operation-failed", 1, CODE),
        op(200, "operation-started", 2),
        op(210, "operation-preempted", 2, "OperationPreempted"),
        op(300, "operation-started", 3),
        HistoryEvent(400, "operation-skipped", 0, "x", operation="deallocate"),
    ]
    assert attempt_bars(history)[1:] == [
        Bar("restart", 1, 100, 160, "failed", CODE),
        Bar("restart", 2, 200, 210, "canceled", "OperationPreempted"),
        Bar("restart", 3, 300, None, "running"),
    ]
    fake = FakeCompute()
    view = fake.create_scale_set(RG, "web", capacity=1)
    vm = fake.backend.scale_sets[(fake.subscription_id, RG, "web")].vms["0"]
    vm.history = history  # the VM keeps plain tuples; assigning replaces them
    marks = lane(vm).marks
    assert [(m.kind, m.label) for m in marks] == [
        ("operation-skipped", "deallocate skipped (protected)")
    ]
    assert view.instance_ids == ["0"]


def test_operation_faults_are_described() -> None:
    fake = FakeCompute()
    fake.faults.fail_operation("power_off", CODE, instances=["1"], attempts=2)
    (described,) = describe_faults(fake.faults)
    assert described["kind"] == "fail_operation"
    assert described["what"] == f"power_off: {CODE}"
    assert described["filters"] == "instances=1 and attempt<=2"
