"""Conformance: the official azure-mgmt-compute (v39) aio client drives every lifecycle operation.

In-process (``FakeAzureCoreTransport``, virtual clock) and over real HTTP (a fast real clock),
with ``api_version`` passed per call. Over HTTP every poll waits the fake's ``Retry-After`` of
one real second, so the operations run concurrently, one VM each; what the client reads back
(instance views, VM bodies, SKUs) is checked against the fake's own state. Every response is
also checked against the published schema (conftest.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import models
from contract_support import Official
from test_official_client import RG, scale_set_body

NAME = "fleet"
NEW_IMAGE = models.ImageReference(publisher="Canonical", offer="ubuntu-24_04-lts", sku="server")
VM_REIMAGE = models.VirtualMachineScaleSetVMReimageParameters(temp_disk=False)


def ids(*instance_ids: str) -> models.VirtualMachineScaleSetVMInstanceIDs:
    return models.VirtualMachineScaleSetVMInstanceIDs(instance_ids=list(instance_ids))


async def run(poller_call: Any) -> None:
    """Await a begin_* call and its poller's result."""
    poller = await poller_call
    await poller.result()
    assert poller.status() == "Succeeded"


async def scale_set_operations(official: Official) -> None:
    """Every scale set action, each on its own VM, concurrently."""
    vmss, kw = official.client.virtual_machine_scale_sets, official.kw
    reimage = models.VirtualMachineScaleSetReimageParameters(instance_ids=["3"], temp_disk=True)
    await asyncio.gather(
        run(vmss.begin_deallocate(RG, NAME, ids("0"), hibernate=False, **kw)),
        run(vmss.begin_power_off(RG, NAME, ids("1"), skip_shutdown=True, **kw)),
        run(vmss.begin_restart(RG, NAME, ids("2"), **kw)),
        run(vmss.begin_reimage(RG, NAME, reimage, **kw)),
        run(vmss.begin_reimage_all(RG, NAME, ids("4"), **kw)),
        run(vmss.begin_redeploy(RG, NAME, ids("5"), **kw)),
        run(vmss.begin_perform_maintenance(RG, NAME, ids("6"), **kw)),
    )


async def vm_operations(official: Official) -> None:
    """Every VM action, each on its own VM, concurrently (start after a deallocate)."""
    vms, kw = official.client.virtual_machine_scale_set_vms, official.kw

    async def deallocate_then_start(iid: str) -> None:
        await run(vms.begin_deallocate(RG, NAME, iid, **kw))
        await run(vms.begin_start(RG, NAME, iid, **kw))

    await asyncio.gather(
        deallocate_then_start("7"),
        run(vms.begin_power_off(RG, NAME, "8", skip_shutdown=False, **kw)),
        run(vms.begin_restart(RG, NAME, "9", **kw)),
        run(vms.begin_reimage(RG, NAME, "10", VM_REIMAGE, **kw)),
        run(vms.begin_reimage_all(RG, NAME, "11", **kw)),
        run(vms.begin_redeploy(RG, NAME, "12", **kw)),
        run(vms.begin_perform_maintenance(RG, NAME, "13", **kw)),
    )


async def upgrade_and_protect(official: Official) -> None:
    """A model change, update_instances on VM 14, and VM 15 protected through its PUT."""
    vmss, vms, kw = (
        official.client.virtual_machine_scale_sets,
        official.client.virtual_machine_scale_set_vms,
        official.kw,
    )
    storage = models.VirtualMachineScaleSetUpdateStorageProfile(image_reference=NEW_IMAGE)
    update = models.VirtualMachineScaleSetUpdate(
        virtual_machine_profile=models.VirtualMachineScaleSetUpdateVMProfile(
            storage_profile=storage
        )
    )

    async def upgrade() -> None:
        await (await vmss.begin_update(RG, NAME, update, **kw)).result()
        required = models.VirtualMachineScaleSetVMInstanceRequiredIDs(instance_ids=["14"])
        await run(vmss.begin_update_instances(RG, NAME, required, **kw))

    async def protect() -> models.VirtualMachineScaleSetVM:
        vm = await vms.get(RG, NAME, "15", **kw)
        assert vm.properties is not None
        vm.properties.protection_policy = models.VirtualMachineScaleSetVMProtectionPolicy(
            protect_from_scale_in=True
        )
        updated: models.VirtualMachineScaleSetVM = await (
            await vms.begin_update(RG, NAME, "15", vm, **kw)
        ).result()
        return updated

    _, protected = await asyncio.gather(upgrade(), protect())
    assert protected.properties is not None and protected.properties.protection_policy
    assert protected.properties.protection_policy.protect_from_scale_in is True
    assert protected.properties.provisioning_state == "Succeeded"


EXPECTED_POWER = {
    "0": "deallocated", "1": "stopped", "7": "running", "8": "stopped",
    **{iid: "running" for iid in ("2", "3", "4", "5", "6", "9", "10", "11", "12", "13")},
}  # fmt: skip


async def check_what_it_reads(official: Official) -> None:
    vmss, vms, kw = (
        official.client.virtual_machine_scale_sets,
        official.client.virtual_machine_scale_set_vms,
        official.kw,
    )
    fake = official.fake
    for iid, power in EXPECTED_POWER.items():
        view = await vms.get_instance_view(RG, NAME, iid, **kw)
        codes = [status.code for status in view.statuses or ()]
        assert codes == ["ProvisioningState/succeeded", f"PowerState/{power}"], iid
        assert fake.vm(RG, NAME, iid).power_state == power
    summary = await vmss.get_instance_view(RG, NAME, **kw)
    assert summary.virtual_machine is not None
    counts = {c.code: c.count for c in summary.virtual_machine.statuses_summary or ()}
    assert counts == {
        "ProvisioningState/succeeded": 16,
        "PowerState/running": 13,
        "PowerState/stopped": 2,
        "PowerState/deallocated": 1,
    }
    applied = {
        vm.instance_id: vm.properties.latest_model_applied
        async for vm in vms.list(RG, NAME, **kw)
        if vm.properties is not None
    }
    assert applied == {str(i): i == 14 for i in range(16)}
    skus = [sku.sku.name async for sku in vmss.list_skus(RG, NAME, **kw) if sku.sku]
    assert "Standard_D2s_v3" in skus and skus == sorted(skus) and len(skus) == 10


async def test_every_lifecycle_operation(official: Official) -> None:
    vmss, kw = official.client.virtual_machine_scale_sets, official.kw
    body = scale_set_body(16)
    assert body.properties is not None
    body.properties.upgrade_policy = models.UpgradePolicy(mode="Manual")
    await (await vmss.begin_create_or_update(RG, NAME, body, **kw)).result()
    await asyncio.gather(
        scale_set_operations(official), vm_operations(official), upgrade_and_protect(official)
    )
    await check_what_it_reads(official)
    vms = official.client.virtual_machine_scale_set_vms
    for approve in (
        vmss.begin_approve_rolling_upgrade(RG, NAME, ids("0"), **kw),
        vms.begin_approve_rolling_upgrade(RG, NAME, "0", **kw),
    ):
        with pytest.raises(HttpResponseError) as caught:
            await approve  # no rolling upgrade ever waits in the fake (docs/fake/lifecycle.md)
        assert caught.value.status_code == 400
        assert caught.value.error is not None
        assert caught.value.error.code == "OperationNotAllowed"
