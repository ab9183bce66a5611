"""Emulation model conformance, Resilient delete: states, status values, retry schedule, batching.

The model is docs/fake/emulation.md.

Every test names the documented statement it proves and goes through the public surface only
(``FakeCompute``, ``fake.handle`` with raw ARM JSON), on the virtual clock, with exact times.
Each test creates its VMs (90 s) and starts deleting at ``T0``; times below are from ``T0``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wire_support import RG, SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute, Timings

T0 = 100.0
#: Start of each of the 6 attempts of an always-failing VM: the user's, then retries 1-5
#: due 0, 10, 20, 40, 80 min after the previous attempt failed (each attempt takes 60 s).
ALWAYS_FAILING_STARTS = [0, 60, 720, 1980, 4440, 9300]
RETRIES_SPENT = 9360


async def ready(wire: Wire, capacity: int = 1, name: str = "web", **body: Any) -> None:
    assert (await wire.put(name, scale_set_body(capacity, **body))).status == 201
    wire.fake.clock.advance(T0 - wire.fake.clock.now())


async def at(wire: Wire, t: float) -> None:
    wire.fake.clock.advance(T0 + t - wire.fake.clock.now())


async def seen(wire: Wire, instance_id: str = "0", name: str = "web") -> tuple[str, str] | int:
    """(provisioningState, resilientVMDeletionStatus) from GET VM, or the HTTP status."""
    reply = await wire.send(
        "GET", f"{S}/{name}/virtualMachines/{instance_id}", query={"$expand": "resiliencyView"}
    )
    if reply.status != 200:
        return reply.status
    props = reply.json["properties"]
    return props["provisioningState"], props["resilientVMDeletionStatus"]


async def listed(wire: Wire, name: str = "web") -> dict[str, tuple[str, str]]:
    reply = await wire.send("GET", f"{S}/{name}/virtualMachines")
    return {
        vm["instanceId"]: (
            vm["properties"]["provisioningState"],
            vm["properties"]["resilientVMDeletionStatus"],
        )
        for vm in reply.json["value"]
    }


def delete_starts(wire: Wire, instance_id: str = "0", name: str = "web") -> list[float]:
    history = wire.fake.vm(RG, name, instance_id, subscription=SUB).history
    return [h.time - T0 for h in history if h.event == "delete-attempt-started"]


def rounds(wire: Wire, name: str = "web") -> list[tuple[float, list[str]]]:
    history = wire.fake.scale_set(RG, name, subscription=SUB).history
    return [(event.time - T0, event.instance_ids) for event in history]


async def status_of(wire: Wire, url: str | None) -> dict[str, Any]:
    assert url is not None
    body: dict[str, Any] = (await wire.follow(url)).json
    return body


async def test_retry_schedule_0_10_20_40_80_min_after_each_failure_then_failed(
    wire: Wire,
) -> None:
    """§6: 5 forced retries due 0/10/20/40/80 min after the previous failure; then Failed."""
    await ready(wire)
    wire.fake.faults.fail_delete("TransientFailure")
    assert (await wire.send("DELETE", f"{S}/web/virtualMachines/0")).status == 202
    expected = {
        0: ("Deleting", "InProgress"),
        59: ("Deleting", "InProgress"),
        60: ("Deleting", "InProgress"),  # failed, and retry 1 (delay 0) started at once
        120: ("Failed", "InProgress"),
        719: ("Failed", "InProgress"),
        720: ("Deleting", "InProgress"),
        780: ("Failed", "InProgress"),
        1980: ("Deleting", "InProgress"),
        9299: ("Failed", "InProgress"),
        9300: ("Deleting", "InProgress"),
        9359: ("Deleting", "InProgress"),
        RETRIES_SPENT: ("Failed", "Failed"),
        RETRIES_SPENT + 10_000: ("Failed", "Failed"),
    }
    for t, states in expected.items():
        await at(wire, t)
        assert await seen(wire) == states, t
        assert await listed(wire) == {"0": states}, t
    assert delete_starts(wire) == ALWAYS_FAILING_STARTS
    forced = [h.forced for h in wire.fake.vm(RG, "web", "0", subscription=SUB).history]
    assert forced.count(True) >= 5  # every retry is a forced delete
    assert wire.fake.vm(RG, "web", "0", subscription=SUB).delete_attempts == 6


async def test_delay_counts_from_the_previous_failure_not_its_start() -> None:
    """§6: retry k is due delay k after the previous attempt FAILED (here attempts take 300 s)."""
    timings = dataclasses.replace(Timings(), delete_attempt=300.0)
    wire = Wire(FakeCompute(seed=0, subscription_id=SUB, timings=timings))
    await ready(wire)
    wire.fake.faults.fail_delete("InternalExecutionError", attempts=3)
    await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    await at(wire, 5000)
    assert delete_starts(wire) == [0, 300, 600 + 600, 1500 + 1200]
    assert await seen(wire) == 404


async def test_seed_example_one_call_retries_all_five_then_the_fifth_10_min_later(
    wire: Wire,
) -> None:
    """§6 (seed): five VMs fail; one call retries all five; four go; the fifth 10 min later."""
    await ready(wire, 5)
    wire.fake.faults.fail_delete("InternalExecutionError", instances=["4"], attempts=2)
    wire.fake.faults.fail_delete("InternalOperationError", attempts=1)
    deleted = await wire.send("DELETE", f"{S}/web")
    url = deleted.header("Azure-AsyncOperation")
    await at(wire, 59)
    assert (await status_of(wire, url))["status"] == "InProgress"
    await at(wire, 60)
    op = await status_of(wire, url)  # the LRO reports the first attempts (our reading)
    assert op["status"] == "Failed" and op["error"]["code"] == "InternalOperationError"
    await at(wire, 120)
    assert await listed(wire) == {"4": ("Failed", "InProgress")}
    get = await wire.send("GET", f"{S}/web")
    assert get.json["properties"]["provisioningState"] == "Deleting"
    await at(wire, 779)
    assert await listed(wire) == {"4": ("Deleting", "InProgress")}
    await at(wire, 780)
    assert (await wire.send("GET", f"{S}/web")).code == "ResourceNotFound"
    assert rounds(wire) == [(60, ["0", "1", "2", "3", "4"]), (720, ["4"])]


async def test_rounds_cover_every_vm_due_by_then_and_only_those(wire: Wire) -> None:
    """§6: retries are batched per scale set; VMs due at other times get their own calls."""
    await ready(wire, 3)
    wire.fake.faults.fail_delete("InternalExecutionError", attempts=2)
    await wire.send("POST", f"{S}/web/delete", {"instanceIds": ["0", "1"]})
    await at(wire, 30)
    await wire.send("DELETE", f"{S}/web/virtualMachines/2")
    await at(wire, 2000)
    assert rounds(wire) == [(60, ["0", "1"]), (90, ["2"]), (720, ["0", "1"]), (750, ["2"])]


async def test_fallback_running_alternates_with_deleting(wire: Wire) -> None:
    """§6 / seed: a failed retry falls back to Running (as the fault says), then Deleting again."""
    await ready(wire)
    wire.fake.faults.fail_delete("InternalExecutionError", attempts=2, fallback_state="Running")
    await wire.send("DELETE", f"{S}/web/virtualMachines/0", query={"forceDeletion": "true"})
    timeline = []
    for t in (0, 60, 120, 719, 720, 779, 780):
        await at(wire, t)
        timeline.append(await seen(wire))
    assert timeline == [
        ("Deleting", "InProgress"),
        ("Deleting", "InProgress"),
        ("Running", "InProgress"),
        ("Running", "InProgress"),
        ("Deleting", "InProgress"),
        ("Deleting", "InProgress"),
        404,
    ]


async def test_delete_lro_succeeds_when_the_first_attempts_delete_everything(wire: Wire) -> None:
    """§6: the delete LRO is Succeeded when all targeted VMs are gone; Location then 204."""
    await ready(wire, 2)
    deleted = await wire.send("POST", f"{S}/web/delete", {"instanceIds": ["0", "1"]})
    location = deleted.header("Location")
    assert location is not None
    await at(wire, 59)
    assert (await wire.follow(location)).status == 202
    await at(wire, 60)
    assert (await wire.follow(location)).status == 204
    op = await status_of(wire, deleted.header("Azure-AsyncOperation"))
    assert op["status"] == "Succeeded" and "error" not in op


async def test_retries_go_on_after_the_lro_has_ended(wire: Wire) -> None:
    """§6: the LRO ends Failed with the first error; the VM is still retried and goes later."""
    await ready(wire)
    wire.fake.faults.fail_delete("InternalExecutionError", attempts=1)
    deleted = await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    await at(wire, 60)
    op = await status_of(wire, deleted.header("Azure-AsyncOperation"))
    assert op["status"] == "Failed" and op["error"]["code"] == "InternalExecutionError"
    location = await wire.follow(str(deleted.header("Location")))
    assert location.status == 409 and location.code == "InternalExecutionError"
    await at(wire, 119)
    assert await seen(wire) == ("Deleting", "InProgress")
    await at(wire, 120)
    reply = await wire.send("GET", f"{S}/web/virtualMachines/0")
    assert (reply.status, reply.code) == (404, "ResourceNotFound")


async def test_scale_set_delete_ends_failed_when_vms_remain_after_their_retries(
    wire: Wire,
) -> None:
    """§6: DELETE S/{name} shows Deleting, then Failed (scale set kept) if VMs remain."""
    await ready(wire, 2)
    wire.fake.faults.fail_delete("InternalExecutionError", instances=["1"])
    await wire.send("DELETE", f"{S}/web")
    await at(wire, RETRIES_SPENT - 1)
    assert (await wire.send("GET", f"{S}/web")).json["properties"]["provisioningState"] == (
        "Deleting"
    )
    await at(wire, RETRIES_SPENT)
    got = await wire.send("GET", f"{S}/web")
    assert (got.status, got.json["properties"]["provisioningState"]) == (200, "Failed")
    assert await listed(wire) == {"1": ("Failed", "Failed")}


async def test_scale_set_delete_without_the_policy_fails_after_one_attempt(wire: Wire) -> None:
    """§6: policy disabled: status Disabled, no retries, the VM and the scale set end Failed."""
    await ready(wire, 1, delete_policy=False)
    wire.fake.faults.fail_delete("InternalExecutionError")
    await wire.send("DELETE", f"{S}/web")
    assert await seen(wire) == ("Deleting", "Disabled")
    await at(wire, 60)
    assert await seen(wire) == ("Failed", "Disabled")
    assert (await wire.send("GET", f"{S}/web")).json["properties"]["provisioningState"] == "Failed"
    await at(wire, 20_000)
    assert delete_starts(wire) == [0]


async def test_deleting_all_instances_leaves_an_empty_scale_set(wire: Wire) -> None:
    """§6: delete instances, even all, leaves an empty scale set; list VMs is {"value": []}."""
    await ready(wire, 2)
    await wire.send("POST", f"{S}/web/delete", {"instanceIds": ["0", "1"]})
    await at(wire, 60)
    assert (await wire.send("GET", f"{S}/web/virtualMachines")).json == {"value": []}
    got = await wire.send("GET", f"{S}/web")
    assert got.status == 200 and got.json["sku"]["capacity"] == 0
    assert got.json["properties"]["provisioningState"] == "Succeeded"


async def test_scale_in_deletes_the_highest_instance_ids_first(wire: Wire) -> None:
    """§6: a lower sku.capacity deletes the highest ids first, under Resilient delete."""
    await ready(wire, 5)
    await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 3}})
    states = await listed(wire)
    assert {i: s for i, s in states.items() if s[0] == "Deleting"} == {
        "3": ("Deleting", "InProgress"),
        "4": ("Deleting", "InProgress"),
    }
    await at(wire, 60)
    assert list(await listed(wire)) == ["0", "1", "2"]


async def test_deletion_policy_change_mid_flight_uses_the_snapshot(wire: Wire) -> None:
    """§6 (FAQ): in-progress retries complete before a policy change takes effect."""
    await ready(wire)
    wire.fake.faults.fail_delete("InternalExecutionError")
    await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    await at(wire, 61)
    off = {"properties": {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": False}}}}
    assert (await wire.send("PATCH", f"{S}/web", off)).status == 200
    await at(wire, RETRIES_SPENT)
    assert delete_starts(wire) == ALWAYS_FAILING_STARTS
    assert await seen(wire) == ("Failed", "Failed")


async def test_status_not_visible_at_2023_07_01_during_resilient_delete(wire: Wire) -> None:
    """§4/§6: at 2023-07-01 list VMs carries no resilientVMDeletionStatus, even mid-delete."""
    await ready(wire)
    await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    old = await wire.send("GET", f"{S}/web/virtualMachines", api="2023-07-01")
    (vm,) = old.json["value"]
    assert vm["properties"]["provisioningState"] == "Deleting"
    assert "resilientVMDeletionStatus" not in vm["properties"]


async def test_fail_for_resilient_vm_deletion_at_disk_detach_tag_is_honoured(wire: Wire) -> None:
    """§5 quirk: a VM tagged FailForResilientVMDeletionAtDiskDetach fails every delete attempt."""
    await ready(wire, 1, tags={"FailForResilientVMDeletionAtDiskDetach": "true"})
    await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    await at(wire, RETRIES_SPENT)
    assert await seen(wire) == ("Failed", "Failed")
    assert delete_starts(wire) == ALWAYS_FAILING_STARTS


async def test_fault_attempts_n_counts_each_vms_own_attempts(wire: Wire) -> None:
    """§7: attempts=N fails each matching VM's first N attempts (counted per VM)."""
    await ready(wire, 2)
    wire.fake.faults.fail_delete("InternalExecutionError", attempts=1)
    await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    await at(wire, 200)
    await wire.send("DELETE", f"{S}/web/virtualMachines/1")
    await at(wire, 320)
    assert delete_starts(wire, "0") == [0, 60]
    assert delete_starts(wire, "1") == [200, 260]
    assert await listed(wire) == {}


async def _outcomes(seed: int) -> list[list[float]]:
    wire = Wire(FakeCompute(seed=seed, subscription_id=SUB))
    await ready(wire, 20)
    wire.fake.faults.fail_delete("InternalExecutionError", probability=0.5)
    ids = [str(i) for i in range(20)]
    assert (await wire.send("POST", f"{S}/web/delete", {"instanceIds": ids})).status == 202
    await at(wire, RETRIES_SPENT)
    return [delete_starts(wire, i) for i in ids]


async def test_probability_is_drawn_per_attempt_from_the_seeded_source() -> None:
    """§7: probability draws per attempt from the fake's seeded source: same seed, same run."""
    first, again, other = await _outcomes(11), await _outcomes(11), await _outcomes(12)
    assert first == again
    assert first != other
    # Drawn per attempt: VMs needed different numbers of attempts, some more than one.
    assert len({len(starts) for starts in first}) > 1
    assert max(len(starts) for starts in first) > 1


async def test_policy_disabled_vm_stays_failed_even_with_a_running_fallback(wire: Wire) -> None:
    """§6: with the policy disabled, no retries and the VM stays Failed (fallback_state applies
    only to attempts Resilient delete will retry; otherwise a waiter could never settle)."""
    await ready(wire, 1, delete_policy=False)
    wire.fake.faults.fail_delete("InternalExecutionError", fallback_state="Running")
    await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    await at(wire, 60)
    assert await seen(wire) == ("Failed", "Disabled")
    await at(wire, 20_000)
    assert await seen(wire) == ("Failed", "Disabled")
    assert delete_starts(wire) == [0]


async def test_last_retry_failing_with_a_running_fallback_leaves_the_vm_failed(
    wire: Wire,
) -> None:
    """§6: when retries are spent, status Failed and the VM stays Failed (never Running)."""
    await ready(wire)
    wire.fake.faults.fail_delete("InternalExecutionError", fallback_state="Running")
    await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    await at(wire, 9299)
    assert await seen(wire) == ("Running", "InProgress")
    await at(wire, RETRIES_SPENT)
    assert await seen(wire) == ("Failed", "Failed")
    states = [h.state for h in wire.fake.vm(RG, "web", "0", subscription=SUB).history]
    assert states[-2:] == ["Failed", "Failed"]  # the last failed attempt, then exhaustion
