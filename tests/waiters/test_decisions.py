"""The pure decisions: verdicts on states, and the trackers' bookkeeping (no event loop)."""

from __future__ import annotations

import pytest

from aiovmss.models import VirtualMachineScaleSetVM
from aiovmss.waiters import DeletionOutcome, Observation, Verdict
from aiovmss.waiters._decisions import (
    CreationTracker,
    DeletionTracker,
    creation_failure,
    creation_verdict,
    deletion_verdict,
    normalise,
    state_of,
)

IN_PROGRESS, DELETED, FAILED = Verdict.IN_PROGRESS, Verdict.DELETED, Verdict.FAILED


@pytest.mark.parametrize(
    ("state", "status", "expected"),
    [
        ("Deleting", "InProgress", IN_PROGRESS),
        ("Failed", "InProgress", IN_PROGRESS),
        ("Running", "InProgress", IN_PROGRESS),
        ("Failed", "In Progress", IN_PROGRESS),
        ("failed", "inprogress", IN_PROGRESS),
        ("Failed", "Failed", FAILED),
        ("Deleting", "Failed", FAILED),
        ("Failed", "Disabled", FAILED),
        ("Deleting", "Disabled", IN_PROGRESS),
        ("Failed", "Enabled", IN_PROGRESS),
        ("Failed", "SomethingNew", IN_PROGRESS),
    ],
)
def test_deletion_verdict_follows_the_status(state: str, status: str, expected: Verdict) -> None:
    assert deletion_verdict(state, status, horizon=100.0) is expected


def test_without_status_failed_counts_only_after_the_horizon() -> None:
    assert deletion_verdict("Failed", None, failed_for=99.0, horizon=100.0) is IN_PROGRESS
    assert deletion_verdict("Failed", None, failed_for=100.0, horizon=100.0) is FAILED
    assert deletion_verdict("Failed", None, horizon=None) is FAILED
    assert deletion_verdict("Deleting", None, failed_for=1e9, horizon=100.0) is IN_PROGRESS


def test_without_status_failed_is_final_a_horizon_after_the_wait_started() -> None:
    # A Failed that first shows after the last retry (Running fallback) is final at once when
    # the wait has lasted a horizon: no retry can still be due.
    assert deletion_verdict("Failed", None, failed_for=0.0, waited_for=100.0, horizon=100.0) is (
        FAILED
    )
    assert deletion_verdict("Failed", None, failed_for=0.0, waited_for=99.0, horizon=100.0) is (
        IN_PROGRESS
    )
    assert deletion_verdict("Running", None, waited_for=1e9, horizon=100.0) is IN_PROGRESS


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("Succeeded", Verdict.SUCCEEDED),
        ("succeeded", Verdict.SUCCEEDED),
        ("Failed", FAILED),
        ("Canceled", FAILED),
        ("Creating", IN_PROGRESS),
        ("Updating", IN_PROGRESS),
        (None, IN_PROGRESS),
    ],
)
def test_creation_verdict(state: str | None, expected: Verdict) -> None:
    assert creation_verdict(state) is expected


def test_normalise_and_state_of_read_models_and_dicts() -> None:
    class Props:
        provisioning_state = "Deleting"
        resilient_vm_deletion_status = "InProgress"

    class Vm:
        properties = Props()

    assert normalise("In Progress") == "inprogress"
    assert normalise(None) is None
    assert state_of(Vm()) == ("Deleting", "InProgress")
    wire = {"properties": {"provisioningState": "Failed", "resilientVMDeletionStatus": "Failed"}}
    assert state_of(wire) == ("Failed", "Failed")
    assert state_of({"properties": {}}) == (None, None)


def test_deletion_tracker_times_a_bare_failed_from_its_first_sighting() -> None:
    tracker = DeletionTracker("3", horizon=600.0, started=0.0)
    judged = [
        tracker.record(Observation(t, provisioning_state=s)).verdict
        for t, s in [
            (0, "Deleting"),
            (30, "Failed"),
            (300, "Deleting"),
            (630, "Deleting"),
            (660, "Failed"),
        ]
    ]
    # The flap to Deleting does not restart the count: the horizon runs from the first Failed
    # (30), and a Deleting at 630 is still in progress; the Failed at 660 is final.
    assert judged == [IN_PROGRESS] * 4 + [FAILED]
    result = tracker.result(now=700.0)
    assert result.outcome is DeletionOutcome.FAILED
    assert result.polls == 5 and result.elapsed == 660.0


def test_deletion_tracker_takes_a_late_first_failed_as_final() -> None:
    tracker = DeletionTracker("3", horizon=600.0, started=0.0)
    judged = [
        tracker.record(Observation(t, provisioning_state=s)).verdict
        for t, s in [(0, "Deleting"), (300, "Running"), (590, "Deleting"), (620, "Failed")]
    ]
    assert judged == [IN_PROGRESS] * 3 + [FAILED]
    assert tracker.result(now=620.0).elapsed == 620.0


def test_deletion_tracker_treats_errors_as_no_news_and_404_as_deleted() -> None:
    tracker = DeletionTracker("0", horizon=600.0, started=10.0)
    tracker.record(Observation(10, provisioning_state="Deleting", deletion_status="InProgress"))
    tracker.record(Observation(40, http_status=429, retry_after=60.0, error_code="TooManyRequests"))
    assert not tracker.settled
    judged = tracker.record(Observation(100, http_status=404))
    assert judged.verdict is DELETED and tracker.settled
    result = tracker.result(now=100.0)
    assert result.deleted and result.elapsed == 90.0
    assert [o.http_status for o in result.history] == [200, 429, 404]


def test_unsettled_tracker_reports_timed_out() -> None:
    tracker = DeletionTracker("0", horizon=None, started=0.0)
    tracker.record(Observation(0, provisioning_state="Deleting", deletion_status="InProgress"))
    assert tracker.result(5.0).outcome is DeletionOutcome.TIMED_OUT


def test_creation_tracker_waits_through_404_and_creating() -> None:
    tracker = CreationTracker("0", started=0.0)
    assert tracker.record(Observation(0, http_status=404)).verdict is IN_PROGRESS
    assert tracker.record(Observation(30, provisioning_state="Creating")).verdict is IN_PROGRESS
    model = {"properties": {"provisioningState": "Succeeded"}}
    assert tracker.record(Observation(60, provisioning_state="Succeeded"), model).verdict is (
        Verdict.SUCCEEDED
    )
    result = tracker.result(60.0)
    assert result.succeeded and result.last_seen is model and result.polls == 3


# --- a failed VM's error code and attempt count, from its instance view --------------------------


def failed_vm(code: str, message: object = None) -> dict[str, object]:
    status: dict[str, object] = {"code": code, "level": "Error"}
    if message is not None:
        status["message"] = message
    view = {"statuses": [status, {"code": "PowerState/stopped"}]}
    return {"properties": {"provisioningState": "Failed", "instanceView": view}}


@pytest.mark.parametrize(
    ("vm", "expected"),
    [
        (failed_vm("ProvisioningState/failed/OSProvisioningTimedOut", "... did not finish."),
         ("OSProvisioningTimedOut", None)),
        (failed_vm("ProvisioningState/failed/VMStartTimedOut", "x failed after 2 attempts."),
         ("VMStartTimedOut", 2)),
        (failed_vm("provisioningstate/FAILED/AllocationFailed", "after 1 attempt"),
         ("AllocationFailed", 1)),
        (failed_vm("ProvisioningState/failed/", "after 3 attempts"), (None, 3)),
        (failed_vm("ProvisioningState/failed/" + "A" * 81), (None, None)),
        (failed_vm("ProvisioningState/failed/bad code!"), (None, None)),
        (failed_vm("ProvisioningState/failed/X", 42), ("X", None)),
        (failed_vm("ProvisioningState/failed/X", "after 99999 attempts"), ("X", None)),
        (failed_vm("ProvisioningState/failed/X", " " * 3000 + "after 2 attempts"), ("X", None)),
        (failed_vm("ProvisioningState/succeeded"), (None, None)),
        ({"properties": {"provisioningState": "Failed"}}, (None, None)),
        ({"properties": {"instanceView": {"statuses": "not a list"}}}, (None, None)),
        ({}, (None, None)),
    ],
)  # fmt: skip
def test_creation_failure_reads_the_status_code_and_message(
    vm: dict[str, object], expected: tuple[str | None, int | None]
) -> None:
    assert creation_failure(vm) == expected


def test_creation_failure_reads_a_model_too() -> None:
    model = VirtualMachineScaleSetVM.from_wire(
        failed_vm("ProvisioningState/failed/OSProvisioningTimeout", "after 4 attempts.")
    )
    assert creation_failure(model) == ("OSProvisioningTimeout", 4)


def test_a_404_is_not_found_until_seen_then_deleted() -> None:
    unseen = DeletionTracker("0", None, 0.0)
    assert unseen.record(Observation(0.0, http_status=404)).verdict is Verdict.NOT_FOUND
    assert unseen.result(0.0).outcome is DeletionOutcome.NOT_FOUND and not unseen.result(0.0).seen
    seen = DeletionTracker("1", None, 0.0)
    seen.record(Observation(0.0, provisioning_state="Deleting", deletion_status="InProgress"))
    assert seen.record(Observation(30.0, http_status=404)).verdict is DELETED
    assert seen.result(30.0).seen and seen.result(30.0).deleted
    known = DeletionTracker("web", None, 0.0, seen=True)  # a scale set the wait proved exists
    assert known.record(Observation(0.0, http_status=404)).verdict is DELETED
