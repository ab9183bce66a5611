from __future__ import annotations

from typing import Any

import pytest
from drain import drain

RG, NAME = "rg", "web"


async def make_scale_set(client: Any, capacity: int, *, resilient_delete: bool) -> None:
    body = {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "capacity": capacity},
        "properties": {
            "orchestrationMode": "Uniform",
            "virtualMachineProfile": {
                "storageProfile": {"osDisk": {"osType": "Linux", "createOption": "FromImage"}}
            },
            "resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": resilient_delete}},
        },
    }
    poller = await client.scale_sets.begin_create_or_update(RG, NAME, body)
    await poller.result()


async def test_drain_survives_failed_first_attempts(compute_client: Any, fake_compute: Any) -> None:
    await make_scale_set(compute_client, 3, resilient_delete=True)
    fake_compute.faults.fail_delete("InternalExecutionError", scale_set=NAME, attempts=2)

    outcomes = await drain(compute_client, RG, NAME, ["0", "1", "2"])

    assert outcomes == {"0": "Deleted", "1": "Deleted", "2": "Deleted"}
    assert fake_compute.vm(RG, NAME, "0").delete_attempts == 3


async def test_drain_reports_failure_without_resilient_delete(
    compute_client: Any, fake_compute: Any
) -> None:
    await make_scale_set(compute_client, 2, resilient_delete=False)
    fake_compute.faults.fail_delete("InternalExecutionError", scale_set=NAME, instances=["1"])

    outcomes = await drain(compute_client, RG, NAME, ["0", "1"])

    assert outcomes == {"0": "Deleted", "1": "Failed"}


@pytest.mark.fake_compute(seed=11, subscription_id="00000000-0000-0000-0000-00000000d0d0")
async def test_marker_configures_the_fake(compute_client: Any, fake_compute: Any) -> None:
    assert fake_compute.subscription_id.endswith("d0d0")
    await make_scale_set(compute_client, 1, resilient_delete=True)
    assert await drain(compute_client, RG, NAME, ["0"]) == {"0": "Deleted"}


@pytest.mark.compute_client(api_version="2023-07-01")
async def test_drain_at_api_version_2023_07_01(compute_client: Any, fake_compute: Any) -> None:
    # No resilientVMDeletionStatus at 2023-07-01: the waiter judges by the state alone.
    assert compute_client.api_version == "2023-07-01"
    await make_scale_set(compute_client, 2, resilient_delete=True)
    fake_compute.faults.fail_delete("InternalExecutionError", scale_set=NAME, instances=["1"])

    outcomes = await drain(compute_client, RG, NAME, ["0", "1"])

    assert outcomes == {"0": "Deleted", "1": "Failed"}  # VM 1 failed its 6 attempts
    assert fake_compute.vm(RG, NAME, "1").delete_attempts == 6
    assert {r.api_version for r in fake_compute.requests} == {"2023-07-01"}
