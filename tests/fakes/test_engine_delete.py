"""Resilient delete (docs/fake/emulation.md) on the virtual clock, through facade and backend."""

from __future__ import annotations

from typing import Any

import pytest

from fakevmss import FakeCompute
from fakevmss._errors import ArmException

RG = "rg"
T0 = 100.0  # every test creates its VMs first and starts deleting at T0


def ready(capacity: int = 1, *, deletion_policy: bool = True, **kwargs: object) -> FakeCompute:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=capacity, deletion_policy=deletion_policy, **kwargs)  # type: ignore[arg-type]
    fake.clock.advance(T0)
    return fake


def at(fake: FakeCompute, t: float) -> None:
    fake.clock.advance(T0 + t - fake.clock.now())


def attempts(fake: FakeCompute, instance_id: str) -> list[tuple[float, bool]]:
    return [
        (h.time - T0, h.forced)
        for h in fake.vm(RG, "web", instance_id).history
        if h.event == "delete-attempt-started"
    ]


def test_fails_twice_then_goes_at_round_two() -> None:
    fake = ready()
    fake.faults.fail_delete("InternalExecutionError", attempts=2)
    op = fake.backend.vms.delete(fake.subscription_id, RG, "web", "0", force=False)
    vm = fake.vm(RG, "web", "0")
    states: list[tuple[float, str, str]] = []
    for t in (0, 59, 60, 119, 120, 719, 720, 779):
        at(fake, t)
        states.append((t, vm.provisioning_state, vm.resilient_vm_deletion_status))
    assert states == [
        (0, "Deleting", "InProgress"),
        (59, "Deleting", "InProgress"),
        (60, "Deleting", "InProgress"),  # failed, and retry 1 (delay 0) started at once
        (119, "Deleting", "InProgress"),
        (120, "Failed", "InProgress"),
        (719, "Failed", "InProgress"),
        (720, "Deleting", "InProgress"),
        (779, "Deleting", "InProgress"),
    ]
    failed = [h for h in vm.history if h.event == "delete-attempt-failed"]
    assert [(h.time - T0, h.state) for h in failed] == [(60, "Failed"), (120, "Failed")]
    assert op.status == "Failed"
    assert op.end_time == T0 + 60
    assert op.error is not None and op.error["code"] == "InternalExecutionError"
    at(fake, 780)
    assert not vm.exists
    assert vm.delete_attempts == 3
    assert attempts(fake, "0") == [(0, False), (60, True), (720, True)]
    with pytest.raises(ArmException) as info:
        fake.backend.vms.get(fake.subscription_id, RG, "web", "0")
    assert info.value.status == 404


def test_always_failing_makes_six_attempts_and_stays_failed() -> None:
    fake = ready()
    fake.faults.fail_delete("TransientFailure")
    fake.backend.vms.delete(fake.subscription_id, RG, "web", "0", force=False)
    at(fake, 9359)
    vm = fake.vm(RG, "web", "0")
    assert vm.resilient_vm_deletion_status == "InProgress"
    at(fake, 9360)
    assert vm.delete_attempts == 6
    assert [t for t, _ in attempts(fake, "0")] == [0, 60, 720, 1980, 4440, 9300]
    assert vm.resilient_vm_deletion_status == "Failed"
    assert vm.provisioning_state == "Failed"
    assert vm.history[-1].event == "delete-retries-exhausted"
    at(fake, 20000)
    assert vm.exists and vm.delete_attempts == 6
    got = fake.backend.vms.get(fake.subscription_id, RG, "web", "0")
    assert got.deletion_status == "Failed"


def test_running_fallback_state() -> None:
    fake = ready()
    fake.faults.fail_delete("InternalOperationError", attempts=2, fallback_state="Running")
    fake.backend.vms.delete(fake.subscription_id, RG, "web", "0", force=True)
    at(fake, 120)
    vm = fake.vm(RG, "web", "0")
    assert vm.provisioning_state == "Running"
    assert vm.resilient_vm_deletion_status == "InProgress"
    assert attempts(fake, "0")[0] == (0, True)


def test_policy_disabled_no_retry() -> None:
    fake = ready(deletion_policy=False)
    vm = fake.vm(RG, "web", "0")
    assert vm.resilient_vm_deletion_status == "Disabled"
    fake.faults.fail_delete("InternalExecutionError")
    fake.backend.vms.delete(fake.subscription_id, RG, "web", "0", force=False)
    assert vm.resilient_vm_deletion_status == "Disabled"
    at(fake, 20000)
    assert vm.delete_attempts == 1
    assert vm.provisioning_state == "Failed"
    assert vm.resilient_vm_deletion_status == "Disabled"


def test_status_enabled_when_not_deleting() -> None:
    fake = ready()
    assert fake.vm(RG, "web", "0").resilient_vm_deletion_status == "Enabled"


def test_seed_example_one_round_retries_all_five() -> None:
    fake = ready(5)
    fake.faults.fail_delete("InternalExecutionError", instances=["4"], attempts=2)
    fake.faults.fail_delete("InternalExecutionError", attempts=1)
    op = fake.backend.sets.delete(fake.subscription_id, RG, "web", force=False)
    assert op is not None
    assert fake.scale_set(RG, "web").provisioning_state == "Deleting"
    at(fake, 120)
    assert op.status == "Failed"
    assert len(op.error["details"]) == 5  # type: ignore[index]
    assert fake.scale_set(RG, "web").instance_ids == ["4"]
    rounds = [(e.time - T0, e.instance_ids) for e in fake.scale_set(RG, "web").history]
    assert rounds == [(60, ["0", "1", "2", "3", "4"])]
    at(fake, 779)
    assert fake.scale_set(RG, "web").exists
    at(fake, 780)
    rounds = [(e.time - T0, e.instance_ids) for e in fake.scale_set(RG, "web").history]
    assert rounds == [(60, ["0", "1", "2", "3", "4"]), (720, ["4"])]
    assert not fake.scale_set(RG, "web").exists
    with pytest.raises(ArmException):
        fake.backend.sets.get(fake.subscription_id, RG, "web")


def test_rounds_batch_vms_due_by_then() -> None:
    fake = ready(2)
    fake.faults.fail_delete("InternalExecutionError", attempts=2)
    sub = fake.subscription_id
    fake.backend.vms.delete(sub, RG, "web", "0", force=False)
    at(fake, 30)
    fake.backend.vms.delete(sub, RG, "web", "1", force=False)
    at(fake, 2000)
    rounds = [(e.time - T0, e.instance_ids) for e in fake.scale_set(RG, "web").history]
    assert rounds == [(60, ["0"]), (90, ["1"]), (720, ["0"]), (750, ["1"])]


def test_policy_change_mid_flight_is_ignored() -> None:
    fake = ready()
    fake.faults.fail_delete("InternalExecutionError")
    sub = fake.subscription_id
    fake.backend.vms.delete(sub, RG, "web", "0", force=False)
    at(fake, 61)
    policy_off = {
        "properties": {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": False}}}
    }
    fake.backend.sets.patch(sub, RG, "web", policy_off)
    at(fake, 10000)
    assert fake.vm(RG, "web", "0").delete_attempts == 6


def test_policy_turned_on_mid_flight_does_not_add_retries() -> None:
    fake = ready(deletion_policy=False)
    fake.faults.fail_delete("InternalExecutionError")
    sub = fake.subscription_id
    fake.backend.vms.delete(sub, RG, "web", "0", force=False)
    policy_on = {
        "properties": {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": True}}}
    }
    fake.backend.sets.patch(sub, RG, "web", policy_on)
    at(fake, 10000)
    vm = fake.vm(RG, "web", "0")
    assert vm.delete_attempts == 1
    assert vm.resilient_vm_deletion_status == "Disabled"


def test_scale_in_deletes_highest_ids_first() -> None:
    fake = ready(5)
    sub = fake.subscription_id
    _, op = fake.backend.sets.patch(sub, RG, "web", {"sku": {"capacity": 3}})
    assert fake.vm(RG, "web", "4").provisioning_state == "Deleting"
    assert fake.vm(RG, "web", "3").provisioning_state == "Deleting"
    assert fake.vm(RG, "web", "2").provisioning_state == "Succeeded"
    at(fake, 60)
    assert fake.scale_set(RG, "web").instance_ids == ["0", "1", "2"]
    assert op.status == "Succeeded"
    assert fake.backend.sets.get(sub, RG, "web").spec["sku"]["capacity"] == 3


def test_scale_set_delete_fails_when_vms_remain_after_retries() -> None:
    fake = ready(2)
    fake.faults.fail_delete("InternalExecutionError", instances=["1"])
    fake.backend.sets.delete(fake.subscription_id, RG, "web", force=False)
    at(fake, 9360)
    view = fake.scale_set(RG, "web")
    assert view.exists
    assert view.provisioning_state == "Failed"
    assert view.instance_ids == ["1"]


def test_delete_instances_even_all_leaves_empty_scale_set() -> None:
    fake = ready(2)
    sub = fake.subscription_id
    op = fake.backend.sets.delete_instances(sub, RG, "web", ["0", "1"], force=False)
    at(fake, 60)
    assert op.status == "Succeeded"
    assert fake.backend.vms.list(sub, RG, "web") == []
    assert fake.backend.sets.get(sub, RG, "web").spec["sku"]["capacity"] == 0


def test_delete_instances_unknown_id_is_400() -> None:
    fake = ready(1)
    with pytest.raises(ArmException) as info:
        fake.backend.sets.delete_instances(fake.subscription_id, RG, "web", ["0", "9"], force=False)
    assert info.value.status == 400
    assert info.value.target == "instanceIds"
    assert fake.vm(RG, "web", "0").provisioning_state == "Succeeded"


def test_tagged_vm_always_fails_delete() -> None:
    fake = ready(1, tags={"FailForResilientVMDeletionAtDiskDetach": "true"})
    fake.backend.vms.delete(fake.subscription_id, RG, "web", "0", force=False)
    at(fake, 9360)
    vm = fake.vm(RG, "web", "0")
    assert vm.delete_attempts == 6
    assert vm.history[-1].code == "InternalExecutionError"


def test_second_delete_request_joins_the_running_one() -> None:
    fake = ready()
    fake.faults.fail_delete("InternalExecutionError", attempts=1)
    sub = fake.subscription_id
    first = fake.backend.vms.delete(sub, RG, "web", "0", force=False)
    at(fake, 61)  # retry 1 running
    second = fake.backend.vms.delete(sub, RG, "web", "0", force=True)
    at(fake, 120)
    assert first.status == "Failed"
    assert second.status == "Succeeded"
    assert fake.vm(RG, "web", "0").delete_attempts == 2


def test_delete_after_retries_spent_starts_fresh() -> None:
    fake = ready()
    handle = fake.faults.fail_delete("InternalExecutionError")
    sub = fake.subscription_id
    fake.backend.vms.delete(sub, RG, "web", "0", force=False)
    at(fake, 9360)
    handle.remove()
    op = fake.backend.vms.delete(sub, RG, "web", "0", force=True)
    assert fake.vm(RG, "web", "0").resilient_vm_deletion_status == "InProgress"
    at(fake, 9420)
    assert op.status == "Succeeded"
    assert not fake.vm(RG, "web", "0").exists


def test_deleting_a_creating_vm_cancels_its_create() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("OSProvisioningTimeout")
    _, _, create_op = fake.backend.sets.put(fake.subscription_id, RG, "web", _body(capacity=1))
    fake.clock.advance(10)
    fake.backend.vms.delete(fake.subscription_id, RG, "web", "0", force=False)
    fake.clock.advance(60)
    assert create_op.status == "Succeeded"
    assert not fake.vm(RG, "web", "0").exists
    assert fake.vm(RG, "web", "0").create_attempts == 1


def _body(capacity: int) -> dict[str, Any]:
    return {"location": "westus", "sku": {"capacity": capacity}}
