"""Raw ARM JSON through the fake: shapes, LRO headers and status progression, paging, views."""

from __future__ import annotations

import json
from datetime import datetime

from wire_support import BASE, RG, SUB, Reply, S, Wire, scale_set_body

from fakevmss._http import DroppedConnection

OPS = f"{BASE}/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westus/operations/"
MINUTES = 60.0


def assert_absolute(url: str | None, api: str = "2024-07-01") -> str:
    assert url is not None and url.startswith(BASE + "/"), url
    assert f"api-version={api}" in url
    return url


async def test_put_creates_then_updates(wire: Wire) -> None:
    created = await wire.put("web", scale_set_body(3))
    assert created.status == 201
    body = created.json
    assert body["id"] == f"{S}/web" and body["name"] == "web"
    assert body["type"] == "Microsoft.Compute/virtualMachineScaleSets"
    assert body["sku"]["capacity"] == 3 and body["tags"] == {"team": "platform"}
    assert body["properties"]["provisioningState"] == "Creating"
    assert body["properties"]["orchestrationMode"] == "Uniform"
    assert body["etag"].startswith('"') and body["etag"].endswith('"')
    datetime.fromisoformat(body["properties"]["timeCreated"])
    assert assert_absolute(created.header("Azure-AsyncOperation")).startswith(OPS)
    again = await wire.put("WEB", scale_set_body(3))
    assert again.status == 200 and again.json["name"] == "web"


async def test_secrets_never_returned_and_user_data_on_request(wire: Wire) -> None:
    body = scale_set_body(1)
    profile = body["properties"]["virtualMachineProfile"]
    profile["osProfile"].update(adminPassword="hunter2!", customData="c2VjcmV0")
    profile["userData"] = "dXNlcg=="
    for reply in (await wire.put("web", body), await wire.send("GET", f"{S}/web")):
        assert b"hunter2" not in reply.raw and b"c2VjcmV0" not in reply.raw
        assert b"userData" not in reply.raw
    reply = await wire.send("GET", f"{S}/web", query={"$expand": "UserData"})
    assert reply.json["properties"]["virtualMachineProfile"]["userData"] == "dXNlcg=="


async def test_etag_only_at_2024(wire: Wire) -> None:
    await wire.put("web")
    assert "etag" in (await wire.send("GET", f"{S}/web")).json
    old = await wire.send("GET", f"{S}/web", api="2023-07-01")
    assert old.status == 200 and "etag" not in old.json
    vm = await wire.send("GET", f"{S}/web/virtualMachines/0", api="2023-07-01")
    assert vm.status == 200 and "etag" not in vm.json


async def test_async_operation_progression(wire: Wire) -> None:
    put = await wire.put("web", scale_set_body(2))
    status_url = assert_absolute(put.header("Azure-AsyncOperation"))
    running = await wire.follow(status_url)
    assert running.status == 200 and running.json["status"] == "InProgress"
    assert running.header("Retry-After") == "10"
    assert set(running.json) == {"name", "status", "startTime"}
    wire.fake.clock.advance(30 * MINUTES)
    done = await wire.follow(status_url)
    assert done.status == 200 and done.json["status"] == "Succeeded"
    assert done.json["endTime"] >= done.json["startTime"]
    got = await wire.send("GET", f"{S}/web")
    assert got.json["properties"]["provisioningState"] == "Succeeded"


async def test_patch_location_poll_returns_the_resource(wire: Wire) -> None:
    await wire.put("web", scale_set_body(1))
    wire.fake.clock.advance(30 * MINUTES)
    patch = await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 2}})
    assert patch.status == 200 and patch.json["sku"]["capacity"] == 2
    assert_absolute(patch.header("Azure-AsyncOperation"))
    location = assert_absolute(patch.header("Location"))
    assert "monitor=true" in location
    polled = await wire.follow(location)
    assert polled.status == 202 and polled.header("Retry-After") == "10"
    assert_absolute(polled.header("Location"))
    wire.fake.clock.advance(30 * MINUTES)
    final = await wire.follow(location)
    assert final.status == 200 and final.json["name"] == "web"
    assert final.json["properties"]["provisioningState"] == "Succeeded"


async def test_delete_scale_set_lro_then_404_and_204(wire: Wire) -> None:
    await wire.put("web", scale_set_body(2))
    wire.fake.clock.advance(30 * MINUTES)
    deleted = await wire.send("DELETE", f"{S}/web", forceDeletion="TRUE")
    assert deleted.status == 202 and deleted.raw == b""
    assert deleted.header("Retry-After") == "10"
    assert_absolute(deleted.header("Azure-AsyncOperation"))
    location = assert_absolute(deleted.header("Location"))
    assert (await wire.follow(location)).status == 202
    wire.fake.clock.advance(30 * MINUTES)
    assert (await wire.follow(location)).status == 204
    assert (await wire.send("GET", f"{S}/web")).status == 404
    assert (await wire.send("DELETE", f"{S}/web")).status == 204


async def test_failed_delete_location_poll_is_409_with_the_operation_error(wire: Wire) -> None:
    await wire.put("web", scale_set_body(1, delete_policy=False))
    wire.fake.clock.advance(30 * MINUTES)
    wire.fake.faults.fail_delete("InternalExecutionError", scale_set="web")
    deleted = await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    assert deleted.status == 202
    wire.fake.clock.advance(30 * MINUTES)
    status = await wire.follow(assert_absolute(deleted.header("Azure-AsyncOperation")))
    assert status.status == 200 and status.json["status"] == "Failed"
    assert status.json["error"]["code"] == "InternalExecutionError"
    final = await wire.follow(assert_absolute(deleted.header("Location")))
    assert final.status == 409 and final.code == "InternalExecutionError"


async def test_paging_three_pages_with_absolute_next_links(wire: Wire) -> None:
    from fakevmss import FakeCompute

    wire = Wire(FakeCompute(seed=0, subscription_id=SUB, page_size=2))
    names = ["e", "a", "d", "b", "c"]
    for name in names:
        assert (await wire.put(name, scale_set_body(0))).status == 201
    pages: list[Reply] = [await wire.send("GET", S, api="2023-07-01")]
    while "nextLink" in pages[-1].json:
        link = assert_absolute(pages[-1].json["nextLink"], "2023-07-01")
        pages.append(await wire.follow(link))
    assert [len(page.json["value"]) for page in pages] == [2, 2, 1]
    assert [item["name"] for page in pages for item in page.json["value"]] == sorted(names)
    everywhere = await wire.send(
        "GET", f"/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachineScaleSets"
    )
    assert len(everywhere.json["value"]) == 2 and "nextLink" in everywhere.json


async def test_list_vms_shows_deletion_status_only_at_2024(wire: Wire) -> None:
    await wire.put("web", scale_set_body(2))
    wire.fake.clock.advance(30 * MINUTES)
    listed = await wire.send("GET", f"{S}/web/virtualMachines")
    vms = listed.json["value"]
    assert [vm["instanceId"] for vm in vms] == ["0", "1"]
    assert {vm["properties"]["resilientVMDeletionStatus"] for vm in vms} == {"Enabled"}
    assert vms[0]["type"] == "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"
    assert vms[0]["id"] == f"{S}/web/virtualMachines/0"
    assert vms[0]["properties"]["storageProfile"]["osDisk"]["osType"] == "Linux"
    old = await wire.send("GET", f"{S}/web/virtualMachines", api="2023-07-01")
    assert all("resilientVMDeletionStatus" not in vm["properties"] for vm in old.json["value"])


async def test_get_vm_resiliency_view_for_uniform_and_flexible(wire: Wire) -> None:
    await wire.put("web", scale_set_body(1))
    await wire.put("flex", scale_set_body(1, mode="Flexible"))
    wire.fake.clock.advance(30 * MINUTES)
    (flex_id,) = wire.fake.scale_set(RG, "flex").instance_ids
    for name, instance_id in (("web", "0"), ("flex", flex_id)):
        path = f"{S}/{name}/virtualMachines/{instance_id}"
        plain = await wire.send("GET", path)
        assert plain.status == 200 and "resilientVMDeletionStatus" not in plain.json["properties"]
        view = await wire.send("GET", path, query={"$expand": "ResiliencyView"})
        assert view.json["properties"]["resilientVMDeletionStatus"] == "Enabled"
        assert view.json["instanceId"] == instance_id


async def test_instance_view(wire: Wire) -> None:
    await wire.put("web", scale_set_body(1))
    reply = await wire.send("GET", f"{S}/web/virtualMachines/0", query={"$expand": "instanceView"})
    statuses = reply.json["properties"]["instanceView"]["statuses"]
    assert statuses[0]["code"] == "ProvisioningState/creating"
    assert statuses[1]["code"].startswith("PowerState/")


async def test_a_failed_vm_shows_its_error_code_and_attempts_in_the_instance_view(
    wire: Wire,
) -> None:
    wire.fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", instances=["0"])
    await wire.put("web", scale_set_body(1))
    wire.fake.clock.advance(31 * MINUTES)  # 4 Linux attempts of 8 min, stopped at 30 min
    reply = await wire.send("GET", f"{S}/web/virtualMachines/0", query={"$expand": "instanceView"})
    assert reply.json["properties"]["provisioningState"] == "Failed"
    status = reply.json["properties"]["instanceView"]["statuses"][0]
    assert status["code"] == "ProvisioningState/failed/OSProvisioningTimeout"
    assert status["level"] == "Error" and status["displayStatus"] == "Provisioning failed"
    assert (
        status["message"] == "VM 'web_0' create failed with OSProvisioningTimeout after 4 attempts."
    )


async def test_a_vm_whose_delete_failed_shows_the_delete_error(wire: Wire) -> None:
    wire.fake.faults.fail_delete("InternalExecutionError", scale_set="web")
    await wire.put("web", scale_set_body(1, delete_policy=False))
    wire.fake.clock.advance(30 * MINUTES)
    await wire.send("DELETE", f"{S}/web/virtualMachines/0", query={"forceDeletion": "false"})
    wire.fake.clock.advance(2 * MINUTES)
    reply = await wire.send("GET", f"{S}/web/virtualMachines/0", query={"$expand": "instanceView"})
    status = reply.json["properties"]["instanceView"]["statuses"][0]
    assert status["code"] == "ProvisioningState/failed/InternalExecutionError"
    assert status["message"] == "VM 'web_0' delete failed with InternalExecutionError."


async def test_delete_instances_and_vm(wire: Wire) -> None:
    await wire.put("web", scale_set_body(3))
    wire.fake.clock.advance(30 * MINUTES)
    posted = await wire.send("POST", f"{S}/web/delete", {"instanceIds": ["0", "2"]})
    assert posted.status == 202 and posted.header("Location")
    one = await wire.send("DELETE", f"{S}/web/virtualMachines/1", forceDeletion="false")
    assert one.status == 202
    vm = await wire.send("GET", f"{S}/web/virtualMachines/1", query={"$expand": "resiliencyView"})
    assert vm.json["properties"]["provisioningState"] == "Deleting"
    assert vm.json["properties"]["resilientVMDeletionStatus"] == "InProgress"
    wire.fake.clock.advance(30 * MINUTES)
    assert (await wire.send("GET", f"{S}/web/virtualMachines/1")).status == 404
    assert (await wire.send("GET", f"{S}/web/virtualMachines")).json == {"value": []}


async def test_features(wire: Wire) -> None:
    path = (
        f"/subscriptions/{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute"
        "/features/ReliableVMDeletion"
    )
    registered = await wire.send("POST", f"{path}/register", api="2021-07-01")
    assert registered.status == 200
    assert registered.json["name"] == "Microsoft.Compute/ReliableVMDeletion"
    assert registered.json["type"] == "Microsoft.Features/providers/features"
    assert registered.json["properties"]["state"] in ("Registering", "Registered")
    wire.fake.clock.advance(10 * MINUTES)
    got = await wire.send("GET", path, api="2021-07-01")
    assert got.json["properties"]["state"] == "Registered"


async def test_request_records(wire: Wire) -> None:
    wire.fake.clock.advance(5.0)
    await wire.put("web", headers={"x-ms-client-request-id": "abc"})
    await wire.send("GET", f"{S}/nope", api="2023-07-01", query={"$expand": "userData"})
    wire.fake.faults.drop_connection(method="GET")
    try:
        await wire.send("GET", S)
    except DroppedConnection as exc:
        assert exc.sent is False
    first, second, third = wire.fake.requests[-3:]
    assert (first.method, first.path, first.status, first.time) == ("PUT", f"{S}/web", 201, 5.0)
    assert first.client_request_id == "abc" and first.api_version == "2024-07-01"
    assert second.status == 404 and second.query == {
        "api-version": "2023-07-01",
        "$expand": "userData",
    }
    assert third.status == 0


async def test_dropped_connections_before_and_after_send(wire: Wire) -> None:
    wire.fake.faults.drop_connection(method="PUT")
    try:
        await wire.put("web")
        raise AssertionError("expected a drop")
    except DroppedConnection as exc:
        assert not exc.sent
    assert (await wire.send("GET", f"{S}/web")).status == 404
    wire.fake.faults.drop_connection(method="PUT", after_send=True)
    try:
        await wire.put("web")
        raise AssertionError("expected a drop")
    except DroppedConnection as exc:
        assert exc.sent
    assert (await wire.send("GET", f"{S}/web")).status == 200


async def test_slow_response_waits_on_the_clock(wire: Wire) -> None:
    wire.fake.faults.slow_response(42.0, method="GET")
    before = wire.fake.clock.now()
    reply = await wire.send("GET", S)
    assert reply.status == 200 and wire.fake.clock.now() - before >= 42.0


async def test_lenient_api_versions() -> None:
    from fakevmss import FakeCompute

    wire = Wire(FakeCompute(seed=0, subscription_id=SUB, lenient_api_versions=True))
    created = await wire.put("web", api="2025-04-01")
    assert created.status == 201 and "etag" in created.json
    assert "api-version=2025-04-01" in str(created.header("Azure-AsyncOperation"))
    assert (await wire.send("GET", S, api="2024-01-01")).status == 400
    assert json.loads((await wire.send("GET", S, api="2026-01-01")).raw)["value"]


async def test_real_clock_scales_retry_after_to_real_seconds() -> None:
    from fakevmss import FakeCompute, RealClock

    wire = Wire(FakeCompute(seed=0, subscription_id=SUB, clock=RealClock(speed=4.0)))
    await wire.put("web", scale_set_body(0))
    deleted = await wire.send("DELETE", f"{S}/web")
    assert deleted.status == 202 and deleted.header("Retry-After") == "3"  # ceil(10 / 4)
    wire.fake.faults.throttle(retry_after=120.0)
    assert (await wire.send("GET", S)).header("Retry-After") == "30"


async def test_unregistered_feature_is_refused_then_registration_allows_it() -> None:
    from fakevmss import FakeCompute

    wire = Wire(FakeCompute(seed=0, subscription_id=SUB, features_registered=False))
    refused = await wire.put("web", scale_set_body(1))
    assert refused.status == 400 and refused.code == "SubscriptionNotRegisteredForFeature"
    features = f"/subscriptions/{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute"
    for feature in ("ResilientVMScaleSetVMCreation", "ReliableVMDeletion"):
        reply = await wire.send("POST", f"{features}/features/{feature}/register", api="2021-07-01")
        assert reply.status == 200
    wire.fake.clock.advance(10 * MINUTES)
    assert (await wire.put("web", scale_set_body(1))).status == 201
