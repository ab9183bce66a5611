"""VM operations meeting Resilient create and delete, faults, and bad input (lifecycle.md)."""

from __future__ import annotations

from typing import Any

import pytest
from lifecycle_support import READY, action, operation, ready, statuses, vm_body
from wire_support import RG, S, Wire, scale_set_body

from fakevmss import FakeCompute, Timings


def started(fake: FakeCompute, vm: str) -> list[str]:
    """The operations that ever started on ``vm``."""
    history = fake.vm(RG, "web", vm).history
    return [e.operation or "" for e in history if e.event == "operation-started"]


async def test_a_vm_being_created_is_refused(wire: Wire) -> None:
    await wire.put("web", scale_set_body(2))
    for reply in (await action(wire, "restart", ["0"]), await action(wire, "start", vm="1")):
        assert reply.status == 409 and reply.code == "OperationNotAllowed"
        assert "still being created" in reply.json["error"]["message"]
    assert started(wire.fake, "0") == started(wire.fake, "1") == []


async def test_a_vm_being_deleted_or_awaiting_a_retry_is_refused(wire: Wire) -> None:
    wire.fake.faults.fail_delete("InternalExecutionError", instances=["1"], attempts=1)
    await ready(wire)
    await action(wire, "delete", ["0", "1"])
    deleting = await action(wire, "deallocate", vm="0")
    assert deleting.status == 409 and "marked for deletion" in deleting.json["error"]["message"]
    wire.fake.clock.advance(Timings().delete_attempt)  # VM 1 failed once: its retry is due
    assert wire.fake.vm(RG, "web", "1").resilient_vm_deletion_status == "InProgress"
    retrying = await action(wire, "restart", ["1"])
    assert retrying.status == 409 and retrying.code == "OperationNotAllowed"
    assert "You can only retry the Delete operation" in retrying.json["error"]["message"]
    put = await wire.send("PUT", f"{S}/web/virtualMachines/1", {"location": "westus"})
    assert put.status == 409


async def test_a_busy_vm_is_refused_and_several_refusals_come_in_details(wire: Wire) -> None:
    await ready(wire)
    await action(wire, "restart", ["0", "1"])
    reply = await action(wire, "deallocate", ["0", "1", "2"])
    assert reply.status == 409
    error = reply.json["error"]
    assert error["message"].startswith("2 VMs cannot take 'deallocate' now: 0, 1.")
    assert [d["target"] for d in error["details"]] == ["0", "1"]
    assert all("('restart')" in d["message"] for d in error["details"])
    assert started(wire.fake, "2") == []  # nothing changed for the VM that could


async def test_unknown_instance_ids_change_nothing(wire: Wire) -> None:
    await ready(wire)
    reply = await action(wire, "deallocate", ["0", "7", "x"])
    assert reply.status == 400 and reply.code == "InvalidParameter"
    assert reply.json["error"]["target"] == "instanceIds"
    assert "7, x" in reply.json["error"]["message"]
    assert started(wire.fake, "0") == []
    missing_vm = await action(wire, "restart", vm="9")
    assert missing_vm.status == 404 and missing_vm.code == "ResourceNotFound"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"instanceIds": "0"}, "InvalidParameter"),
        ({"instanceIds": [0]}, "InvalidParameter"),
        ({"instanceIds": []}, "InvalidParameter"),
        ({"instanceIds": [""]}, "InvalidParameter"),
        ({"instanceIdz": ["0"]}, "InvalidRequestContent"),
        (b"[1, 2]", "InvalidRequestContent"),
        (b"{not json", "InvalidRequestContent"),
    ],
)
async def test_bodies_of_the_wrong_shape_are_400(wire: Wire, body: Any, code: str) -> None:
    await ready(wire, capacity=1)
    reply = await action(wire, "restart", body=body)
    assert reply.status == 400 and reply.code == code, reply.json
    assert started(wire.fake, "0") == []


async def test_bad_flags_and_hibernation_are_400(wire: Wire) -> None:
    await ready(wire, capacity=1)
    bad = await action(wire, "poweroff", ["0"], skipShutdown="maybe")
    assert bad.status == 400 and bad.json["error"]["target"] == "skipShutdown"
    hibernate = await action(wire, "deallocate", ["0"], hibernate="true")
    assert hibernate.status == 400 and hibernate.code == "OperationNotAllowed"
    assert hibernate.json["error"]["target"] == "hibernate"
    assert (await action(wire, "deallocate", ["0"], hibernate="false")).status == 202


async def test_reimage_body_is_checked_and_its_secrets_kept_out(wire: Wire) -> None:
    await ready(wire, capacity=1)
    body = {"instanceIds": ["0"], "tempDisk": True, "osProfile": {"adminPassword": "Hunter2!!"}}
    reply = await action(wire, "reimage", body=body)
    assert reply.status == 202
    newer = {"forceUpdateOSDiskForEphemeral": True}
    assert (await action(wire, "reimage", vm="0", body=newer, api="2023-07-01")).status == 400
    wire.fake.clock.advance(Timings().reimage)
    assert b"Hunter2" not in (await wire.send("GET", f"{S}/web/virtualMachines/0")).raw
    assert b"Hunter2" not in repr(wire.fake.snapshot()).encode()


async def test_a_scale_set_action_without_ids_skips_vms_being_deleted(wire: Wire) -> None:
    wire.fake.faults.fail_delete("InternalExecutionError", instances=["2"], attempts=1)
    await ready(wire)
    await action(wire, "delete", ["2"])
    reply = await action(wire, "restart")
    assert reply.status == 202
    assert started(wire.fake, "0") == started(wire.fake, "1") == ["restart"]
    assert started(wire.fake, "2") == []


async def test_a_deallocated_vm_is_deleted_under_resilient_delete(wire: Wire) -> None:
    wire.fake.faults.fail_delete("InternalExecutionError", instances=["1"], attempts=1)
    await ready(wire)
    await action(wire, "deallocate", ["1"])
    wire.fake.clock.advance(Timings().deallocate)
    assert (await action(wire, "delete", ["1"])).status == 202
    wire.fake.clock.advance(Timings().delete_attempt)
    vm = await vm_body(wire, "1", query={"$expand": "resiliencyView"})
    assert vm["properties"]["resilientVMDeletionStatus"] == "InProgress"
    assert (await statuses(wire, "1"))[1] == "PowerState/deallocated"
    wire.fake.clock.advance(Timings().delete_attempt)  # retry 1: due at once, 60 s long
    assert (await wire.send("GET", f"{S}/web/virtualMachines/1")).status == 404
    assert wire.fake.vm(RG, "web", "1").delete_attempts == 2


async def test_reimage_reprovisions_a_vm_resilient_create_left_failed(wire: Wire) -> None:
    wire.fake.faults.fail_create("OSProvisioningTimeout", instances=["1"])
    await wire.put("web", scale_set_body(2))
    wire.fake.clock.advance(Timings().create_time_limit)
    vm = wire.fake.vm(RG, "web", "1")
    assert vm.provisioning_state == "Failed" and vm.create_attempts == 4
    assert (await action(wire, "restart", ["1"])).status == 409  # only a reimage (or delete)
    wire.fake.faults.clear()
    wire.fake.clock.advance(3600)  # Resilient create does not come back to it
    assert vm.create_attempts == 4 and vm.provisioning_state == "Failed"
    reply = await action(wire, "reimage", ["1"])
    assert reply.status == 202
    assert await statuses(wire, "1") == ("ProvisioningState/updating", "PowerState/starting")
    wire.fake.clock.advance(Timings().reimage)
    assert await statuses(wire, "1") == ("ProvisioningState/succeeded", "PowerState/running")
    assert vm.create_attempts == 4 and started(wire.fake, "1") == ["reimage"]
    assert (await action(wire, "restart", ["1"])).status == 202  # an ordinary VM again


async def test_a_failed_reimage_is_not_retried(wire: Wire) -> None:
    wire.fake.faults.fail_create("OSProvisioningTimeout", instances=["0"])
    await wire.put("web", scale_set_body(1))
    wire.fake.clock.advance(Timings().create_time_limit)
    wire.fake.faults.fail_operation("reimage_all", "OSProvisioningTimeout", attempts=1)
    reply = await action(wire, "reimageall", vm="0")
    wire.fake.clock.advance(Timings().reimage)
    done = await operation(wire, reply)
    assert done["status"] == "Failed" and done["error"]["code"] == "OSProvisioningTimeout"
    wire.fake.clock.advance(3600)
    assert started(wire.fake, "0") == ["reimage_all"]  # Resilient create never retries it
    second = await action(wire, "reimageall", vm="0")
    wire.fake.clock.advance(Timings().reimage)
    assert (await operation(wire, second))["status"] == "Succeeded"


async def test_a_failed_operation_leaves_the_vm_failed_as_it_was(wire: Wire) -> None:
    handle = wire.fake.faults.fail_operation("deallocate", "InternalExecutionError", attempts=1)
    await ready(wire, capacity=2)
    reply = await action(wire, "deallocate", ["0", "1"])
    wire.fake.clock.advance(Timings().deallocate)
    done = await operation(wire, reply)
    assert done["status"] == "Failed" and done["error"]["code"] == "InternalExecutionError"
    assert sorted(d["target"] for d in done["error"]["details"]) == ["0", "1"]
    assert "failed to deallocate" in done["error"]["message"]
    view = (await wire.send("GET", f"{S}/web/virtualMachines/0/instanceView")).json
    assert view["statuses"][0]["code"] == "ProvisioningState/failed/InternalExecutionError"
    assert view["statuses"][0]["level"] == "Error"
    assert view["statuses"][1]["code"] == "PowerState/running"  # the power it had
    location = await wire.follow(reply.header("Location") or "")
    assert location.status == 409 and location.code == "InternalExecutionError"
    again = await action(wire, "deallocate", ["0"])  # attempts=1: the second run succeeds
    wire.fake.clock.advance(Timings().deallocate)
    assert (await operation(wire, again))["status"] == "Succeeded"
    assert await statuses(wire, "0") == ("ProvisioningState/succeeded", "PowerState/deallocated")
    handle.remove()


async def test_operation_faults_filter_like_create_faults(fake: FakeCompute) -> None:
    wire = Wire(fake)
    fake.faults.fail_operation("restart", "TransientFailure", scale_set="other")
    fake.faults.fail_operation("restart", "InternalExecutionError", instances=["1"])
    fake.faults.fail_operation("start", "AllocationFailed")  # another kind: not consulted
    await ready(wire)
    reply = await action(wire, "restart")
    wire.fake.clock.advance(Timings().restart)
    done = await operation(wire, reply)
    assert [d["target"] for d in done["error"]["details"]] == ["1"]
    assert fake.vm(RG, "web", "0").provisioning_state == "Succeeded"


def test_fail_operation_checks_its_arguments(fake: FakeCompute) -> None:
    with pytest.raises(ValueError, match="unknown operation 'reboot'; one of start, power_off"):
        fake.faults.fail_operation("reboot", "X")
    with pytest.raises(TypeError):
        fake.faults.fail_operation("restart", 7)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        fake.faults.fail_operation("restart", "X", probability=2)
    assert len(fake.faults) == 0


async def test_seeded_probability_repeats(fake: FakeCompute) -> None:
    async def run(seed: int) -> list[str]:
        other = FakeCompute(seed=seed, subscription_id=fake.subscription_id)
        other.faults.fail_operation("redeploy", "InternalExecutionError", probability=0.5)
        w = Wire(other)
        await ready(w, capacity=8)
        await action(w, "redeploy")
        other.clock.advance(Timings().redeploy)
        return [iid for iid in other.scale_set(RG, "web").instance_ids
                if other.vm(RG, "web", iid).provisioning_state == "Failed"]  # fmt: skip

    first = await run(3)
    assert first == await run(3) and 0 < len(first) < 8


async def test_a_delete_preempts_a_running_operation(wire: Wire) -> None:
    await ready(wire)
    reply = await action(wire, "redeploy", ["0", "1"])
    wire.fake.clock.advance(10)
    assert (await wire.send("DELETE", f"{S}/web/virtualMachines/0")).status == 202
    wire.fake.clock.advance(Timings().redeploy)
    done = await operation(wire, reply)
    assert done["status"] == "Failed" and done["error"]["code"] == "OperationPreempted"
    assert [d["target"] for d in done["error"]["details"]] == ["0"]
    assert (await wire.send("GET", f"{S}/web/virtualMachines/0")).status == 404
    events = [e.event for e in wire.fake.vm(RG, "web", "0").history]
    assert "operation-preempted" in events and events[-1] == "deleted"
    assert (await statuses(wire, "1"))[0] == "ProvisioningState/succeeded"


async def test_scale_in_preempts_an_operation_on_a_vm_it_takes(wire: Wire) -> None:
    await ready(wire)
    await action(wire, "restart", ["2"])
    assert (await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 2}})).status == 200
    wire.fake.clock.advance(READY)
    assert wire.fake.scale_set(RG, "web").instance_ids == ["0", "1"]


async def test_flexible_scale_sets_take_operations_too(wire: Wire) -> None:
    await wire.put("flex", scale_set_body(2, mode="Flexible"))
    wire.fake.clock.advance(READY)
    first, second = wire.fake.scale_set(RG, "flex").instance_ids
    assert (await action(wire, "deallocate", [first], name="flex")).status == 202
    assert (await action(wire, "restart", vm=second, name="flex")).status == 202
    wire.fake.clock.advance(60)
    assert wire.fake.vm(RG, "flex", first).power_state == "deallocated"
    view = (await wire.send("GET", f"{S}/flex/instanceView")).json
    counts = {i["code"]: i["count"] for i in view["virtualMachine"]["statusesSummary"]}
    assert counts["PowerState/deallocated"] == 1 and counts["PowerState/running"] == 1
