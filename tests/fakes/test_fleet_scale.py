"""The fake's fleet-scale paths answer exactly what the plain ones would.

Engine events batched per instant keep their order and their cancellations; VM list pages
written straight to bytes equal ``dump_json`` of the dict bodies; a VM's history kept as plain
tuples reads back as ``HistoryEvent`` objects.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from wire_support import SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute, HistoryEvent, VirtualClock
from fakevmss._instants import Instants
from fakevmss._wire._json import dump_json
from fakevmss._wire._serialize import VMBodies
from fakevmss._wire._vm_bytes import VMBytes, page_bytes


class Owner:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.stopped = False


def test_events_of_one_instant_share_a_timer_and_keep_their_order() -> None:
    clock, owner, ran = VirtualClock(), Owner(), []
    instants = Instants(clock, owner)
    for name in ("a", "b", "c"):
        instants.at(10.0, ran.append, name)
    instants.at(5.0, ran.append, "early")
    cancelled = instants.at(10.0, ran.append, "cancelled")
    cancelled.cancel()
    assert len(clock._heap) == 2  # one timer per distinct instant
    clock.advance(10.0)
    assert ran == ["early", "a", "b", "c"]
    assert instants.due == {}


def test_an_event_scheduled_for_a_running_instant_runs_after_it() -> None:
    clock, owner, ran = VirtualClock(), Owner(), []
    instants = Instants(clock, owner)

    def first() -> None:
        ran.append("first")
        instants.at(clock.now(), ran.append, "added while running")

    instants.at(1.0, first)
    instants.at(1.0, ran.append, "second")
    clock.advance(1.0)
    assert ran == ["first", "second", "added while running"]


def test_a_stopped_owner_runs_nothing_and_a_past_time_means_now() -> None:
    clock, owner, ran = VirtualClock(), Owner(), []
    instants = Instants(clock, owner)
    clock.advance(50.0)
    instants.at(10.0, ran.append, "late")  # in the past: runs at 50
    instants.at(60.0, ran.append, "after stop")
    clock.advance(0.0)
    assert ran == ["late"]
    owner.stopped = True
    clock.advance(20.0)
    assert ran == ["late"]


def test_an_event_passes_up_to_four_arguments() -> None:
    clock, ran = VirtualClock(), []
    instants = Instants(clock, Owner())
    instants.at(1.0, lambda *args: ran.append(args), 1, None, "x", 4.0)
    instants.at(1.0, lambda: ran.append(()))
    clock.advance(1.0)
    assert ran == [(1, None, "x", 4.0), ()]


async def test_a_vm_history_reads_back_as_history_events() -> None:
    fake = FakeCompute(seed=1)
    fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", attempts=1)
    fake.create_scale_set("rg", "web", capacity=1)
    fake.clock.advance(600)
    history = fake.vm("rg", "web", "0").history
    assert all(isinstance(event, HistoryEvent) for event in history)
    assert [(e.time, e.event, e.attempt, e.code) for e in history] == [
        (0.0, "create-attempt-started", 1, None),
        (480.0, "create-attempt-failed", 1, "OSProvisioningTimeout"),
        (480.0, "create-attempt-started", 2, None),
        (570.0, "created", 2, None),
    ]
    assert history[-1].state == "Succeeded" and history[-1].as_dict()["forced"] is False


def vm_variants(wire: Wire) -> list[Any]:
    scale_set = wire.fake.backend.sets.get(SUB, "rg", "web")
    return [scale_set, *scale_set.live_vms()]


@pytest.mark.parametrize("etag", [True, False])
@pytest.mark.parametrize("deletion_status", [True, False])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"tags": {"tëam": "plät\u2028form"}},  # non-ASCII: escaped alike
        {"sku": {"name": "Standard_D2s_v3", "tier": None, "capacity": 3}},
    ],
)
async def test_list_bodies_as_bytes_equal_the_dict_bodies(
    etag: bool, deletion_status: bool, extra: dict[str, Any]
) -> None:
    wire = Wire(FakeCompute(seed=2, subscription_id=SUB))
    body = scale_set_body(3, **extra)
    body["properties"]["virtualMachineProfile"]["storageProfile"]["imageReference"] = {
        "publisher": "Canonical",
        "sku": "22_04",
    }
    assert (await wire.put("web", body)).status == 201
    wire.fake.clock.advance(90)
    await wire.send("POST", f"{S}/web/delete", body={"instanceIds": ["1"]})
    # A new model (the VMs keep the one they run: latestModelApplied false, the old image).
    patch = {"properties": {"virtualMachineProfile": {"storageProfile": {"imageReference": {
        "publisher": "Canonical", "sku": "24_04"}}}}}  # fmt: skip
    assert (await wire.send("PATCH", f"{S}/web", body=patch)).status in (200, 202)
    wire.fake.clock.advance(600)
    scale_set, *vms = vm_variants(wire)
    vms[-1].protection = {"protectFromScaleIn": True}
    assert {vm.latest_model_applied for vm in vms} == {False}
    for instance_view, user_data, created in (
        (False, False, True),
        (False, False, False),
        (True, False, True),
        (False, True, True),
    ):
        flags: dict[str, Any] = {
            "etag": etag,
            "deletion_status": deletion_status,
            "instance_view": instance_view,
            "user_data": user_data,
            "time_created": created,
        }
        plain = VMBodies(scale_set, wire.fake.clock, **flags)
        fast = VMBytes(scale_set, wire.fake.clock, **flags)
        for vm in vms:
            assert fast.body_bytes(vm) == dump_json(plain.body(vm))
    items = [dump_json(plain.body(vm)) for vm in vms]
    expected = dump_json({"value": [plain.body(vm) for vm in vms], "nextLink": "https://x/\u00e9"})
    assert page_bytes(items, "https://x/\u00e9") == expected
    assert page_bytes([], None) == dump_json({"value": []})


async def test_a_listing_across_pages_keeps_numeric_order() -> None:
    wire = Wire(FakeCompute(seed=3, subscription_id=SUB, page_size=4))
    assert (await wire.put("web", scale_set_body(11))).status == 201
    ids: list[str] = []
    reply = await wire.send("GET", f"{S}/web/virtualMachines")
    while True:
        page = json.loads(reply.raw)
        ids += [vm["instanceId"] for vm in page["value"]]
        if "nextLink" not in page:
            break
        reply = await wire.follow(page["nextLink"])
    assert ids == [str(i) for i in range(11)]
