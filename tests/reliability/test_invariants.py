"""The chaos checkers themselves: each must catch the violation it exists for."""

from __future__ import annotations

from typing import Any

from chaos_invariants import (
    Attempt,
    OpReport,
    Report,
    check_accounted,
    check_creation_reports,
    check_deletion_reports,
    check_no_duplicate_creates,
    check_no_internal_errors,
    check_no_operation_after_delete,
    check_operation_reports,
    check_operations_at_rest,
    check_unsafe_retries,
    vms_of,
)


def vm(iid: str, *events: tuple[float, str], exists: bool = True, state: str = "Succeeded",
       status: str = "Enabled") -> dict[str, Any]:  # fmt: skip
    return {
        "instance_id": iid,
        "name": f"web_{iid}",
        "exists": exists,
        "provisioning_state": state if exists else "Deleted",
        "resilient_vm_deletion_status": status,
        "history": [{"time": t, "event": e} for t, e in events],
    }


def test_accounted_flags_vms_still_busy() -> None:
    vms = {"0": vm("0", state="Deleting"), "1": vm("1", status="InProgress"), "2": vm("2")}
    problems = check_accounted(vms)
    assert len(problems) == 2
    assert check_accounted({"3": vm("3", exists=False)}) == []


def test_deleted_report_for_a_live_vm_is_caught() -> None:
    vms = {"0": vm("0", (10, "delete-requested"))}
    assert check_deletion_reports({"0": Report("Deleted", 100)}, vms)
    gone = {"0": vm("0", (10, "delete-requested"), (200, "deleted"), exists=False)}
    assert check_deletion_reports({"0": Report("Deleted", 100)}, gone)  # reported too early
    assert check_deletion_reports({"0": Report("Deleted", 300)}, gone) == []


def test_failed_report_for_a_vm_that_later_goes_is_caught() -> None:
    gone = {"0": vm("0", (10, "delete-requested"), (500, "deleted"), exists=False)}
    assert check_deletion_reports({"0": Report("Failed", 100)}, gone)
    again = {"0": vm("0", (10, "delete-requested"), (100, "delete-requested"), (160, "deleted"),
                     exists=False)}  # fmt: skip
    assert check_deletion_reports({"0": Report("Failed", 100)}, again) == []
    stays = {"0": vm("0", (10, "delete-requested"), state="Failed", status="InProgress")}
    assert check_deletion_reports({"0": Report("Failed", 100)}, stays)


def test_timeouts_are_violations_unless_explained() -> None:
    never_sent = {"0": vm("0")}
    assert check_deletion_reports({"0": Report("TimedOut", 100)}, never_sent) == []
    sent = {"0": vm("0", (10, "delete-requested"), (90, "delete-retries-exhausted"),
                     state="Failed", status="Failed")}  # fmt: skip
    assert check_deletion_reports({"0": Report("TimedOut", 100)}, sent)
    assert check_deletion_reports({"0": Report("TimedOut", 100)}, sent, exact=False) == []
    busy = {"0": vm("0", (10, "delete-requested"), state="Deleting", status="InProgress")}
    assert check_deletion_reports({"0": Report("TimedOut", 100)}, busy, exact=False)


def test_creation_reports() -> None:
    vms = {"0": vm("0", (90, "created")), "1": vm("1", (1800, "create-failed"), state="Failed")}
    ok = {"0": Report("Succeeded", 100), "1": Report("Failed", 1800)}
    assert check_creation_reports(ok, vms) == []
    wrong = {"0": Report("Failed", 100), "1": Report("Succeeded", 1900), "2": Report("X", 1)}
    assert len(check_creation_reports(wrong, vms)) == 3
    assert check_creation_reports({"0": Report("Succeeded", 50)}, vms)  # before it was created


def test_duplicate_creates() -> None:
    vms = {str(i): vm(str(i)) for i in range(3)}
    assert check_no_duplicate_creates(vms, requested=3, uniform=True) == []
    assert check_no_duplicate_creates(vms, requested=2, uniform=True)
    gap = {"0": vm("0"), "2": vm("2")}
    assert check_no_duplicate_creates(gap, requested=3, uniform=True)


def test_unsafe_retries() -> None:
    def a(outcome: str, method: str = "POST", status: int = 0, asked: bool = False) -> Attempt:
        return Attempt(method, "/x", "rid", outcome, status, asked)

    assert check_unsafe_retries([a("request_error"), a("response", status=202)]) == []
    assert check_unsafe_retries([a("response", status=429, asked=True), a("response")]) == []
    assert check_unsafe_retries([a("response_error"), a("response")])
    assert check_unsafe_retries([a("cancelled"), a("response")])
    assert check_unsafe_retries([a("response", status=500), a("response")])
    assert check_unsafe_retries([a("response_error", "PUT"), a("response", "PUT")]) == []


def test_internal_errors_and_snapshot_lookup() -> None:
    attempts = [Attempt("GET", "/x", "r", "response", 500, code="InternalServerError")]
    assert check_no_internal_errors(attempts)
    assert check_no_internal_errors([Attempt("GET", "/x", "r", "response", 500, code="X")]) == []
    snapshot = {
        "scale_sets": [{"name": "Web", "vms": [vm("0")]}],
        "deleted_scale_sets": [{"name": "web", "vms": [vm("1")]}, {"name": "db", "vms": []}],
    }
    assert sorted(vms_of(snapshot, "web")) == ["0", "1"]


def op_vm(iid: str, *events: tuple[float, str, int], power: str = "running",
          operation: str | None = None, exists: bool = True) -> dict[str, Any]:  # fmt: skip
    base = vm(iid, exists=exists)
    base["history"] = [
        {"time": t, "event": e, "attempt": a, "operation": None if "delete" in e else "restart"}
        for t, e, a in events
    ]
    return {**base, "power_state": power, "operation": operation}


def test_operation_reports_must_match_each_runs_end() -> None:
    ok = {"0": op_vm("0", (10, "operation-started", 1), (70, "operation-succeeded", 1))}
    failed = {"0": op_vm("0", (10, "operation-started", 1), (70, "operation-failed", 1))}
    succeeded = OpReport("restart", ["0"], "Succeeded", 10, 10, 80)
    assert check_operation_reports([succeeded], ok) == []
    assert check_operation_reports([succeeded], failed)  # told Succeeded, a run failed
    early = OpReport("restart", ["0"], "Succeeded", 10, 10, 60)
    assert check_operation_reports([early], ok)  # told before the run ended
    told_failed = OpReport("restart", None, "Failed", 10, 10, 80)
    assert check_operation_reports([told_failed], failed) == []
    assert check_operation_reports([told_failed], ok)  # told Failed, nothing failed
    other_window = OpReport("restart", ["0"], "Failed", 100, 100, 200)
    assert check_operation_reports([other_window], failed)  # that run was not this request's


def test_operations_at_rest_flags_unended_runs_and_transitional_power() -> None:
    ended = {"0": op_vm("0", (10, "operation-started", 1), (70, "operation-preempted", 1))}
    assert check_operations_at_rest(ended) == []
    unended = {"0": op_vm("0", (10, "operation-started", 1))}
    assert check_operations_at_rest(unended)
    assert check_operations_at_rest({"0": op_vm("0", power="deallocating")})
    assert check_operations_at_rest({"0": op_vm("0", operation="restart")})
    assert check_operations_at_rest({"0": op_vm("0", power="x", exists=False)}) == []


def test_no_operation_may_start_after_a_delete_request() -> None:
    before = {"0": op_vm("0", (10, "operation-started", 1), (20, "delete-requested", 0),
                         (20, "operation-preempted", 1))}  # fmt: skip
    assert check_no_operation_after_delete(before) == []
    after = {"0": op_vm("0", (10, "delete-requested", 0), (20, "operation-started", 1))}
    assert check_no_operation_after_delete(after)
