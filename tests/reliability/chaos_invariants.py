"""Pure invariant checkers for chaos scenarios: data in, a list of violations out.

Each checker takes plain data (the fake's ``snapshot()`` VM dicts, what the waiters reported,
the attempts a recording transport saw) and returns human-readable violations; an empty list
means the invariant held. No checker touches the event loop, the client or the fake.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: States a VM that still exists may rest in once every resilient process is over.
RESTING_STATES = frozenset({"Succeeded", "Failed", "Running"})
#: Unsafe methods: a retry may only follow an attempt the service is known not to have acted on.
UNSAFE_METHODS = frozenset({"POST", "PATCH"})
#: The code the fake answers with when it fails internally (never injected by the scenarios).
INTERNAL_CODE = "InternalServerError"
#: Power states a VM may rest in once no operation runs (docs/fake/lifecycle.md).
RESTING_POWER = frozenset({"running", "stopped", "deallocated"})
#: Events that end a VM operation.
OPERATION_ENDS = frozenset({"operation-succeeded", "operation-failed", "operation-preempted"})


@dataclass(frozen=True, slots=True)
class Attempt:
    """One transport attempt as a recording transport saw it.

    ``outcome`` is ``response`` (with ``status`` and ``retry_after``), ``request_error`` (never
    reached the service), ``response_error`` (reached it, no answer) or ``cancelled`` (the
    client's timeout fired while waiting).
    """

    method: str
    path: str
    client_request_id: str
    outcome: str
    status: int = 0
    retry_after: bool = False
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """What a waiter told the caller about one resource, and when (client clock)."""

    outcome: str
    time: float


@dataclass(frozen=True, slots=True)
class OpReport:
    """What an action's LRO told the caller: the operation, its VMs (None: every VM), the
    outcome (``Succeeded`` or ``Failed``), and client-clock times: before the request, after
    its answer, and when the outcome was known."""

    kind: str
    instance_ids: list[str] | None
    outcome: str
    start: float
    sent: float
    time: float


def vms_of(snapshot: Mapping[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """Every VM (live or deleted) of every scale set called ``name`` in a fake snapshot."""
    every = [*snapshot["scale_sets"], *snapshot["deleted_scale_sets"]]
    found: dict[str, dict[str, Any]] = {}
    for scale_set in every:
        if scale_set["name"].lower() != name.lower():
            continue
        for vm in scale_set["vms"]:
            found[vm["instance_id"]] = vm
    return found


def _first_event(vm: Mapping[str, Any], event: str) -> float | None:
    times = [e["time"] for e in vm["history"] if e["event"] == event]
    return min(times) if times else None


def _before(vm: Mapping[str, Any], event: str, time: float) -> bool:
    """Whether ``event`` happened to ``vm`` at or before ``time``."""
    first = _first_event(vm, event)
    return first is not None and first <= time


def _requested_since(vm: Mapping[str, Any], time: float) -> bool:
    """Whether a new delete of ``vm`` was requested at or after ``time``."""
    return any(e["event"] == "delete-requested" and e["time"] >= time for e in vm["history"])


def _requested_before(vm: Mapping[str, Any], time: float) -> bool:
    """Whether a delete of ``vm`` was requested before ``time``."""
    return any(e["event"] == "delete-requested" and e["time"] < time for e in vm["history"])


def check_accounted(vms: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every VM is gone, or exists at rest (not Creating/Deleting, no retry pending)."""
    problems = []
    for iid, vm in vms.items():
        if not vm["exists"]:
            if vm["provisioning_state"] != "Deleted":
                problems.append(f"VM {iid} gone but shows {vm['provisioning_state']}")
            continue
        if vm["provisioning_state"] not in RESTING_STATES:
            problems.append(f"VM {iid} still {vm['provisioning_state']} after the horizon")
        if vm["resilient_vm_deletion_status"] == "InProgress":
            problems.append(f"VM {iid} resilient delete still InProgress after the horizon")
    return problems


def check_deletion_reports(
    reports: Mapping[str, Report], vms: Mapping[str, Mapping[str, Any]], *, exact: bool = True
) -> list[str]:
    """``Deleted`` or ``NotFound`` only for a VM gone by the report; ``Failed`` only for one
    that stays.

    A timeout is a violation unless the delete never reached the service, or (``exact=False``,
    api-version 2023-07-01) the VM ends Failed: there a Failed state that appears only after the
    last retry must still hold for the whole horizon, which can outlast the default timeout.
    """
    problems = []
    for iid, report in reports.items():
        vm = vms.get(iid)
        if vm is None:
            problems.append(f"waiter reported {report.outcome} for unknown VM {iid}")
            continue
        gone_at = _first_event(vm, "deleted")
        if report.outcome in ("Deleted", "NotFound"):
            if gone_at is None or gone_at > report.time:
                problems.append(
                    f"VM {iid} reported {report.outcome} at {report.time} but gone at {gone_at}"
                )
        elif report.outcome == "Failed":
            if not vm["exists"]:
                if not _requested_since(vm, report.time):
                    problems.append(f"VM {iid} reported Failed but was deleted at {gone_at}")
            elif vm["resilient_vm_deletion_status"] not in ("Failed", "Disabled"):
                status = vm["resilient_vm_deletion_status"]
                problems.append(f"VM {iid} reported Failed while its status is {status}")
        elif not _requested_before(vm, report.time):
            continue  # timed out on a VM whose delete never reached the service: correct
        elif not exact and _before(vm, "delete-retries-exhausted", report.time):
            continue
        else:
            problems.append(f"VM {iid}: deletion wait ended {report.outcome}")
    return problems


def check_creation_reports(
    reports: Mapping[str, Report], vms: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """``Succeeded`` only after the VM was created; ``Failed`` only for one that never is."""
    problems = []
    for iid, report in reports.items():
        vm = vms.get(iid)
        if vm is None:
            problems.append(f"waiter reported {report.outcome} for unknown VM {iid}")
            continue
        created = _first_event(vm, "created")
        failed = _first_event(vm, "create-failed")
        if report.outcome == "Succeeded":
            if created is None or created > report.time:
                problems.append(f"VM {iid} reported Succeeded at {report.time}, created {created}")
        elif report.outcome == "Failed":
            if created is not None:
                problems.append(f"VM {iid} reported Failed but was created at {created}")
            elif failed is None or failed > report.time:
                problems.append(f"VM {iid} reported Failed at {report.time}, failed at {failed}")
        else:
            problems.append(f"VM {iid}: creation wait ended {report.outcome}")
    return problems


def check_no_duplicate_creates(
    vms: Mapping[str, Mapping[str, Any]], *, requested: int, uniform: bool
) -> list[str]:
    """No more VMs than the caller asked for; Uniform ids are ``0..n-1``, never reused."""
    problems = []
    if len(vms) > requested:
        problems.append(f"{len(vms)} VMs created, only {requested} requested")
    names = [vm["name"] for vm in vms.values()]
    if len(set(names)) != len(names):
        problems.append(f"duplicate VM names: {sorted(names)}")
    if uniform:
        expected = {str(i) for i in range(len(vms))}
        if set(vms) != expected:
            problems.append(f"Uniform instance ids not 0..{len(vms) - 1}: {sorted(vms)}")
    return problems


def _may_retry_after(attempt: Attempt) -> bool:
    """Whether an unsafe request may be sent again after ``attempt`` (docs/client/retries.md)."""
    if attempt.outcome == "request_error":
        return True
    if attempt.outcome == "response":
        return attempt.status in (429, 503) and attempt.retry_after
    return False  # response_error / cancelled: the service may have acted


def check_unsafe_retries(attempts: Sequence[Attempt]) -> list[str]:
    """POST/PATCH are re-sent only when the service did not act (or asked for a retry)."""
    problems = []
    by_request: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        if attempt.method.upper() in UNSAFE_METHODS:
            by_request.setdefault(attempt.client_request_id, []).append(attempt)
    for rid, tries in by_request.items():
        for before, after in itertools.pairwise(tries):
            if not _may_retry_after(before):
                problems.append(
                    f"{after.method} {after.path} (request {rid}) re-sent after "
                    f"{before.outcome} {before.status or ''}".rstrip()
                )
    return problems


def check_no_internal_errors(attempts: Iterable[Attempt]) -> list[str]:
    """The fake never fails on its own (its bug answer is 500 ``InternalServerError``).

    Chaos scenarios inject 5xx faults under other codes, so this one always means a bug.
    """
    return [
        f"{a.method} {a.path}: the fake failed internally ({a.status})"
        for a in attempts
        if a.code == INTERNAL_CODE
    ]


def _runs(vm: Mapping[str, Any], kind: str, start: float, sent: float) -> list[tuple[Any, Any]]:
    """``(started, ended or None)`` of the runs of ``kind`` on ``vm`` begun in ``[start, sent]``."""
    history = vm["history"]
    runs = []
    for index, event in enumerate(history):
        if event["event"] != "operation-started" or event.get("operation") != kind:
            continue
        if not start <= event["time"] <= sent:
            continue
        end = next(
            (e for e in history[index + 1 :]
             if e["event"] in OPERATION_ENDS and e.get("operation") == kind
             and e["attempt"] == event["attempt"]),
            None,
        )  # fmt: skip
        runs.append((event, end))
    return runs


def check_operation_reports(
    reports: Sequence[OpReport], vms: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """An action reported ``Succeeded`` only when each of its runs succeeded by then, and
    ``Failed`` only when one of them failed or was preempted by then."""
    problems = []
    for report in reports:
        targets = report.instance_ids if report.instance_ids is not None else list(vms)
        runs = [r for iid in targets if iid in vms
                for r in _runs(vms[iid], report.kind, report.start, report.sent)]  # fmt: skip
        ended = [end for _, end in runs if end is not None and end["time"] <= report.time]
        if report.outcome == "Succeeded":
            if len(ended) < len(runs) or any(e["event"] != "operation-succeeded" for e in ended):
                problems.append(f"{report.kind} on {targets} reported Succeeded at {report.time}")
        elif not any(e["event"] != "operation-succeeded" for e in ended):
            problems.append(f"{report.kind} on {targets} reported Failed, no run failed")
    return problems


def check_operations_at_rest(vms: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """After the horizon every operation has ended and every VM rests in a power state."""
    problems = []
    for iid, vm in vms.items():
        started = sum(1 for e in vm["history"] if e["event"] == "operation-started")
        ended = sum(1 for e in vm["history"] if e["event"] in OPERATION_ENDS)
        if started != ended:
            problems.append(f"VM {iid}: {started} operations started, {ended} ended")
        if vm["exists"] and (vm.get("operation") or vm["power_state"] not in RESTING_POWER):
            problems.append(f"VM {iid} still {vm['power_state']} ({vm.get('operation')})")
    return problems


def check_no_operation_after_delete(vms: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """A VM marked for deletion never starts an operation (only a delete may follow)."""
    problems = []
    for iid, vm in vms.items():
        marked = _first_event(vm, "delete-requested")
        if marked is None:
            continue
        late = [
            e for e in vm["history"] if e["event"] == "operation-started" and e["time"] > marked
        ]
        if late:
            problems.append(f"VM {iid}: {late[0].get('operation')} started after its delete")
    return problems
