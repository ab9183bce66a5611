"""Emulation model conformance, Resilient create: attempts, timeouts, the 30-minute bound, policy.

The model is docs/fake/emulation.md.

Every test names the documented statement it proves and goes through the public surface only
(``FakeCompute``, ``fake.handle`` with raw ARM JSON), on the virtual clock, with exact times.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wire_support import RG, SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute, Timings


def new_wire(**timings: Any) -> Wire:
    return Wire(
        FakeCompute(seed=0, subscription_id=SUB, timings=dataclasses.replace(Timings(), **timings))
    )


def attempt_starts(fake: FakeCompute, name: str, instance_id: str = "0") -> list[float]:
    history = fake.vm(RG, name, instance_id, subscription=SUB).history
    return [h.time for h in history if h.event == "create-attempt-started"]


async def at(wire: Wire, t: float) -> None:
    wire.fake.clock.advance(t - wire.fake.clock.now())


async def vm_state(wire: Wire, name: str, instance_id: str = "0") -> str:
    reply = await wire.send("GET", f"{S}/{name}/virtualMachines/{instance_id}")
    state: str = reply.json["properties"]["provisioningState"]
    return state


async def scale_set_state(wire: Wire, name: str) -> str:
    state: str = (await wire.send("GET", f"{S}/{name}")).json["properties"]["provisioningState"]
    return state


async def operation(wire: Wire, url: str | None) -> dict[str, Any]:
    assert url is not None
    body: dict[str, Any] = (await wire.follow(url)).json
    return body


async def test_linux_always_timing_out_four_attempts_failed_at_exactly_1800(wire: Wire) -> None:
    """§6 Resilient create: Creating throughout; 4 Linux attempts (0/8/16/24 min), Failed at 30."""
    wire.fake.faults.fail_create("OSProvisioningTimeout")
    put = await wire.put("web", scale_set_body(1))
    url = put.header("Azure-AsyncOperation")
    for t in (0, 479, 480, 959, 960, 1439, 1440, 1799.9):
        await at(wire, t)
        assert await vm_state(wire, "web") == "Creating", t
        assert await scale_set_state(wire, "web") == "Creating", t
        assert (await operation(wire, url))["status"] == "InProgress", t
    await at(wire, 1800)
    assert await vm_state(wire, "web") == "Failed"
    assert await scale_set_state(wire, "web") == "Failed"
    assert attempt_starts(wire.fake, "web") == [0, 480, 960, 1440]
    op = await operation(wire, url)
    assert op["status"] == "Failed" and op["error"]["code"] == "OSProvisioningTimeout"
    assert [d["target"] for d in op["error"]["details"]] == ["0"]


async def test_windows_vm_start_timeout_two_attempts_failed_at_exactly_1800(wire: Wire) -> None:
    """§6 Resilient create: a Windows VM times out at 20 min, so 2 attempts (0, 20 min)."""
    wire.fake.faults.fail_create("VMStartTimeout")
    await wire.put("win", scale_set_body(1, os_type="Windows"))
    await at(wire, 1799)
    assert await vm_state(wire, "win") == "Creating"
    await at(wire, 1800)
    assert await vm_state(wire, "win") == "Failed"
    assert attempt_starts(wire.fake, "win") == [0, 1200]
    assert wire.fake.vm(RG, "win", "0", subscription=SUB).history[-1].code == "VMStartTimeout"


async def test_five_attempts_in_total_when_timings_are_short() -> None:
    """§6 table: 5 attempts per VM (the first create and 4 retries), then Failed."""
    wire = new_wire(provisioning_timeout_linux=100)
    wire.fake.faults.fail_create("OSProvisioningTimeout")
    await wire.put("web", scale_set_body(1))
    await at(wire, 499)
    assert await vm_state(wire, "web") == "Creating"
    await at(wire, 500)
    assert await vm_state(wire, "web") == "Failed"
    assert attempt_starts(wire.fake, "web") == [0, 100, 200, 300, 400]


async def test_attempt_ending_exactly_at_the_30_minute_bound_is_not_retried() -> None:
    """§6: the bound is 30 min from the first attempt; a timeout landing on it ends the VM."""
    wire = new_wire(provisioning_timeout_linux=450)
    wire.fake.faults.fail_create("OSProvisioningTimeout")
    await wire.put("web", scale_set_body(1))
    await at(wire, 3600)
    assert attempt_starts(wire.fake, "web") == [0, 450, 900, 1350]
    last = wire.fake.vm(RG, "web", "0", subscription=SUB).history[-1]
    assert (last.event, last.time, last.code) == ("create-failed", 1800, "OSProvisioningTimeout")


async def test_attempt_running_at_the_bound_is_stopped_with_the_last_timeout_code() -> None:
    """§6: an attempt still running at 30 min is stopped; the VM ends Failed (last timeout)."""
    wire = new_wire(provisioning_timeout_linux=700, create_linux=500)
    wire.fake.faults.fail_create("OSProvisioningTimeout", attempts=2)
    await wire.put("web", scale_set_body(1))
    await at(wire, 1799)
    assert await vm_state(wire, "web") == "Creating"
    await at(wire, 1800)  # the third attempt (1400 + 500 = 1900) would have succeeded
    assert await vm_state(wire, "web") == "Failed"
    assert attempt_starts(wire.fake, "web") == [0, 700, 1400]
    assert wire.fake.vm(RG, "web", "0", subscription=SUB).history[-1].code == (
        "OSProvisioningTimeout"
    )


async def test_retry_is_not_faster_two_timeouts_then_success_at_1050(wire: Wire) -> None:
    """§6: timeouts at 8 and 16 min, then a full 90 s attempt: Succeeded at exactly 1050 s."""
    wire.fake.faults.fail_create("OSProvisioningTimeout", attempts=2)
    put = await wire.put("web", scale_set_body(1))
    await at(wire, 1049)
    assert await vm_state(wire, "web") == "Creating"
    await at(wire, 1050)
    assert await vm_state(wire, "web") == "Succeeded"
    assert await scale_set_state(wire, "web") == "Succeeded"
    op = await operation(wire, put.header("Azure-AsyncOperation"))
    assert op["status"] == "Succeeded" and "error" not in op


async def test_only_timeout_codes_are_retried(wire: Wire) -> None:
    """§6: AllocationFailed, QuotaExceeded, ... are never retried; they fail at 90 s."""
    wire.fake.faults.fail_create("AllocationFailed", instances=["0"])
    wire.fake.faults.fail_create("QuotaExceeded", instances=["1"])
    put = await wire.put("web", scale_set_body(3))
    await at(wire, 89)
    assert await scale_set_state(wire, "web") == "Creating"
    await at(wire, 90)
    assert [await vm_state(wire, "web", i) for i in "012"] == ["Failed", "Failed", "Succeeded"]
    assert [wire.fake.vm(RG, "web", i, subscription=SUB).create_attempts for i in "01"] == [1, 1]
    op = await operation(wire, put.header("Azure-AsyncOperation"))
    assert op["error"]["code"] == "AllocationFailed"
    assert [(d["code"], d["target"]) for d in op["error"]["details"]] == [
        ("AllocationFailed", "0"),
        ("QuotaExceeded", "1"),
    ]


async def test_policy_disabled_makes_one_attempt_failing_at_the_timeout(wire: Wire) -> None:
    """§6: without the creation policy a timeout is final (one attempt, Failed at 8 min)."""
    wire.fake.faults.fail_create("OSProvisioningTimeout")
    await wire.put("web", scale_set_body(1, create_policy=False))
    await at(wire, 479)
    assert await vm_state(wire, "web") == "Creating"
    await at(wire, 480)
    assert await vm_state(wire, "web") == "Failed"
    assert attempt_starts(wire.fake, "web") == [0]


async def test_scale_out_is_resilient_and_the_scale_set_shows_updating(wire: Wire) -> None:
    """§6: scale-out gets Resilient create; the scale set is Updating until new VMs settle."""
    await wire.put("web", scale_set_body(1))
    await at(wire, 100)
    wire.fake.faults.fail_create("OSProvisioningTimeout", instances=["1"], attempts=1)
    patch = await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 2}})
    assert patch.json["properties"]["provisioningState"] == "Updating"
    await at(wire, 100 + 480 + 89)
    assert await scale_set_state(wire, "web") == "Updating"
    assert await vm_state(wire, "web", "1") == "Creating"
    await at(wire, 100 + 480 + 90)
    assert await scale_set_state(wire, "web") == "Succeeded"
    assert attempt_starts(wire.fake, "web", "1") == [100, 580]


async def test_attach_to_flexible_is_excluded_from_resilient_create(wire: Wire) -> None:
    """§6 (seed FAQ): Resilient create never runs for a VM attached to a Flexible scale set."""
    await wire.put("flex", scale_set_body(0, mode="Flexible"))
    wire.fake.faults.fail_create("OSProvisioningTimeout")
    view = wire.fake.attach_vm(RG, "flex", subscription=SUB)
    await at(wire, 480)
    assert (view.provisioning_state, view.create_attempts) == ("Failed", 1)


async def test_policy_change_mid_create_uses_the_snapshot(wire: Wire) -> None:
    """§6: a VM already in a resilient create finishes it under the policy it started with."""
    wire.fake.faults.fail_create("OSProvisioningTimeout", attempts=2)
    await wire.put("web", scale_set_body(1))
    await at(wire, 10)
    off = {"properties": {"resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": False}}}}
    assert (await wire.send("PATCH", f"{S}/web", off)).status == 200
    await at(wire, 1050)
    assert await vm_state(wire, "web") == "Succeeded"
    assert attempt_starts(wire.fake, "web") == [0, 480, 960]
