"""Power, reimage, redeploy and maintenance on the virtual clock: states and exact timings.

Every operation, on a scale set's VMs and on one VM: the VM shows ``Updating`` and the
operation's transitional power state for exactly its ``Timings`` duration, then its end state;
the LRO ends at that second (docs/fake/lifecycle.md).
"""

from __future__ import annotations

import dataclasses

import pytest
from lifecycle_support import READY, action, operation, ready, statuses, summary, vm_body
from wire_support import SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute, Timings
from fakevmss._vm_ops import VMOp

UPDATING = "ProvisioningState/updating"
SUCCEEDED = "ProvisioningState/succeeded"

#: (scale set action, VM action or None, power before, shown meanwhile, after, seconds)
OPERATIONS = [
    ("start", "start", "deallocated", "starting", "running", 30),
    ("poweroff", "poweroff", "running", "stopping", "stopped", 30),
    ("deallocate", "deallocate", "running", "deallocating", "deallocated", 60),
    ("restart", "restart", "running", "starting", "running", 60),
    ("reimage", "reimage", "running", "starting", "running", 120),
    ("reimageall", "reimageall", "running", "starting", "running", 120),
    ("redeploy", "redeploy", "running", "starting", "running", 180),
    ("performMaintenance", None, "running", "starting", "running", 300),
]


async def bring_to(wire: Wire, power: str, vm: str = "1") -> None:
    """Deallocate ``vm`` first when the case starts from ``deallocated``."""
    if power == "deallocated":
        wire.fake.backend.actions.on_vm(VMOp.DEALLOCATE, SUB, "rg", "web", vm)
        wire.fake.clock.advance(Timings().deallocate)
    assert (await statuses(wire, vm))[1] == f"PowerState/{power}"


#: Every operation on the scale set, and those the VM group also has on one VM.
CASES = [("scale set", *case) for case in OPERATIONS] + [
    ("vm", *case) for case in OPERATIONS if case[1] is not None
]


@pytest.mark.parametrize(
    ("on", "segment", "vm_segment", "before", "meanwhile", "after", "seconds"), CASES
)
async def test_operation_states_and_timing(
    wire: Wire,
    on: str,
    segment: str,
    vm_segment: str | None,
    before: str,
    meanwhile: str,
    after: str,
    seconds: float,
) -> None:
    await ready(wire)
    await bring_to(wire, before)
    if on == "vm":
        reply = await action(wire, vm_segment or segment, vm="1")
    else:
        reply = await action(wire, segment, ["1"])
    assert reply.status == 202 and reply.header("Location") and reply.header("Retry-After")
    started = wire.fake.clock.now()
    assert await statuses(wire, "1") == (UPDATING, f"PowerState/{meanwhile}")
    assert (await vm_body(wire, "1"))["properties"]["provisioningState"] == "Updating"
    assert (await operation(wire, reply))["status"] == "InProgress"
    assert await statuses(wire, "0") == (SUCCEEDED, "PowerState/running")  # untouched
    wire.fake.clock.advance(seconds - 1)
    assert (await statuses(wire, "1"))[0] == UPDATING
    wire.fake.clock.advance(1)
    assert await statuses(wire, "1") == (SUCCEEDED, f"PowerState/{after}")
    done = await operation(wire, reply)
    assert done["status"] == "Succeeded" and "error" not in done
    assert wire.fake.clock.now() - started == seconds
    events = wire.fake.vm("rg", "web", "1").history[-2:]
    assert [e.event for e in events] == ["operation-started", "operation-succeeded"]
    assert events[0].operation == events[1].operation is not None


async def test_a_scale_set_action_without_ids_takes_every_vm(wire: Wire) -> None:
    await ready(wire)
    reply = await action(wire, "deallocate")
    assert reply.status == 202
    assert await summary(wire) == {UPDATING: 3, "PowerState/deallocating": 3}
    wire.fake.clock.advance(60)
    assert await summary(wire) == {SUCCEEDED: 3, "PowerState/deallocated": 3}
    assert (await operation(wire, reply))["status"] == "Succeeded"


async def test_an_empty_body_or_no_instance_ids_means_every_vm(wire: Wire) -> None:
    await ready(wire, capacity=2)
    assert (await action(wire, "poweroff", body={})).status == 202
    wire.fake.clock.advance(30)
    assert await summary(wire) == {SUCCEEDED: 2, "PowerState/stopped": 2}


async def test_an_operation_with_nothing_to_do_ends_at_once(wire: Wire) -> None:
    await ready(wire, capacity=2)
    reply = await action(wire, "start", ["0", "1"])
    assert reply.status == 202
    assert (await operation(wire, reply))["status"] == "Succeeded"
    assert all(e.event != "operation-started" for e in wire.fake.vm("rg", "web", "0").history)


async def test_skip_shutdown_powers_off_faster(fake: FakeCompute) -> None:
    wire = Wire(fake)
    await ready(wire, capacity=2)
    assert (await action(wire, "poweroff", ["0"], skipShutdown="true")).status == 202
    assert (await action(wire, "poweroff", vm="1", skipShutdown="false")).status == 202
    fake.clock.advance(Timings().power_off_skip_shutdown)
    assert await statuses(wire, "0") == (SUCCEEDED, "PowerState/stopped")
    assert (await statuses(wire, "1"))[1] == "PowerState/stopping"
    fake.clock.advance(Timings().power_off - Timings().power_off_skip_shutdown)
    assert await statuses(wire, "1") == (SUCCEEDED, "PowerState/stopped")


async def test_timings_are_configurable() -> None:
    fast = dataclasses.replace(Timings(), restart=5.0)
    wire = Wire(FakeCompute(subscription_id=SUB, timings=fast))
    await ready(wire, capacity=1)
    await action(wire, "restart", vm="0")
    wire.fake.clock.advance(5)
    assert await statuses(wire, "0") == (SUCCEEDED, "PowerState/running")


async def test_instance_view_shapes(wire: Wire) -> None:
    await ready(wire, capacity=2)
    await action(wire, "restart", vm="1")
    view = (await wire.send("GET", f"{S}/web/virtualMachines/1/instanceView")).json
    assert view["statuses"] == [
        {"code": UPDATING, "level": "Info", "displayStatus": "Updating"},
        {"code": "PowerState/starting", "level": "Info", "displayStatus": "VM starting"},
    ]
    assert view["computerName"] == "web000001" and view["platformFaultDomain"] == 1
    expanded = await vm_body(wire, "1", query={"$expand": "instanceView"})
    assert expanded["properties"]["instanceView"] == view
    wire.fake.clock.advance(60)
    status = (await wire.send("GET", f"{S}/web/virtualMachines/1/instanceView")).json["statuses"][0]
    assert status["displayStatus"] == "Provisioning succeeded"
    assert status["time"].endswith("+00:00") and "T00:02:40" in status["time"]  # 100 s + 60 s
    scale_set = (await wire.send("GET", f"{S}/web/instanceView")).json
    assert scale_set["statuses"][0]["code"] == SUCCEEDED
    assert scale_set["virtualMachine"]["statusesSummary"] == [
        {"code": SUCCEEDED, "count": 2},
        {"code": "PowerState/running", "count": 2},
    ]


async def test_scale_set_view_counts_creating_failed_and_deleting_vms(wire: Wire) -> None:
    wire.fake.faults.fail_create("AllocationFailed", instances=["2"])
    await wire.put("web", scale_set_body(3))
    assert await summary(wire) == {"ProvisioningState/creating": 3, "PowerState/starting": 3}
    wire.fake.clock.advance(READY)
    await action(wire, "delete", ["0"])
    assert await summary(wire) == {
        "ProvisioningState/deleting": 1,
        "ProvisioningState/failed/AllocationFailed": 1,
        SUCCEEDED: 1,
        "PowerState/running": 2,
        "PowerState/stopped": 1,
    }
    view = (await wire.send("GET", f"{S}/web/instanceView")).json
    assert view["statuses"][0]["code"] == "ProvisioningState/failed"
    assert view["statuses"][0]["level"] == "Error"
