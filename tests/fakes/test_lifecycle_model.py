"""The scale set model and its upgrades: Manual, Automatic, Rolling (refused), on the clock."""

from __future__ import annotations

from typing import Any

import pytest
from lifecycle_support import action, operation, ready, statuses, vm_body
from wire_support import S, Wire, scale_set_body

from fakevmss import Timings

UPGRADE = Timings().model_upgrade
NEW_IMAGE = {
    "properties": {
        "virtualMachineProfile": {
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "ubuntu-24_04-lts",
                    "sku": "server",
                    "version": "latest",
                }
            }
        }
    }
}


def with_mode(mode: str, capacity: int = 3) -> dict[str, Any]:
    body = scale_set_body(capacity)
    body["properties"]["upgradePolicy"] = {"mode": mode}
    return body


async def applied(wire: Wire) -> dict[str, bool]:
    reply = await wire.send("GET", f"{S}/web/virtualMachines")
    return {vm["instanceId"]: vm["properties"]["latestModelApplied"] for vm in reply.json["value"]}


async def test_manual_leaves_vms_on_the_old_model_until_update_instances(wire: Wire) -> None:
    await wire.put("web", with_mode("Manual"))
    wire.fake.clock.advance(100)
    patched = await wire.send("PATCH", f"{S}/web", NEW_IMAGE)
    assert patched.status == 200
    assert (await operation(wire, patched))["status"] == "Succeeded"  # nothing to do at once
    assert await applied(wire) == {"0": False, "1": False, "2": False}
    reply = await action(wire, "manualupgrade", ["0", "2"])
    assert reply.status == 202
    assert (await vm_body(wire, "0"))["properties"]["provisioningState"] == "Updating"
    assert (await statuses(wire, "0"))[1] == "PowerState/running"  # an upgrade keeps power
    wire.fake.clock.advance(UPGRADE - 1)
    assert await applied(wire) == {"0": False, "1": False, "2": False}
    wire.fake.clock.advance(1)
    assert await applied(wire) == {"0": True, "1": False, "2": True}
    assert (await vm_body(wire, "0"))["properties"]["provisioningState"] == "Succeeded"
    assert (await operation(wire, reply))["status"] == "Succeeded"


async def test_update_instances_needs_instance_ids(wire: Wire) -> None:
    await ready(wire)
    for body in (None, {}, {"instanceIds": []}):
        reply = await action(wire, "manualupgrade", body=body)
        assert reply.status == 400, body
    assert all(e.event != "operation-started" for e in wire.fake.vm("rg", "web", "0").history)


async def test_a_vm_on_the_latest_model_has_nothing_to_upgrade(wire: Wire) -> None:
    await ready(wire)
    reply = await action(wire, "manualupgrade", ["1"])
    assert (await operation(wire, reply))["status"] == "Succeeded"
    assert (await vm_body(wire, "1"))["properties"]["provisioningState"] == "Succeeded"


async def test_new_vms_get_the_latest_model(wire: Wire) -> None:
    await ready(wire, capacity=1)
    await wire.send("PATCH", f"{S}/web", NEW_IMAGE)
    await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 2}})
    wire.fake.clock.advance(100)
    assert await applied(wire) == {"0": False, "1": True}


async def test_changes_outside_the_model_do_not_age_vms(wire: Wire) -> None:
    await ready(wire)
    await wire.send("PATCH", f"{S}/web", {"tags": {"team": "b"}, "sku": {"capacity": 3}})
    assert await applied(wire) == {"0": True, "1": True, "2": True}


async def test_a_vm_size_change_is_a_model_change(wire: Wire) -> None:
    await ready(wire, capacity=1)
    await wire.send("PATCH", f"{S}/web", {"sku": {"name": "Standard_D4s_v3"}})
    assert await applied(wire) == {"0": False}


async def test_automatic_upgrades_every_vm_as_part_of_the_update(wire: Wire) -> None:
    await wire.put("web", with_mode("Automatic"))
    wire.fake.clock.advance(100)
    patched = await wire.send("PATCH", f"{S}/web", NEW_IMAGE)
    assert patched.json["properties"]["provisioningState"] == "Updating"
    assert (await vm_body(wire, "1"))["properties"]["provisioningState"] == "Updating"
    assert (await operation(wire, patched))["status"] == "InProgress"
    wire.fake.clock.advance(UPGRADE)
    assert await applied(wire) == {"0": True, "1": True, "2": True}
    assert (await operation(wire, patched))["status"] == "Succeeded"
    scale_set = await wire.send("GET", f"{S}/web")
    assert scale_set.json["properties"]["provisioningState"] == "Succeeded"


async def test_automatic_skips_vms_that_cannot_take_it(wire: Wire) -> None:
    await wire.put("web", with_mode("Automatic"))
    wire.fake.clock.advance(100)
    await action(wire, "restart", vm="2")
    await wire.send("PATCH", f"{S}/web", NEW_IMAGE)
    wire.fake.clock.advance(UPGRADE)
    assert await applied(wire) == {"0": True, "1": True, "2": False}  # it was restarting


@pytest.mark.parametrize("how", ["PATCH", "PUT"])
async def test_rolling_model_changes_are_refused_and_change_nothing(wire: Wire, how: str) -> None:
    await wire.put("web", with_mode("Rolling"))
    wire.fake.clock.advance(100)
    before = (await wire.send("GET", f"{S}/web")).json
    if how == "PATCH":
        reply = await wire.send("PATCH", f"{S}/web", NEW_IMAGE)
    else:
        body = with_mode("Rolling")
        body["properties"]["virtualMachineProfile"]["storageProfile"]["imageReference"] = {
            "publisher": "Canonical"
        }
        reply = await wire.put("web", body)
    assert reply.status == 400 and reply.code == "OperationNotAllowed"
    assert reply.json["error"]["target"] == "properties.upgradePolicy.mode"
    assert "rolling upgrades" in reply.json["error"]["message"]
    assert (await wire.send("GET", f"{S}/web")).json == before
    assert await applied(wire) == {"0": True, "1": True, "2": True}


async def test_rolling_takes_other_changes_and_switching_mode_with_the_model(wire: Wire) -> None:
    await wire.put("web", with_mode("Rolling"))
    wire.fake.clock.advance(100)
    assert (await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 4}})).status == 200
    switch = {**NEW_IMAGE, "properties": {**NEW_IMAGE["properties"]}}
    switch["properties"]["upgradePolicy"] = {"mode": "Manual"}
    assert (await wire.send("PATCH", f"{S}/web", switch)).status == 200
    wire.fake.clock.advance(100)
    assert await applied(wire) == {"0": False, "1": False, "2": False, "3": False}


async def test_approve_rolling_upgrade_is_refused(wire: Wire) -> None:
    await wire.put("web", with_mode("Rolling"))
    reply = await action(wire, "approveRollingUpgrade", ["0"])
    assert reply.status == 400 and reply.code == "OperationNotAllowed"
    assert "no rolling upgrade awaiting approval" in reply.json["error"]["message"]
    old = await action(wire, "approveRollingUpgrade", api="2023-07-01")
    assert old.status == 400 and old.code == "NoRegisteredProviderFound"
    assert "'2024-07-01'" in old.json["error"]["message"]
    missing = await action(wire, "approveRollingUpgrade", name="nope")
    assert missing.status == 404


async def test_a_vm_on_an_old_model_shows_that_model(wire: Wire) -> None:
    await ready(wire, capacity=2)
    old = await vm_body(wire, "0")
    await wire.send("PATCH", f"{S}/web", NEW_IMAGE)
    stale = await vm_body(wire, "0")
    assert "imageReference" not in stale["properties"]["storageProfile"]
    stale["properties"]["protectionPolicy"] = {"protectFromScaleIn": True}
    assert (await wire.send("PUT", f"{S}/web/virtualMachines/0", stale)).status == 200
    assert old["properties"]["storageProfile"] == stale["properties"]["storageProfile"]
    wire.fake.clock.advance(Timings().vm_update)
    await action(wire, "manualupgrade", ["0"])
    wire.fake.clock.advance(UPGRADE)
    image = (await vm_body(wire, "0"))["properties"]["storageProfile"]["imageReference"]
    assert image["offer"] == "ubuntu-24_04-lts"
    assert len(wire.fake.backend.scale_sets[(wire.fake.subscription_id.lower(), "rg", "web")]
               .old_models) == 1  # fmt: skip
