"""Regression tests for what the chaos suite found in code this suite does not own.

Each was ``xfail(strict=True)`` until its owner landed the fix described in the reason; every
one is fixed now and passes.
"""

from __future__ import annotations

import pytest

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss.errors import ResponseDecodeError, VMDeletionFailedError
from aiovmss.waiters import wait_for_vm_deletion
from fakevmss import FakeCompute

RG = "rg"


def _client(fake: FakeCompute, api_version: str = "2024-07-01") -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, api_version=api_version,
        transport=fake.transport(), clock=fake.clock, retry=RetryPolicy(max_attempts=3),
    )  # fmt: skip


async def test_truncated_success_body_is_an_azure_error_and_retried() -> None:
    """Fixed: a truncated 2xx body on a GET is sent again, like any damaged answer."""
    fake = FakeCompute(seed=1)
    fake.create_scale_set(RG, "web", capacity=1)
    fake.faults.garbage_body(mode="truncated", method="GET", path="/virtualMachines/0")
    async with _client(fake) as client:
        vm = await client.scale_set_vms.get(RG, "web", "0")
        assert vm.instance_id == "0"
    assert [r.status for r in fake.requests] == [200, 200]


async def test_truncated_success_body_every_time_raises_response_decode_error() -> None:
    """Retries spent: an AzureError naming the operation and resource, never a ValidationError."""
    fake = FakeCompute(seed=1)
    fake.create_scale_set(RG, "web", capacity=1)
    fake.faults.garbage_body(mode="truncated", method="GET", path="/virtualMachines/0", times=3)
    async with _client(fake) as client:
        with pytest.raises(
            ResponseDecodeError, match=r"scale_set_vms\.get rg/web/virtualMachines/0"
        ):
            await client.scale_set_vms.get(RG, "web", "0")
        assert (await client.scale_set_vms.get(RG, "web", "0")).instance_id == "0"
    assert len(fake.requests) == 4


async def test_2023_waiter_settles_failed_after_running_fallback() -> None:
    """Fixed: a Failed seen a horizon after the wait started is final (every retry is over).

    Before, a Failed that appears only after the last retry (fallback Running) had to hold a
    whole horizon: 156 + 156 min > the 4 h default timeout, so the waiter timed out.
    """
    fake = FakeCompute(seed=2)
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(600)
    fake.faults.fail_delete("InternalExecutionError", fallback_state="Running")
    async with _client(fake, api_version="2023-07-01") as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        with pytest.raises(VMDeletionFailedError):
            await wait_for_vm_deletion(client, RG, "web", "0")


async def test_2023_waiter_with_running_fallback_settles_given_time() -> None:
    """The same case with a longer timeout settles Failed, never Deleted."""
    fake = FakeCompute(seed=2)
    fake.create_scale_set(RG, "web", capacity=1)
    fake.clock.advance(600)
    fake.faults.fail_delete("InternalExecutionError", fallback_state="Running")
    async with _client(fake, api_version="2023-07-01") as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0", timeout=8 * 3600)
    assert caught.value.result.outcome == "Failed"
    assert fake.vm(RG, "web", "0").resilient_vm_deletion_status == "Failed"
    assert fake.vm(RG, "web", "0").delete_attempts == 6
