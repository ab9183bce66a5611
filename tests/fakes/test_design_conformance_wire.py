"""Emulation model conformance, wire-level rules: ids, visibility, features, records, URLs.

The model is docs/fake/emulation.md.

Every test names the documented statement it proves and goes through the public surface only
(``FakeCompute``, ``fake.handle`` with raw ARM JSON), on the virtual clock, with exact times.
"""

from __future__ import annotations

import re
from typing import Any

from wire_support import RG, SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute

FEATURES = f"/subscriptions/{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/features"
LOOPBACK = "http://127.0.0.1:8123"


def new_wire(**kwargs: Any) -> Wire:
    return Wire(FakeCompute(seed=0, subscription_id=SUB, **kwargs))


def statuses(reply_json: dict[str, Any]) -> dict[str, str | None]:
    return {
        vm["instanceId"]: vm["properties"].get("resilientVMDeletionStatus")
        for vm in reply_json["value"]
    }


# -- instance ids ------------------------------------------------------------------------


async def test_uniform_ids_count_up_in_creation_order_and_are_never_reused(wire: Wire) -> None:
    """§6 Instance ids: Uniform VMs are "0", "1", ... in creation order; no id is reused."""
    await wire.put("web", scale_set_body(3))
    wire.fake.clock.advance(90)
    assert (await wire.send("POST", f"{S}/web/delete", {"instanceIds": ["1", "2"]})).status == 202
    wire.fake.clock.advance(60)
    patched = await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 3}})
    assert patched.status == 200
    listed = await wire.send("GET", f"{S}/web/virtualMachines")
    assert [vm["instanceId"] for vm in listed.json["value"]] == ["0", "3", "4"]


async def test_flexible_ids_are_name_underscore_8_hex_and_unique() -> None:
    """§6 Instance ids: Flexible VMs are {scale set}_{8 hex digits}, never reused.

    Regression: seed 5737 drew the same 32 bits twice within 1000 VMs and a live VM was
    overwritten (999 VMs for a capacity of 1000).
    """
    fake = FakeCompute(seed=5737, subscription_id=SUB)
    view = fake.create_scale_set(RG, "flex", capacity=1000, orchestration_mode="Flexible")
    ids = view.instance_ids
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert all(re.fullmatch(r"flex_[0-9a-f]{8}", i) for i in ids)


async def test_list_vms_serves_uniform_only_get_vm_serves_both(wire: Wire) -> None:
    """§6: list VMs of a Flexible scale set is 400 OperationNotAllowed; GET of one VM works."""
    await wire.put("flex", scale_set_body(1, mode="Flexible"))
    (instance_id,) = wire.fake.scale_set(RG, "flex").instance_ids
    listed = await wire.send("GET", f"{S}/flex/virtualMachines")
    assert (listed.status, listed.code) == (400, "OperationNotAllowed")
    got = await wire.send(
        "GET", f"{S}/flex/virtualMachines/{instance_id}", query={"$expand": "resiliencyView"}
    )
    assert got.status == 200
    assert got.json["properties"]["resilientVMDeletionStatus"] == "Enabled"


async def test_overprovision_is_accepted_and_ignored(wire: Wire) -> None:
    """§6: overprovision is accepted and ignored (capacity VMs exactly, no extra ones)."""
    body = scale_set_body(3)
    body["properties"]["overprovision"] = True
    assert (await wire.put("web", body)).status == 201
    assert wire.fake.scale_set(RG, "web").instance_ids == ["0", "1", "2"]


# -- status visibility -------------------------------------------------------------------


async def test_deletion_status_visible_only_at_2024_07_01(wire: Wire) -> None:
    """§6 Status visibility: GET VM with $expand=resiliencyView (any case) and list VMs.

    At 2024-07-01: absent on GET VM without $expand, present with ``RESILIENCYVIEW``,
    present in list VMs without any $expand. At 2023-07-01: absent from list VMs, and
    $expand=resiliencyView is 400 InvalidParameter (our reading).
    """
    await wire.put("web", scale_set_body(1))
    vm = f"{S}/web/virtualMachines/0"
    plain = await wire.send("GET", vm)
    assert "resilientVMDeletionStatus" not in plain.json["properties"]
    for spelling in ("resiliencyView", "ResiliencyView", "RESILIENCYVIEW"):
        got = await wire.send("GET", vm, query={"$expand": spelling})
        assert got.json["properties"]["resilientVMDeletionStatus"] == "Enabled", spelling
    listed = await wire.send("GET", f"{S}/web/virtualMachines")
    assert statuses(listed.json) == {"0": "Enabled"}
    old_list = await wire.send("GET", f"{S}/web/virtualMachines", api="2023-07-01")
    assert statuses(old_list.json) == {"0": None}
    old_get = await wire.send("GET", vm, api="2023-07-01", query={"$expand": "resiliencyView"})
    assert (old_get.status, old_get.code) == (400, "InvalidParameter")
    assert old_get.json["error"]["target"] == "$expand"


async def test_deletion_status_disabled_when_policy_off_or_missing(wire: Wire) -> None:
    """§6 Values: Disabled for a policy set false, or no resiliency policy at all."""
    await wire.put("off", scale_set_body(1, delete_policy=False))
    body = scale_set_body(1)
    del body["properties"]["resiliencyPolicy"]
    await wire.put("none", body)
    for name in ("off", "none"):
        listed = await wire.send("GET", f"{S}/{name}/virtualMachines")
        assert statuses(listed.json) == {"0": "Disabled"}, name


# -- feature registration ----------------------------------------------------------------


async def test_feature_gating_and_registration_timing() -> None:
    """§6 Feature registration: refused (400 naming the feature) until Registered at +5 min."""
    wire = new_wire(features_registered=False)
    body = scale_set_body(1, create_policy=False)
    refused = await wire.put("web", body)
    assert (refused.status, refused.code) == (400, "SubscriptionNotRegisteredForFeature")
    assert "ReliableVMDeletion" in refused.json["error"]["message"]
    shown = await wire.send("GET", f"{FEATURES}/ReliableVMDeletion", api="2021-07-01")
    assert shown.json["properties"]["state"] == "NotRegistered"
    wire.fake.clock.advance(100)
    reg = await wire.send("POST", f"{FEATURES}/ReliableVMDeletion/register", api="2021-07-01")
    assert reg.json["properties"]["state"] == "Registering"
    wire.fake.clock.advance(299.5)
    assert (await wire.put("web", body)).code == "SubscriptionNotRegisteredForFeature"
    wire.fake.clock.advance(0.5)  # exactly 300 s after the register call
    shown = await wire.send("GET", f"{FEATURES}/ReliableVMDeletion", api="2021-07-01")
    assert shown.json["properties"]["state"] == "Registered"
    assert (await wire.put("web", body)).status == 201


async def test_creation_feature_accepted_under_the_seeds_other_spelling() -> None:
    """§6 Feature registration: ResilientScaleSetVMCreation also unlocks Resilient create."""
    wire = new_wire(features_registered=False)
    body = scale_set_body(1, delete_policy=False)
    refused = await wire.put("web", body)
    assert refused.code == "SubscriptionNotRegisteredForFeature"
    assert "ResilientVMScaleSetVMCreation" in refused.json["error"]["message"]
    await wire.send("POST", f"{FEATURES}/ResilientScaleSetVMCreation/register", api="2021-07-01")
    wire.fake.clock.advance(300)
    assert (await wire.put("web", body)).status == 201


# -- request records and URLs ------------------------------------------------------------


async def test_requests_are_recorded_with_virtual_time_path_query_status_version(
    wire: Wire,
) -> None:
    """§6 Inspection / §7: every request recorded (time, method, path, query, status, version)."""
    wire.fake.clock.advance(42)
    await wire.send("GET", f"{S}/web", query={"$expand": "userData"})
    wire.fake.clock.advance(8)
    await wire.put("web", scale_set_body(0), api="2023-07-01")
    first, second = wire.fake.requests[-2:]
    assert (first.time, first.method, first.path, first.status) == (42, "GET", f"{S}/web", 404)
    assert first.query == {"api-version": "2024-07-01", "$expand": "userData"}
    assert first.api_version == "2024-07-01"
    assert (second.time, second.method, second.status, second.api_version) == (
        50,
        "PUT",
        201,
        "2023-07-01",
    )
    assert "?" not in second.path


async def test_every_emitted_url_is_absolute_on_the_request_host_with_its_api_version() -> None:
    """§7: Azure-AsyncOperation, Location and nextLink use the request's scheme, host, version."""
    wire = new_wire(page_size=1)
    put = await wire.send("PUT", f"{LOOPBACK}{S}/web", scale_set_body(2), api="2023-07-01")
    deleted = await wire.send("DELETE", f"{LOOPBACK}{S}/web/virtualMachines/0", api="2023-07-01")
    listed = await wire.send("GET", f"{LOOPBACK}{S}/web/virtualMachines", api="2023-07-01")
    urls = [
        put.header("Azure-AsyncOperation"),
        deleted.header("Azure-AsyncOperation"),
        deleted.header("Location"),
        listed.json["nextLink"],
    ]
    for url in urls:
        assert url is not None and url.startswith(LOOPBACK + "/subscriptions/"), url
        assert "api-version=2023-07-01" in url, url
    assert "monitor=true" in str(deleted.header("Location"))
    nxt = await wire.follow(listed.json["nextLink"])
    assert [vm["instanceId"] for vm in nxt.json["value"]] == ["1"]


async def test_async_operation_status_is_always_200_with_retry_after_while_running(
    wire: Wire,
) -> None:
    """§5: the Azure-AsyncOperation URL always answers 200; Retry-After (10 s) while running."""
    put = await wire.put("web", scale_set_body(1))
    assert put.header("Retry-After") == "10"
    url = str(put.header("Azure-AsyncOperation"))
    wire.fake.clock.advance(89)
    running = await wire.follow(url)
    assert (running.status, running.json["status"], running.header("Retry-After")) == (
        200,
        "InProgress",
        "10",
    )
    wire.fake.clock.advance(1)
    done = await wire.follow(url)
    assert (done.status, done.json["status"], done.header("Retry-After")) == (
        200,
        "Succeeded",
        None,
    )
    assert done.json["endTime"] > done.json["startTime"]


async def test_status_follows_the_current_policy_while_the_vm_is_not_being_deleted(
    wire: Wire,
) -> None:
    """§6 Values: Enabled (policy on, VM not being deleted) / Disabled, as the policy changes."""
    await wire.put("web", scale_set_body(1, delete_policy=False))
    vm = f"{S}/web/virtualMachines/0"
    expand = {"$expand": "resiliencyView"}
    got = await wire.send("GET", vm, query=expand)
    assert got.json["properties"]["resilientVMDeletionStatus"] == "Disabled"
    on = {"properties": {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": True}}}}
    assert (await wire.send("PATCH", f"{S}/web", on)).status == 200
    got = await wire.send("GET", vm, query=expand)
    assert got.json["properties"]["resilientVMDeletionStatus"] == "Enabled"
    listed = await wire.send("GET", f"{S}/web/virtualMachines")
    assert statuses(listed.json) == {"0": "Enabled"}
