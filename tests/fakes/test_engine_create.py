"""Resilient create (docs/fake/emulation.md) on the virtual clock, through facade and backend."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from fakevmss import FakeCompute, Timings

RG = "rg"


def starts(fake: FakeCompute, name: str, instance_id: str) -> list[float]:
    return [
        h.time
        for h in fake.vm(RG, name, instance_id).history
        if h.event == "create-attempt-started"
    ]


def test_linux_always_timing_out_makes_four_attempts_and_fails_at_30_minutes() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("OSProvisioningTimeout")
    fake.create_scale_set(RG, "web", capacity=1)
    vm = fake.vm(RG, "web", "0")
    fake.clock.advance(1799.9)
    assert vm.provisioning_state == "Creating"
    assert fake.scale_set(RG, "web").provisioning_state == "Creating"
    fake.clock.advance(0.1)
    assert vm.provisioning_state == "Failed"
    assert vm.create_attempts == 4
    assert starts(fake, "web", "0") == [0, 480, 960, 1440]
    assert vm.history[-1].event == "create-failed"
    assert vm.history[-1].code == "OSProvisioningTimeout"
    assert vm.history[-1].time == 1800
    # Creating throughout: every event before the end shows Creating.
    assert {h.state for h in vm.history[:-2]} == {"Creating"}
    assert fake.scale_set(RG, "web").provisioning_state == "Failed"


def test_windows_always_timing_out_makes_two_attempts() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("VMStartTimeout")
    fake.create_scale_set(RG, "win", capacity=1, os_type="Windows")
    fake.clock.advance(1800)
    vm = fake.vm(RG, "win", "0")
    assert vm.create_attempts == 2
    assert starts(fake, "win", "0") == [0, 1200]
    assert vm.provisioning_state == "Failed"
    assert vm.history[-1].code == "VMStartTimeout"
    assert vm.history[-1].time == 1800


def test_two_timeouts_then_success_succeeds_at_1050() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", instances=["0"], attempts=2)
    fake.create_scale_set(RG, "web", capacity=2)
    fake.clock.advance(1049)
    assert fake.vm(RG, "web", "0").provisioning_state == "Creating"
    assert fake.vm(RG, "web", "1").provisioning_state == "Succeeded"
    assert fake.scale_set(RG, "web").provisioning_state == "Creating"
    fake.clock.advance(1)
    vm = fake.vm(RG, "web", "0")
    assert vm.provisioning_state == "Succeeded"
    assert vm.create_attempts == 3
    assert fake.vm(RG, "web", "1").create_attempts == 1
    assert fake.scale_set(RG, "web").provisioning_state == "Succeeded"


def test_five_attempt_limit_binds_with_short_timeouts() -> None:
    timings = dataclasses.replace(Timings(), provisioning_timeout_linux=60)
    fake = FakeCompute(timings=timings)
    fake.faults.fail_create("OSProvisioningTimeout")
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(3600)
    vm = fake.vm(RG, "web", "0")
    assert vm.create_attempts == 5
    assert vm.history[-1].time == 300
    assert vm.provisioning_state == "Failed"


def test_allocation_failed_is_never_retried() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("AllocationFailed")
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(89)
    assert fake.vm(RG, "web", "0").provisioning_state == "Creating"
    fake.clock.advance(1)
    vm = fake.vm(RG, "web", "0")
    assert vm.provisioning_state == "Failed"
    assert vm.create_attempts == 1
    assert vm.history[-1].code == "AllocationFailed"


def test_policy_disabled_makes_one_attempt() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("OSProvisioningTimeout")
    fake.create_scale_set(RG, "web", capacity=1, creation_policy=False)
    fake.clock.advance(3600)
    vm = fake.vm(RG, "web", "0")
    assert vm.create_attempts == 1
    assert vm.provisioning_state == "Failed"
    assert vm.history[-1].time == 480


def test_success_takes_full_duration_per_os() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "lin", capacity=1)
    fake.create_scale_set(RG, "win", capacity=1, os_type="Windows")
    fake.clock.advance(90)
    assert fake.vm(RG, "lin", "0").provisioning_state == "Succeeded"
    assert fake.vm(RG, "win", "0").provisioning_state == "Creating"
    fake.clock.advance(90)
    assert fake.vm(RG, "win", "0").provisioning_state == "Succeeded"


def test_scale_out_gets_resilient_retries_and_shows_updating() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(100)
    fake.faults.fail_create("OSProvisioningTimeout", instances=["1"], attempts=1)
    sub = fake.subscription_id
    _, op = fake.backend.sets.patch(sub, RG, "web", {"sku": {"capacity": 2}})
    assert fake.scale_set(RG, "web").provisioning_state == "Updating"
    assert fake.scale_set(RG, "web").instance_ids == ["0", "1"]
    fake.clock.advance(480 + 90)
    vm = fake.vm(RG, "web", "1")
    assert vm.create_attempts == 2
    assert vm.provisioning_state == "Succeeded"
    assert op.status == "Succeeded"
    assert op.end_time == 100 + 480 + 90
    assert fake.scale_set(RG, "web").provisioning_state == "Succeeded"


def test_flexible_attach_gets_no_resilient_create() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "flex", capacity=0, orchestration_mode="Flexible")
    fake.faults.fail_create("OSProvisioningTimeout")
    view = fake.attach_vm(RG, "flex")
    assert view.instance_id.startswith("flex_")
    fake.clock.advance(3600)
    assert view.create_attempts == 1
    assert view.provisioning_state == "Failed"


def test_flexible_scale_out_does_get_retries() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("OSProvisioningTimeout", attempts=1)
    fake.create_scale_set(RG, "flex", capacity=1, orchestration_mode="Flexible")
    (instance_id,) = fake.scale_set(RG, "flex").instance_ids
    fake.clock.advance(1000)
    assert fake.vm(RG, "flex", instance_id).create_attempts == 2


def test_failed_create_operation_lists_failed_instances() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("AllocationFailed", instances=["1", "2"])
    _, _, op = fake.backend.sets.put(fake.subscription_id, RG, "web", _body(capacity=3))
    assert op.status == "InProgress"
    fake.clock.advance(90)
    assert op.status == "Failed"
    assert op.error is not None
    assert op.error["code"] == "AllocationFailed"
    assert [d["target"] for d in op.error["details"]] == ["1", "2"]


def test_policy_change_does_not_touch_a_create_in_flight() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("OSProvisioningTimeout", attempts=2)
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(10)
    fake.backend.sets.patch(
        fake.subscription_id,
        RG,
        "web",
        {"properties": {"resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": False}}}},
    )
    fake.clock.advance(2000)
    assert fake.vm(RG, "web", "0").create_attempts == 3
    assert fake.vm(RG, "web", "0").provisioning_state == "Succeeded"


def test_os_type_guessed_from_image() -> None:
    fake = FakeCompute()
    body = _body(capacity=1)
    storage = body["properties"]["virtualMachineProfile"]["storageProfile"]
    storage.pop("osDisk")
    storage["imageReference"] = {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer"}
    fake.backend.sets.put(fake.subscription_id, RG, "win", body)
    assert fake.backend.vms.get(fake.subscription_id, RG, "win", "0").os_type == "Windows"


@pytest.mark.parametrize("capacity", [0, 3])
def test_instance_ids_are_never_reused(capacity: int) -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=capacity)
    sub = fake.subscription_id
    fake.backend.sets.patch(sub, RG, "web", {"sku": {"capacity": 0}})
    fake.clock.advance(200)
    fake.backend.sets.patch(sub, RG, "web", {"sku": {"capacity": 2}})
    assert fake.scale_set(RG, "web").instance_ids == [str(capacity), str(capacity + 1)]


def _body(capacity: int) -> dict[str, Any]:
    return {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "capacity": capacity},
        "properties": {
            "orchestrationMode": "Uniform",
            "virtualMachineProfile": {"storageProfile": {"osDisk": {"osType": "Linux"}}},
            "resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": True}},
        },
    }
