"""The fake behind respx: aiovmss over its HttpxTransport, and plain httpx code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss.errors import ResourceNotFoundError, ServiceResponseError
from aiovmss.transport import HttpxTransport
from fakevmss import FakeCompute

RG = "rg"
API = "api-version=2024-07-01"
SCALE_SET: dict[str, Any] = {
    "location": "westus",
    "sku": {"name": "Standard_D2s_v3", "capacity": 3},
    "properties": {
        "orchestrationMode": "Uniform",
        "resiliencyPolicy": {
            "resilientVMCreationPolicy": {"enabled": True},
            "resilientVMDeletionPolicy": {"enabled": True},
        },
    },
}


@pytest.fixture
def fake() -> FakeCompute:
    return FakeCompute(page_size=2)


@pytest.fixture
async def client(fake: FakeCompute) -> AsyncIterator[ComputeClient]:
    with fake.respx_router():
        async with (
            httpx.AsyncClient() as http,
            ComputeClient(
                StaticTokenCredential("t"),
                fake.subscription_id,
                transport=HttpxTransport(http),
                clock=fake.clock,
            ) as compute,
        ):
            yield compute


async def test_aiovmss_over_httpx_through_respx(client: ComputeClient, fake: FakeCompute) -> None:
    poller = await client.scale_sets.begin_create_or_update(RG, "web", SCALE_SET)
    vmss = await poller.result()
    assert vmss.properties is not None
    assert vmss.properties.provisioning_state == "Succeeded"
    vms = [vm async for vm in client.scale_set_vms.list(RG, "web")]
    assert sorted(vm.instance_id for vm in vms) == ["0", "1", "2"]
    assert any("$skiptoken" in record.query for record in fake.requests)

    await (await client.scale_set_vms.begin_delete(RG, "web", "2", force_deletion=True)).result()
    with pytest.raises(ResourceNotFoundError):
        await client.scale_set_vms.get(RG, "web", "2")
    assert fake.vm(RG, "web", "2").delete_attempts == 1


async def test_dropped_connection_is_retried_by_aiovmss(
    client: ComputeClient, fake: FakeCompute
) -> None:
    await (await client.scale_sets.begin_create_or_update(RG, "web", SCALE_SET)).result()
    fake.faults.drop_connection(method="GET", path="/virtualMachineScaleSets/web")
    before = len(fake.requests)
    vmss = await client.scale_sets.get(RG, "web")
    assert vmss.name == "web"
    assert [r.status for r in fake.requests[before:]] == [0, 200]


async def test_plain_httpx_put_and_get(fake: FakeCompute) -> None:
    base = "https://management.azure.com"
    path = (
        f"/subscriptions/{fake.subscription_id}/resourceGroups/{RG}"
        "/providers/Microsoft.Compute/virtualMachineScaleSets/web"
    )
    headers = {"Authorization": "Bearer t"}
    router = fake.respx_router()
    async with httpx.AsyncClient(
        base_url=base, headers=headers, transport=httpx.MockTransport(router.async_handler)
    ) as http:
        created = await http.put(f"{path}?{API}", json=SCALE_SET)
        assert created.status_code == 201
        assert created.json()["properties"]["provisioningState"] == "Creating"
        assert created.headers["Azure-AsyncOperation"].startswith(f"{base}/subscriptions/")
        fake.clock.advance(600)
        got = await http.get(f"{path}?{API}")
        assert got.status_code == 200
        assert got.json()["properties"]["provisioningState"] == "Succeeded"
        missing = await http.get(f"{path}x?{API}")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "ResourceNotFound"
        unauthenticated = await http.get(f"{path}?{API}", headers={"Authorization": ""})
        assert unauthenticated.status_code == 401


async def test_httpx_transport_on_the_fakes_clock_times_out_a_slow_fault_virtually() -> None:
    fake = FakeCompute()
    fake.create_scale_set(RG, "web", capacity=0)
    fake.faults.slow_response(600, method="GET")
    with fake.respx_router():
        async with (
            httpx.AsyncClient() as http,
            ComputeClient(
                StaticTokenCredential("t"),
                fake.subscription_id,
                transport=HttpxTransport(http, io_clock=fake.clock),
                clock=fake.clock,
                retry=RetryPolicy(max_attempts=1, timeout=45),
            ) as compute,
        ):
            with pytest.raises(ServiceResponseError, match="timed out after 45 s"):
                await compute.scale_sets.get(RG, "web")
    assert fake.clock.now() == 45.0


async def test_lifecycle_operations_through_respx(client: ComputeClient, fake: FakeCompute) -> None:
    await (await client.scale_sets.begin_create_or_update(RG, "web", SCALE_SET)).result()
    await (await client.scale_sets.begin_deallocate(RG, "web", instance_ids=["1"])).result()
    await (await client.scale_set_vms.begin_restart(RG, "web", "2")).result()
    view = await client.scale_sets.get_instance_view(RG, "web")
    assert view.status_counts == {
        "ProvisioningState/succeeded": 3,
        "PowerState/deallocated": 1,
        "PowerState/running": 2,
    }
    vm_view = await client.scale_set_vms.get_instance_view(RG, "web", "1")
    assert vm_view.power_state == fake.vm(RG, "web", "1").power_state == "deallocated"
    skus = [sku.sku.name async for sku in client.scale_sets.list_skus(RG, "web") if sku.sku]
    assert "Standard_D2s_v3" in skus
