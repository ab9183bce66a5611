"""The VM operations' pure decisions, without an event loop (docs/fake/lifecycle.md)."""

from __future__ import annotations

import dataclasses

import pytest

from fakevmss import Timings
from fakevmss._vm_ops import (
    RULES,
    VMOp,
    VMStanding,
    duration,
    is_noop,
    refusal,
    scale_in_victims,
)


def vm(power: str = "running", **standing: object) -> VMStanding:
    return VMStanding("web_0", power, **standing)  # type: ignore[arg-type]


def test_every_operation_has_a_rule_and_a_timing() -> None:
    assert set(RULES) == set(VMOp)
    fields = {field.name for field in dataclasses.fields(Timings)}
    for op, rule in RULES.items():
        assert rule.timing in fields, op
        assert duration(op, Timings()) > 0


@pytest.mark.parametrize(
    ("op", "transit", "result"),
    [
        (VMOp.START, "starting", "running"),
        (VMOp.POWER_OFF, "stopping", "stopped"),
        (VMOp.DEALLOCATE, "deallocating", "deallocated"),
        (VMOp.RESTART, "starting", "running"),
        (VMOp.REIMAGE, "starting", "running"),
        (VMOp.REIMAGE_ALL, "starting", "running"),
        (VMOp.REDEPLOY, "starting", "running"),
        (VMOp.PERFORM_MAINTENANCE, "starting", "running"),
        (VMOp.UPDATE_INSTANCES, None, None),
        (VMOp.UPDATE, None, None),
    ],
)
def test_power_states_shown_and_left(op: VMOp, transit: str | None, result: str | None) -> None:
    assert (RULES[op].transit, RULES[op].result) == (transit, result)


def test_durations_come_from_timings() -> None:
    timings = dataclasses.replace(Timings(), start=7, power_off=11, power_off_skip_shutdown=3)
    assert duration(VMOp.START, timings) == 7
    assert duration(VMOp.POWER_OFF, timings) == 11
    assert duration(VMOp.POWER_OFF, timings, skip_shutdown=True) == 3
    assert duration(VMOp.RESTART, timings, skip_shutdown=True) == Timings().restart
    assert duration(VMOp.REIMAGE_ALL, timings) == Timings().reimage


def test_a_vm_marked_for_deletion_only_takes_a_delete() -> None:
    for op in VMOp:
        reason = refusal(op, vm(marked_for_deletion=True))
        assert reason is not None and "marked for deletion" in reason
        assert "You can only retry the Delete operation" in reason
    assert refusal(VMOp.POWER_OFF, vm(marked_for_deletion=True)) == (
        "Operation 'powerOff' is not allowed on VM 'web_0' since the VM is marked for deletion."
        " You can only retry the Delete operation (or wait for an ongoing one to complete)."
    )


def test_creating_and_busy_vms_are_refused() -> None:
    assert "still being created" in (refusal(VMOp.START, vm("starting", creating=True)) or "")
    busy = refusal(VMOp.DEALLOCATE, vm(busy_with="restart"))
    assert busy is not None and "another operation ('restart')" in busy


def test_only_a_reimage_takes_a_vm_resilient_create_left_failed() -> None:
    failed = vm("stopped", create_failed=True)
    for op in VMOp:
        reason = refusal(op, failed)
        if op in (VMOp.REIMAGE, VMOp.REIMAGE_ALL):
            assert reason is None
        else:
            assert reason is not None and "failed to provision" in reason, op


def test_the_services_messages_for_power_mismatches() -> None:
    assert refusal(VMOp.RESTART, vm("deallocated")) == (
        "The operation requires the VM to be running (or set to run)."
    )
    assert refusal(VMOp.RESTART, vm("stopped")) is not None
    assert refusal(VMOp.RESTART, vm("running")) is None
    assert refusal(VMOp.POWER_OFF, vm("deallocated")) == (
        "Operation 'powerOff' is not allowed on VM 'web_0' since the VM is either deallocated "
        "or marked to be deallocated."
    )
    for op in (VMOp.START, VMOp.DEALLOCATE, VMOp.REIMAGE, VMOp.REDEPLOY, VMOp.UPDATE):
        assert refusal(op, vm("deallocated")) is None, op


def test_noops() -> None:
    assert is_noop(VMOp.START, "running")
    assert is_noop(VMOp.POWER_OFF, "stopped")
    assert is_noop(VMOp.DEALLOCATE, "deallocated")
    assert not is_noop(VMOp.START, "deallocated")
    assert not is_noop(VMOp.RESTART, "running")
    assert not is_noop(VMOp.DEALLOCATE, "stopped")
    assert not is_noop(VMOp.REIMAGE, "running", create_failed=True)


def test_scale_in_takes_the_highest_unprotected_ids() -> None:
    candidates = [(0, "0", False), (1, "1", True), (2, "2", False), (3, "3", True)]
    assert scale_in_victims(candidates, 1) == (["2"], ["3", "1"])
    assert scale_in_victims(candidates, 2) == (["2", "0"], ["3", "1"])
    victims, protected = scale_in_victims(candidates, 3)
    assert victims == ["2", "0"] and protected == ["3", "1"]  # too few: the caller refuses
    assert scale_in_victims([(5, "5", False)], 0) == ([], [])
