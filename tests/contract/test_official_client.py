"""Conformance: the official azure-mgmt-compute aio client (38.1 or later) drives the fake.

Every test runs in-process (``FakeAzureCoreTransport``) and over HTTP (a real server on loopback
and the client's default aiohttp transport). The client has no client-level api-version: it is
passed per call (``api_version="2024-07-01"``); ``official_default_version`` uses the client's
own default (2026-04-01 in v39) against a fake with ``lenient_api_versions=True``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import models
from contract_support import Official, make_official

RG = "rg"


def scale_set_body(capacity: int, *, deletion_policy: bool = True) -> models.VirtualMachineScaleSet:
    policy = models.ResiliencyPolicy(
        resilient_vm_creation_policy=models.ResilientVMCreationPolicy(enabled=True),
        resilient_vm_deletion_policy=models.ResilientVMDeletionPolicy(enabled=deletion_policy),
    )
    os_disk = models.VirtualMachineScaleSetOSDisk(create_option="FromImage", os_type="Linux")
    profile = models.VirtualMachineScaleSetVMProfile(
        storage_profile=models.VirtualMachineScaleSetStorageProfile(os_disk=os_disk)
    )
    return models.VirtualMachineScaleSet(
        location="westus",
        sku=models.Sku(name="Standard_D2s_v3", tier="Standard", capacity=capacity),
        properties=models.VirtualMachineScaleSetProperties(
            orchestration_mode="Uniform",
            resiliency_policy=policy,
            virtual_machine_profile=profile,
        ),
    )


async def create(official: Official, name: str, capacity: int) -> models.VirtualMachineScaleSet:
    operations = official.client.virtual_machine_scale_sets
    poller = await operations.begin_create_or_update(
        RG, name, scale_set_body(capacity), **official.kw
    )
    return await poller.result()


def queries(official: Official, method: str, path_end: str) -> list[dict[str, str]]:
    return [
        record.query
        for record in official.fake.requests
        if record.method == method and record.path.lower().endswith(path_end.lower())
    ]


async def test_create_list_get_update_delete(official: Official) -> None:
    vmss = official.client.virtual_machine_scale_sets
    vms = official.client.virtual_machine_scale_set_vms
    kw = official.kw

    created = await create(official, "web", 3)
    assert created.name == "web"
    assert created.properties is not None
    assert created.properties.provisioning_state == "Succeeded"
    policy = created.properties.resiliency_policy
    assert policy is not None and policy.resilient_vm_creation_policy is not None
    assert policy.resilient_vm_creation_policy.enabled is True

    listed = [vm async for vm in vms.list(RG, "web", **kw)]
    assert sorted(vm.instance_id or "" for vm in listed) == ["0", "1", "2"]
    statuses = {vm.properties.resilient_vm_deletion_status for vm in listed if vm.properties}
    assert statuses == {"Enabled"}
    assert any("$skiptoken" in query for query in queries(official, "GET", "/virtualMachines"))

    vm = await vms.get(RG, "web", "1", expand="resiliencyView", **kw)
    assert vm.instance_id == "1"
    assert vm.properties is not None
    assert vm.properties.provisioning_state == "Succeeded"
    assert vm.properties.resilient_vm_deletion_status == "Enabled"

    update = models.VirtualMachineScaleSetUpdate(tags={"team": "platform"})
    updated = await (await vmss.begin_update(RG, "web", update, **kw)).result()
    assert updated.tags == {"team": "platform"}

    ids = models.VirtualMachineScaleSetVMInstanceRequiredIDs(instance_ids=["0"])
    poller = await vmss.begin_delete_instances(RG, "web", ids, force_deletion=True, **kw)
    await poller.result()
    assert poller.status() == "Succeeded"
    with pytest.raises(ResourceNotFoundError):
        await vms.get(RG, "web", "0", **kw)
    assert queries(official, "POST", "/web/delete")[0]["forceDeletion"] == "true"

    await (await vms.begin_delete(RG, "web", "1", **kw)).result()
    with pytest.raises(ResourceNotFoundError):
        await vms.get(RG, "web", "1", **kw)

    await (await vmss.begin_delete(RG, "web", force_deletion=True, **kw)).result()
    with pytest.raises(ResourceNotFoundError) as caught:
        await vmss.get(RG, "web", **kw)
    assert caught.value.error is not None and caught.value.error.code == "ResourceNotFound"


async def test_paging_over_scale_sets(official: Official) -> None:
    await asyncio.gather(*(create(official, name, 1) for name in ("a", "b", "c")))
    operations = official.client.virtual_machine_scale_sets
    names = sorted([item.name or "" async for item in operations.list(RG, **official.kw)])
    assert names == ["a", "b", "c"]
    everywhere = sorted([item.name or "" async for item in operations.list_all(**official.kw)])
    assert everywhere == ["a", "b", "c"]
    pages = queries(official, "GET", "/virtualMachineScaleSets")
    assert sum("$skiptoken" in query for query in pages) >= 2  # one next page per list


async def test_default_api_version_on_a_lenient_fake(official_default_version: Official) -> None:
    official = official_default_version
    created = await create(official, "web", 2)
    assert created.properties is not None
    assert created.properties.provisioning_state == "Succeeded"
    vms = official.client.virtual_machine_scale_set_vms
    vm = await vms.get(RG, "web", "0", expand="resiliencyView", **official.kw)
    assert vm.properties is not None
    assert vm.properties.resilient_vm_deletion_status == "Enabled"
    (version,) = {record.api_version for record in official.fake.requests}
    assert version is not None and version > "2024-07-01"  # its own default, served leniently


async def test_failed_first_delete_attempt_then_resilient_retry() -> None:
    # In-process only: the retry schedule is checked on the virtual clock.
    async for official in make_official("in-process"):
        await create(official, "web", 2)
        official.fake.faults.fail_delete("InternalExecutionError", instances=["1"], attempts=1)
        ids = models.VirtualMachineScaleSetVMInstanceRequiredIDs(instance_ids=["1"])
        vmss = official.client.virtual_machine_scale_sets
        poller = await vmss.begin_delete_instances(RG, "web", ids, **official.kw)
        with pytest.raises(HttpResponseError) as caught:
            await poller.result()
        assert "InternalExecutionError" in str(caught.value)
        vms = official.client.virtual_machine_scale_set_vms
        vm = await vms.get(RG, "web", "1", expand="resiliencyView", **official.kw)
        assert vm.properties is not None
        assert vm.properties.resilient_vm_deletion_status == "InProgress"
        official.fake.clock.advance(120)  # retry 1 is due at once and takes 60 s
        with pytest.raises(ResourceNotFoundError):
            await vms.get(RG, "web", "1", **official.kw)
        assert official.fake.vm(RG, "web", "1").delete_attempts == 2


async def test_error_bodies_map_to_azure_core_errors(official: Official) -> None:
    vmss = official.client.virtual_machine_scale_sets
    with pytest.raises(ResourceNotFoundError) as caught:
        await vmss.get(RG, "missing", **official.kw)
    assert caught.value.status_code == 404
    bad: Any = {"location": "westus", "sku": {"capacity": "many"}}
    with pytest.raises(HttpResponseError) as failed:
        await vmss.begin_create_or_update(RG, "bad", bad, **official.kw)
    assert failed.value.status_code == 400
    assert failed.value.error is not None
    assert failed.value.error.code == "InvalidParameter"
