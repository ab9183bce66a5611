"""The facade: views, snapshot, timeline, reset, and the engine at 10,000 VMs."""

from __future__ import annotations

import json

import pytest

from fakevmss import FakeCompute, RealClock, VirtualClock
from fakevmss._timeline import format_seconds

RG = "rg"


def test_views_are_live_and_survive_deletion() -> None:
    fake = FakeCompute()
    scale_set = fake.create_scale_set(RG, "web", capacity=2)
    vm = fake.vm(RG, "web", "1")
    assert vm.provisioning_state == "Creating"
    assert scale_set.orchestration_mode == "Uniform"
    fake.clock.advance(90)
    assert vm.provisioning_state == "Succeeded"
    assert scale_set.provisioning_state == "Succeeded"
    fake.backend.sets.delete(fake.subscription_id, RG, "web", force=False)
    fake.clock.advance(60)
    assert not vm.exists and not scale_set.exists
    assert fake.vm(RG, "WEB", "1").delete_attempts == 1
    assert "web_1" in repr(vm) and "web" in repr(scale_set)
    with pytest.raises(KeyError):
        fake.vm(RG, "web", "7")
    with pytest.raises(KeyError):
        fake.scale_set(RG, "nope")


def test_snapshot_is_json_and_complete() -> None:
    fake = FakeCompute(seed=4)
    fake.faults.fail_delete("InternalExecutionError", attempts=1)
    fake.create_scale_set(RG, "web", capacity=2)
    fake.clock.advance(100)
    fake.backend.sets.delete_instances(fake.subscription_id, RG, "web", ["0"], force=False)
    fake.clock.advance(200)
    state = json.loads(json.dumps(fake.snapshot()))
    assert state["time"] == 300 and state["seed"] == 4
    (web,) = state["scale_sets"]
    assert web["instance_ids"] == ["1"]
    vm0 = web["vms"][0]
    assert vm0["exists"] is False and vm0["delete_attempts"] == 2
    assert [e["event"] for e in web["history"]] == ["delete-round"]


def test_timeline_reads_well() -> None:
    fake = FakeCompute(seed=9)
    fake.faults.fail_create("OSProvisioningTimeout", attempts=1)
    fake.create_scale_set(RG, "web", capacity=1)
    fake.create_scale_set(RG, "other", capacity=1)
    fake.clock.advance(1000)
    text = fake.timeline(RG, "web")
    assert "seed=9" in text
    assert "scale set rg/web" in text and "rg/other" not in text
    assert "+00:08:00 create-attempt-failed #1 OSProvisioningTimeout -> Creating" in text
    assert "+00:09:30 created #2 -> Succeeded" in text


def test_reset_forgets_state_keeps_clock_and_faults() -> None:
    fake = FakeCompute()
    fake.faults.fail_create("AllocationFailed")
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(10)
    fake.reset()
    assert fake.clock.now() == 10
    assert fake.snapshot()["scale_sets"] == []
    fake.clock.advance(1000)  # events of the old backend are ignored
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(90)
    assert fake.vm(RG, "web", "0").provisioning_state == "Failed"


def test_ids_are_never_handed_out_twice_across_a_reset() -> None:
    # A poller from before a reset must not read a new operation's status under its old id.
    def ids(fake: FakeCompute) -> set[str]:
        vm_ids = {vm.vm_id for s in fake.backend.scale_sets.values() for vm in s.vms.values()}
        return set(fake.backend.operations) | vm_ids

    fake = FakeCompute(seed=3)
    fake.create_scale_set(RG, "web", capacity=2)
    fake.backend.sets.delete_instances(fake.subscription_id, RG, "web", ["0"], force=False)
    before = ids(fake)
    fake.reset()
    fake.create_scale_set(RG, "web", capacity=2)
    fake.backend.sets.delete_instances(fake.subscription_id, RG, "web", ["0"], force=False)
    after = ids(fake)
    assert len(before) == len(after) >= 3
    assert before.isdisjoint(after)
    again = FakeCompute(seed=3)  # and the same history still gives the same ids
    again.create_scale_set(RG, "web", capacity=2)
    again.backend.sets.delete_instances(again.subscription_id, RG, "web", ["0"], force=False)
    assert ids(again) == before


def test_defaults() -> None:
    fake = FakeCompute()
    assert isinstance(fake.clock, VirtualClock)
    assert fake.subscription_id == "00000000-0000-0000-0000-000000000000"
    assert fake.location == "westus" and fake.seed == 0
    assert fake.requests == []
    assert "FakeCompute" in repr(fake)
    real = FakeCompute(clock=RealClock(speed=60))
    assert real.clock.speed == 60


async def test_handle_answers_through_the_wire() -> None:
    from fakevmss._http import WireRequest

    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=1)
    url = (
        f"https://management.azure.com/subscriptions/{fake.subscription_id}/resourceGroups/{RG}"
        "/providers/Microsoft.Compute/virtualMachineScaleSets/web?api-version=2024-07-01"
    )
    answer = await fake.handle(WireRequest("GET", url, {"Authorization": "Bearer t"}))
    assert answer.status == 200
    assert json.loads(answer.body)["name"] == "web"
    assert fake.requests[-1].status == 200


def test_ten_thousand_vms_create_and_delete_with_faults() -> None:
    fake = FakeCompute(seed=1)
    fake.faults.fail_create("OSProvisioningTimeout", probability=0.05)
    fake.faults.fail_delete("InternalExecutionError", probability=0.05)
    fake.create_scale_set(RG, "big", capacity=10_000)
    fake.clock.advance(1800)
    big = fake.backend.sets.get(fake.subscription_id, RG, "big")
    states = [vm.provisioning_state for vm in big.vms.values()]
    assert "Creating" not in states
    assert states.count("Failed") <= 2  # four timeouts in a row: rare at 5 % per attempt
    assert fake.scale_set(RG, "big").provisioning_state in ("Succeeded", "Failed")
    fake.backend.sets.delete(fake.subscription_id, RG, "big", force=False)
    fake.clock.advance(10_000)
    assert not fake.scale_set(RG, "big").exists
    rounds = fake.scale_set(RG, "big").history
    assert len(rounds[0].instance_ids) > 300  # one call covers every VM due


def test_a_deleted_vm_reads_deleted_not_in_progress() -> None:
    fake = FakeCompute()
    fake.create_scale_set("rg", "web", capacity=1, deletion_policy=True)
    fake.clock.advance(100)
    fake.backend.vms.delete(fake.subscription_id, "rg", "web", "0", force=False)
    assert fake.vm("rg", "web", "0").resilient_vm_deletion_status == "InProgress"
    fake.clock.advance(120)
    view = fake.vm("rg", "web", "0")
    assert (view.exists, view.provisioning_state) == (False, "Deleted")
    assert view.resilient_vm_deletion_status == "Deleted"


def test_a_failed_scale_in_does_not_say_create() -> None:
    fake = FakeCompute()
    fake.create_scale_set("rg", "web", capacity=4)
    fake.clock.advance(100)
    fake.faults.fail_delete("InternalExecutionError", scale_set="web", attempts=1)
    _, op = fake.backend.sets.patch(fake.subscription_id, "rg", "web", {"sku": {"capacity": 2}})
    fake.clock.advance(120)
    assert op.status == "Failed" and op.error is not None
    assert "create" not in op.error["message"]
    assert op.error["message"].startswith("2 VM(s) failed: ")
    assert all("delete failed" in detail["message"] for detail in op.error["details"])


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "+00:00:00"),
        (90, "+00:01:30"),
        (1.5, "+00:00:01.500"),
        (59.9996, "+00:01:00"),  # was "+00:00:59.000": only the fraction was rounded
        (3599.9994, "+00:59:59.999"),
        (9000.25, "+02:30:00.250"),
    ],
)
def test_timeline_times_round_once(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text
