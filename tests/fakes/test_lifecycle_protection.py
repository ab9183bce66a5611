"""The VM's PUT and instance protection, as Microsoft's instance protection page documents it.

- protectFromScaleIn: a scale-in skips the VM; explicit deletes and scale set actions do not.
- protectFromScaleSetActions: scale-in and scale set actions (upgrade, reimage, deallocate, ...)
  skip the VM; operations on the VM itself, its explicit delete and the scale set's delete do not.
"""

from __future__ import annotations

from typing import Any

import pytest
from lifecycle_support import action, operation, ready, statuses, vm_body
from wire_support import RG, S, Wire, scale_set_body

from fakevmss import Timings

VM1 = f"{S}/web/virtualMachines/1"


async def protect(wire: Wire, vm: str, **policy: bool) -> dict[str, Any]:
    """GET the VM, set its protection policy, PUT it back; return the PUT's answer."""
    body = await vm_body(wire, vm)
    body["properties"]["protectionPolicy"] = policy
    reply = await wire.send("PUT", f"{S}/web/virtualMachines/{vm}", body)
    assert reply.status == 200, reply.json
    wire.fake.clock.advance(Timings().vm_update)
    answer: dict[str, Any] = reply.json
    return answer


async def test_put_sets_the_policy_and_runs_briefly(wire: Wire) -> None:
    await ready(wire)
    body = await vm_body(wire, "1")
    body["properties"]["protectionPolicy"] = {"protectFromScaleIn": True}
    reply = await wire.send("PUT", VM1, body)
    assert reply.status == 200
    assert reply.json["properties"]["provisioningState"] == "Updating"
    assert reply.header("Azure-AsyncOperation") and reply.header("ETag") == reply.json["etag"]
    policy = {"protectFromScaleIn": True, "protectFromScaleSetActions": False}
    assert reply.json["properties"]["protectionPolicy"] == policy
    assert (await statuses(wire, "1"))[0] == "ProvisioningState/updating"
    wire.fake.clock.advance(Timings().vm_update)
    assert (await operation(wire, reply))["status"] == "Succeeded"
    again = await vm_body(wire, "1")
    assert again["properties"]["provisioningState"] == "Succeeded"
    assert again["properties"]["protectionPolicy"] == policy
    status_url = reply.header("Azure-AsyncOperation")
    assert status_url is not None
    location = await wire.follow(status_url + "&monitor=true")
    assert location.status == 200 and location.json["instanceId"] == "1"


async def test_scale_set_actions_protection_implies_scale_in_protection(wire: Wire) -> None:
    await ready(wire)
    answer = await protect(wire, "1", protectFromScaleSetActions=True)
    assert answer["properties"]["protectionPolicy"] == {
        "protectFromScaleIn": True,
        "protectFromScaleSetActions": True,
    }
    body = await vm_body(wire, "1")
    body["properties"]["protectionPolicy"] = {
        "protectFromScaleIn": False,
        "protectFromScaleSetActions": True,
    }
    reply = await wire.send("PUT", VM1, body)
    assert reply.status == 400 and reply.code == "InvalidParameter"
    assert reply.json["error"]["target"] == "properties.protectionPolicy.protectFromScaleIn"


async def test_a_put_without_the_policy_removes_it(wire: Wire) -> None:
    await ready(wire)
    await protect(wire, "1", protectFromScaleIn=True)
    body = await vm_body(wire, "1")
    del body["properties"]["protectionPolicy"]
    assert (await wire.send("PUT", VM1, body)).status == 200
    assert "protectionPolicy" not in (await vm_body(wire, "1"))["properties"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("properties", "osProfile", "computerName"), "renamed"),
        (("properties", "hardwareProfile", "vmSize"), "Standard_D8s_v3"),
        (("properties", "licenseType"), "Windows_Server"),
        (("tags",), {"team": "other"}),
        (("location",), "eastus"),
    ],
)
async def test_other_members_may_not_change(
    wire: Wire, path: tuple[str, ...], value: object
) -> None:
    await ready(wire)
    body = await vm_body(wire, "1")
    holder = body
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    before = await vm_body(wire, "1")
    reply = await wire.send("PUT", VM1, body)
    assert reply.status == 400 and reply.code == "PropertyChangeNotAllowed", reply.json
    assert reply.json["error"]["target"] == ".".join(path[:2])
    assert await vm_body(wire, "1") == before


async def test_put_body_rules(wire: Wire) -> None:
    await ready(wire)
    body = await vm_body(wire, "1")
    body["location"] = "West US"  # ARM's display form of the same region
    body["properties"]["provisioningState"] = "Failed"  # read-only: ignored
    assert (await wire.send("PUT", VM1, body)).status == 200
    wire.fake.clock.advance(Timings().vm_update)
    del body["location"]
    missing = await wire.send("PUT", VM1, body)
    assert missing.status == 400 and missing.json["error"]["target"] == "location"
    unknown = await wire.send("PUT", VM1, {"location": "westus", "propertys": {}})
    assert unknown.status == 400 and unknown.code == "InvalidRequestContent"
    typed = await wire.send(
        "PUT",
        VM1,
        {"location": "westus", "properties": {"protectionPolicy": {"protectFromScaleIn": "yes"}}},
    )
    assert typed.status == 400 and typed.code == "InvalidParameter"
    assert (await wire.send("PUT", f"{S}/web/virtualMachines/9", body)).status in (400, 404)


async def test_put_preconditions_at_2024(wire: Wire) -> None:
    await ready(wire)
    body = await vm_body(wire, "1")
    stale = await wire.send("PUT", VM1, body, headers={"If-Match": '"1"'})
    assert stale.status == 412 and stale.code == "PreconditionFailed"
    fresh = await wire.send("PUT", VM1, body, headers={"If-Match": body["etag"]})
    assert fresh.status == 200
    wire.fake.clock.advance(Timings().vm_update)
    body = await vm_body(wire, "1", api="2023-07-01")
    old = await wire.send("PUT", VM1, body, headers={"If-Match": '"1"'}, api="2023-07-01")
    assert old.status == 200  # If-Match is not honoured before 2024-07-01


async def test_flexible_protection_needs_2023_09_01(wire: Wire) -> None:
    await wire.put("flex", scale_set_body(1, mode="Flexible"))
    wire.fake.clock.advance(100)
    (iid,) = wire.fake.scale_set(RG, "flex").instance_ids
    url = f"{S}/flex/virtualMachines/{iid}"
    body = (await wire.send("GET", url, api="2023-07-01")).json
    body["properties"]["protectionPolicy"] = {"protectFromScaleIn": True}
    old = await wire.send("PUT", url, body, api="2023-07-01")
    assert old.status == 400 and "2023-09-01" in old.json["error"]["message"]
    assert (await wire.send("PUT", url, body)).status == 200


async def test_a_protected_vm_survives_a_scale_in(wire: Wire) -> None:
    await ready(wire, capacity=4)
    await protect(wire, "3", protectFromScaleIn=True)
    await protect(wire, "2", protectFromScaleSetActions=True)
    assert (await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 3}})).status == 200
    wire.fake.clock.advance(120)
    assert wire.fake.scale_set(RG, "web").instance_ids == ["0", "2", "3"]
    refused = await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 1}})
    assert refused.status == 409 and refused.code == "OperationNotAllowed"
    assert refused.json["error"]["target"] == "sku.capacity"
    assert "3, 2" in refused.json["error"]["message"]
    scale_set = (await wire.send("GET", f"{S}/web")).json
    assert scale_set["sku"]["capacity"] == 3
    assert wire.fake.scale_set(RG, "web").instance_ids == ["0", "2", "3"]


async def test_explicit_deletes_and_the_scale_set_delete_are_not_blocked(wire: Wire) -> None:
    await ready(wire, capacity=3)
    for vm in ("0", "1", "2"):
        await protect(wire, vm, protectFromScaleSetActions=True)
    assert (await action(wire, "delete", ["0"])).status == 202
    assert (await wire.send("DELETE", f"{S}/web/virtualMachines/1")).status == 202
    wire.fake.clock.advance(60)
    assert wire.fake.scale_set(RG, "web").instance_ids == ["2"]
    assert (await wire.send("DELETE", f"{S}/web")).status == 202
    wire.fake.clock.advance(60)
    assert not wire.fake.scale_set(RG, "web").exists


async def test_scale_set_actions_skip_vms_protected_from_them(wire: Wire) -> None:
    await ready(wire)
    await protect(wire, "0", protectFromScaleSetActions=True)
    await protect(wire, "1", protectFromScaleIn=True)  # does not protect from actions
    reply = await action(wire, "deallocate", ["0", "1"])
    assert reply.status == 202
    everyone = await action(wire, "restart", ["2"])
    wire.fake.clock.advance(60)
    assert (await statuses(wire, "0"))[1] == "PowerState/running"
    assert (await statuses(wire, "1"))[1] == "PowerState/deallocated"
    assert (await operation(wire, everyone))["status"] == "Succeeded"
    skipped = [e for e in wire.fake.vm(RG, "web", "0").history if e.event == "operation-skipped"]
    assert [(e.operation, e.attempt) for e in skipped] == [("deallocate", 0)]
    await action(wire, "manualupgrade", ["0"])  # a scale set action too: skipped
    assert (await vm_body(wire, "0"))["properties"]["provisioningState"] == "Succeeded"


async def test_operations_on_the_protected_vm_itself_are_not_blocked(wire: Wire) -> None:
    await ready(wire)
    await protect(wire, "0", protectFromScaleSetActions=True)
    assert (await action(wire, "deallocate", vm="0")).status == 202
    wire.fake.clock.advance(60)
    assert (await statuses(wire, "0"))[1] == "PowerState/deallocated"
