"""Lifecycle scenarios users test: aiovmss against the fake, on the virtual clock.

- deallocate half a fleet while Resilient delete retries the other half;
- reimage the VMs Resilient create left ``Failed``;
- change the model, then ``update_instances`` on a subset, reading ``latestModelApplied``;
- a protected VM survives a scale-in.

Every response is also checked against the published schema (conftest.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from test_respx import SCALE_SET

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.errors import ConflictError, OperationFailedError
from aiovmss.models import VirtualMachineScaleSetVMProtectionPolicy
from aiovmss.waiters import (
    CreationOutcome,
    DeletionOutcome,
    wait_for_instances_created,
    wait_for_instances_deleted,
)
from fakevmss import FakeCompute

RG = "rg"
NAME = "fleet"
CODE = "InternalExecutionError"


def scale_set(capacity: int) -> dict[str, Any]:
    """The respx tests' scale set with ``capacity`` VMs and a Manual upgrade policy."""
    properties = {**SCALE_SET["properties"], "upgradePolicy": {"mode": "Manual"}}
    return {
        **SCALE_SET,
        "sku": {**SCALE_SET["sku"], "capacity": capacity},
        "properties": properties,
    }


@pytest.fixture
def fake() -> FakeCompute:
    return FakeCompute(seed=4, page_size=3)


@pytest.fixture
async def client(fake: FakeCompute) -> AsyncIterator[ComputeClient]:
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock,
    ) as compute:  # fmt: skip
        yield compute


async def fleet(client: ComputeClient, capacity: int) -> None:
    poller = await client.scale_sets.begin_create_or_update(RG, NAME, scale_set(capacity))
    with contextlib.suppress(OperationFailedError):  # failed VMs: the scenario looks at them
        await poller.result()


async def power_states(client: ComputeClient) -> dict[str, str | None]:
    """Each live VM's power state, read through its instance view."""
    states = {}
    async for vm in client.scale_set_vms.list(RG, NAME):
        view = await client.scale_set_vms.get_instance_view(RG, NAME, vm.instance_id)
        states[vm.instance_id] = view.power_state
    return states


async def test_deallocate_half_a_fleet_while_resilient_delete_retries_the_other_half(
    client: ComputeClient, fake: FakeCompute
) -> None:
    await fleet(client, 8)
    keep, drop = ["0", "1", "2", "3"], ["4", "5", "6", "7"]
    fake.faults.fail_delete(CODE, scale_set=NAME, instances=drop, attempts=2)
    poller = await client.scale_sets.begin_delete_instances(RG, NAME, drop)
    with pytest.raises(OperationFailedError):
        await poller.result()  # the first attempts failed; Resilient delete retries them
    started = fake.clock.now()
    await (await client.scale_sets.begin_deallocate(RG, NAME, instance_ids=keep)).result()
    assert fake.clock.now() - started == 60  # one deallocate, while the retries wait
    assert all(fake.vm(RG, NAME, iid).resilient_vm_deletion_status == "InProgress" for iid in drop)
    view = await client.scale_sets.get_instance_view(RG, NAME)
    assert view.status_counts["PowerState/deallocated"] == 4
    with pytest.raises(ConflictError) as refused:  # a VM under Resilient delete takes nothing
        await client.scale_sets.begin_deallocate(RG, NAME, instance_ids=["4"])
    assert refused.value.error is not None and refused.value.error.code == "OperationNotAllowed"
    results = await wait_for_instances_deleted(client, RG, NAME, drop)
    assert {r.outcome for r in results.values()} == {DeletionOutcome.DELETED}
    assert all(fake.vm(RG, NAME, iid).delete_attempts == 3 for iid in drop)
    assert await power_states(client) == dict.fromkeys(keep, "deallocated")


async def test_reimage_the_vms_resilient_create_left_failed(
    client: ComputeClient, fake: FakeCompute
) -> None:
    fake.faults.fail_create("OSProvisioningTimeout", scale_set=NAME, instances=["1", "3"])
    await fleet(client, 4)
    results = await wait_for_instances_created(client, RG, NAME, since=(), count=4,
                                               raise_on_failure=False)  # fmt: skip
    failed = sorted(iid for iid, r in results.items() if r.outcome is CreationOutcome.FAILED)
    assert failed == ["1", "3"]
    assert {results[iid].error_code for iid in failed} == {"OSProvisioningTimeout"}
    fake.faults.clear()  # the platform recovered; Resilient create does not come back
    attempts = {iid: fake.vm(RG, NAME, iid).create_attempts for iid in failed}
    await (await client.scale_sets.begin_reimage(RG, NAME, instance_ids=failed)).result()
    for iid in failed:
        view = await client.scale_set_vms.get_instance_view(RG, NAME, iid)
        assert (view.provisioning_state, view.power_state) == ("succeeded", "running")
        vm = await client.scale_set_vms.get(RG, NAME, iid)
        assert vm.provisioning_state == "Succeeded"
    assert {iid: fake.vm(RG, NAME, iid).create_attempts for iid in failed} == attempts
    view = await client.scale_sets.get_instance_view(RG, NAME)
    assert view.status_counts == {"ProvisioningState/succeeded": 4, "PowerState/running": 4}


async def test_patch_the_model_then_update_instances_on_a_subset(
    client: ComputeClient, fake: FakeCompute
) -> None:
    await fleet(client, 5)
    image = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server"}
    patch = {"properties": {"virtualMachineProfile": {"storageProfile": {"imageReference": image}}}}
    await (await client.scale_sets.begin_update(RG, NAME, patch)).result()

    async def applied() -> dict[str, bool | None]:
        return {
            vm.instance_id: vm.properties.latest_model_applied if vm.properties else None
            async for vm in client.scale_set_vms.list(RG, NAME)
        }

    assert await applied() == dict.fromkeys(["0", "1", "2", "3", "4"], False)
    started = fake.clock.now()
    await (await client.scale_sets.begin_update_instances(RG, NAME, ["1", "3"])).result()
    assert fake.clock.now() - started == 60
    assert await applied() == {"0": False, "1": True, "2": False, "3": True, "4": False}
    vm = await client.scale_set_vms.get(RG, NAME, "3")
    assert vm.properties is not None and vm.properties.storage_profile is not None
    reference = vm.properties.storage_profile.image_reference
    assert reference is not None and reference.offer == "ubuntu-24_04-lts"


async def test_a_protected_vm_survives_a_scale_in(client: ComputeClient, fake: FakeCompute) -> None:
    await fleet(client, 4)
    vm = await client.scale_set_vms.get(RG, NAME, "3")
    assert vm.properties is not None
    vm.properties.protection_policy = VirtualMachineScaleSetVMProtectionPolicy(
        protect_from_scale_in=True
    )
    updated = await (await client.scale_set_vms.begin_update(RG, NAME, "3", vm)).result()
    assert updated.properties is not None and updated.properties.protection_policy is not None
    assert updated.properties.protection_policy.protect_from_scale_in is True
    await (await client.scale_sets.begin_update(RG, NAME, {"sku": {"capacity": 2}})).result()
    survivors = [vm.instance_id async for vm in client.scale_set_vms.list(RG, NAME)]
    assert survivors == ["0", "3"]  # 2 went, not the protected 3
    with pytest.raises(ConflictError) as refused:
        await client.scale_sets.begin_update(RG, NAME, {"sku": {"capacity": 0}})
    assert "protected from scale-in" in str(refused.value)
    await (await client.scale_set_vms.begin_delete(RG, NAME, "3")).result()  # explicit: allowed
    assert [vm.instance_id async for vm in client.scale_set_vms.list(RG, NAME)] == ["0"]
