"""The waiters against the fake on its virtual clock: Resilient delete and create for real."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from fake_support import (
    RG,
    CountingTransport,
    body,
    client_for,
    create,
    list_calls,
    settle_lro,
    vm_gets,
)

from aiovmss.errors import OperationFailedError, VMDeletionFailedError, WaitTimeoutError
from aiovmss.waiters import (
    DEFAULT_HORIZON,
    DeletionOutcome,
    wait_for_instances_deleted,
    wait_for_scale_set_deletion,
    wait_for_vm_creation,
    wait_for_vm_deletion,
)
from fakevmss import FakeCompute

CODE = "InternalExecutionError"


async def delete_vm(client: Any, name: str, iid: str) -> None:
    await settle_lro(await client.scale_set_vms.begin_delete(RG, name, iid))


async def test_flapping_states_never_end_the_wait_early() -> None:
    fake = FakeCompute(seed=1)
    fake.faults.fail_delete(CODE, scale_set="web", attempts=2, fallback_state="Running")
    async with client_for(fake) as client:
        await create(client, "web", 1)
        await delete_vm(client, "web", "0")
        result = await wait_for_vm_deletion(client, RG, "web", "0", poll_interval=10)
    assert result.outcome is DeletionOutcome.DELETED
    seen = {
        (o.provisioning_state, o.deletion_status) for o in result.history if o.http_status == 200
    }
    assert ("Running", "InProgress") in seen or ("Failed", "InProgress") in seen
    assert all(o.verdict.value == "InProgress" for o in result.history[:-1])
    # Retry 1 is due at once, retry 2 ten minutes after retry 1 failed: gone after ~12 min.
    assert 11 * 60 <= result.elapsed <= 13 * 60 + 10


async def test_failed_delete_lro_then_retries_succeed() -> None:
    fake = FakeCompute(seed=2)
    fake.faults.fail_delete(CODE, scale_set="web", instances=["1"], attempts=1)
    async with client_for(fake) as client:
        await create(client, "web", 2)
        poller = await client.scale_set_vms.begin_delete(RG, "web", "1")
        with pytest.raises(OperationFailedError):
            await poller.result()
        result = await wait_for_vm_deletion(client, RG, "web", "1")
    assert result.deleted
    assert fake.vm(RG, "web", "1").delete_attempts == 2


async def test_retries_spent_raise_with_history() -> None:
    fake = FakeCompute(seed=3)
    fake.faults.fail_delete(CODE, scale_set="web")
    async with client_for(fake) as client:
        await create(client, "web", 1)
        await delete_vm(client, "web", "0")
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0", poll_interval=60)
    result = caught.value.result
    assert result.outcome is DeletionOutcome.FAILED
    assert result.history[-1].deletion_status == "Failed"
    assert result.elapsed <= DEFAULT_HORIZON + 60
    assert fake.vm(RG, "web", "0").delete_attempts == 6


async def test_policy_disabled_failure_ends_at_the_first_poll_after_it() -> None:
    fake = FakeCompute(seed=4)
    fake.faults.fail_delete(CODE, scale_set="web")
    async with client_for(fake) as client:
        await create(client, "web", 1, deletion=False)
        await delete_vm(client, "web", "0")
        start = client.clock.now()
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0", poll_interval=30)
    assert caught.value.result.history[-1].deletion_status == "Disabled"
    assert caught.value.result.elapsed <= 30
    assert fake.clock.now() - start <= 30


async def test_timeout_raises_with_the_result_so_far() -> None:
    fake = FakeCompute(seed=5)
    fake.faults.fail_delete(CODE, scale_set="web")
    async with client_for(fake) as client:
        await create(client, "web", 1)
        await delete_vm(client, "web", "0")
        with pytest.raises(WaitTimeoutError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0", timeout=1800, poll_interval=60)
    assert caught.value.result.outcome is DeletionOutcome.TIMED_OUT
    assert caught.value.result.polls == 31


async def test_polls_never_faster_than_the_interval_or_retry_after() -> None:
    fake = FakeCompute(seed=6)
    fake.faults.fail_delete(CODE, scale_set="web", attempts=3)
    async with client_for(fake) as client:
        await create(client, "web", 1)
        await delete_vm(client, "web", "0")
        await wait_for_vm_deletion(client, RG, "web", "0", poll_interval=45)
    times = [r.time for r in vm_gets(fake, "web", "0") if r.query.get("$expand")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) > 10 and min(gaps) >= 45


async def test_uniform_thousand_vms_one_list_per_round() -> None:
    fake = FakeCompute(seed=7, page_size=1000)
    fake.faults.fail_delete(CODE, scale_set="big", probability=0.05)
    async with client_for(fake) as client:
        await create(client, "big", 1000, creation=False)
        ids = [str(i) for i in range(1000)]
        poller = await client.scale_sets.begin_delete_instances(RG, "big", ids)
        before = len(fake.requests)  # the wait starts as the delete is accepted (documented)
        results = await wait_for_instances_deleted(client, RG, "big", ids, poll_interval=60)
        after = len(fake.requests)
        await settle_lro(poller)
    assert all(r.deleted for r in results.values())
    watched = fake.requests[before:after]
    rounds = list_calls(fake, "big")
    assert len(watched) == len([r for r in rounds if r.time >= watched[0].time])
    gaps = [b.time - a.time for a, b in itertools.pairwise(watched)]
    assert all(gap >= 60 for gap in gaps)


async def test_flexible_uses_bounded_concurrent_gets() -> None:
    fake = FakeCompute(seed=8)
    fake.faults.fail_delete(CODE, scale_set="flex", attempts=1)
    transport = CountingTransport(fake.transport())
    async with client_for(fake, transport=transport) as client:
        await create(client, "flex", 20, mode="Flexible")
        ids = list(fake.scale_set(RG, "flex").instance_ids)
        await settle_lro(await client.scale_sets.begin_delete_instances(RG, "flex", ids))
        transport.max_in_flight = 0
        results = await wait_for_instances_deleted(client, RG, "flex", ids, concurrency=5)
    assert all(r.deleted for r in results.values())
    assert transport.max_in_flight == 5


async def test_2023_failed_counts_only_after_the_horizon(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeCompute(seed=9)
    fake.faults.fail_delete(CODE, scale_set="old", attempts=3)
    caplog.set_level(logging.INFO, logger="aiovmss.waiters")
    async with client_for(fake, api_version="2023-07-01") as client:
        await create(client, "old", 1)
        await delete_vm(client, "old", "0")
        result = await wait_for_vm_deletion(client, RG, "old", "0", poll_interval=60)
    assert result.deleted  # the bare Failed between retries never ended the wait
    assert any(o.provisioning_state == "Failed" for o in result.history)
    assert len([r for r in caplog.records if "2024-07-01" in r.getMessage()]) == 1


async def test_scale_set_deletion_waits_for_vms_then_the_scale_set() -> None:
    fake = FakeCompute(seed=10)
    fake.faults.fail_delete(CODE, scale_set="web", instances=["2"], attempts=2)
    async with client_for(fake) as client:
        await create(client, "web", 3)
        await client.scale_sets.begin_delete(RG, "web")
        result = await wait_for_scale_set_deletion(client, RG, "web")
    assert result.deleted and set(result.vms) == {"0", "1", "2"}
    assert result.history[-1].http_status == 404


async def test_vm_creation_waits_through_resilient_create() -> None:
    fake = FakeCompute(seed=11)
    fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", instances=["0"], attempts=2)
    async with client_for(fake) as client:
        await client.scale_sets.begin_create_or_update(RG, "web", body(1))
        result = await wait_for_vm_creation(client, RG, "web", "0")
    assert result.succeeded
    assert fake.vm(RG, "web", "0").create_attempts == 3
    assert result.elapsed >= 2 * 8 * 60


async def test_a_long_retry_after_stretches_the_next_poll() -> None:
    fake = FakeCompute(seed=12)
    fake.faults.fail_delete(CODE, scale_set="web", attempts=2)
    async with client_for(fake) as client:
        await create(client, "web", 1)
        await delete_vm(client, "web", "0")
        # Longer than the client's 60 s cap: the pipeline gives up, the waiter waits it out.
        fake.faults.throttle(retry_after=150, method="GET", path="/virtualMachines/0", times=2)
        result = await wait_for_vm_deletion(client, RG, "web", "0", poll_interval=30)
    assert result.deleted
    statuses = [o.http_status for o in result.history]
    assert statuses[:2] == [429, 429]
    gets = vm_gets(fake, "web", "0")[-len(result.history) :]
    gaps = [b.time - a.time for a, b in itertools.pairwise(gets)]
    assert gaps[:2] == [150.0, 150.0]
    assert min(gaps) >= 30


async def test_2023_retries_spent_end_failed_within_the_default_timeout() -> None:
    fake = FakeCompute(seed=13)
    fake.faults.fail_delete(CODE, scale_set="old")
    async with client_for(fake, api_version="2023-07-01") as client:
        await create(client, "old", 1)
        await delete_vm(client, "old", "0")
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, RG, "old", "0", poll_interval=60)
    result = caught.value.result
    assert fake.vm(RG, "old", "0").delete_attempts == 6  # every retry ran before the verdict
    # Final a horizon after the wait started (every retry is over by then), no longer a
    # horizon after the first Failed seen: that rule could outlast the 4 h default timeout.
    assert DEFAULT_HORIZON <= result.elapsed < DEFAULT_HORIZON + 60
