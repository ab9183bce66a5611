"""wait_for_instances_created: a scale-out's new VMs, found by the wait itself or given.

Also: a VM whose creation failed names the ARM error code and Resilient create's attempt
count, read once from its instance view.
"""

from __future__ import annotations

from typing import Any

import pytest
from fake_support import RG, CountingTransport, client_for, create, list_calls, vm_gets

from aiovmss.errors import ResourceNotFoundError, VMCreationFailedError, WaitTimeoutError
from aiovmss.waiters import CreationOutcome, wait_for_instances_created, wait_for_vm_creation
from fakevmss import FakeCompute

TIMEOUT = "OSProvisioningTimeout"


async def listed_ids(client: Any, name: str) -> list[str]:
    return [vm.instance_id async for vm in client.scale_set_vms.list(RG, name)]


async def test_scale_out_found_by_since_one_list_per_round() -> None:
    fake = FakeCompute(seed=1)
    fake.faults.fail_create(TIMEOUT, scale_set="web", instances=["3"])
    async with client_for(fake) as client:
        await create(client, "web", 2)
        since = await listed_ids(client, "web")
        await client.scale_sets.begin_update(RG, "web", {"sku": {"capacity": 5}})
        before = len(fake.requests)
        results = await wait_for_instances_created(
            client, RG, "web", since=since, count=3, raise_on_failure=False
        )
    assert list(results) == ["2", "3", "4"]
    assert {iid: r.outcome for iid, r in results.items()} == {
        "2": CreationOutcome.SUCCEEDED,
        "3": CreationOutcome.FAILED,
        "4": CreationOutcome.SUCCEEDED,
    }
    failed = results["3"]
    assert (failed.error_code, failed.attempts) == (TIMEOUT, 4)  # 8-min attempts in 30 min
    assert failed.elapsed == 1800.0 and results["2"].error_code is None
    watched = fake.requests[before:]
    rounds = [r for r in watched if r.path.lower().endswith("/virtualmachines")]
    assert len(watched) == len(rounds) + 1  # one list per round, one GET of the failed VM
    assert len(rounds) == 1800 // 30 + 1
    assert [r.query.get("$expand") for r in vm_gets(fake, "web", "3")] == ["instanceView"]


async def test_a_failed_vm_raises_naming_its_code_and_attempts() -> None:
    fake = FakeCompute(seed=2)
    fake.faults.fail_create(TIMEOUT, scale_set="web", instances=["1"])
    async with client_for(fake) as client:
        await client.scale_sets.begin_create_or_update(RG, "web", body_of(2))
        with pytest.raises(VMCreationFailedError) as caught:
            await wait_for_instances_created(client, RG, "web", since=(), count=2)
    message = str(caught.value)
    assert "1 of 2 VMs failed" in message and "rg/web" in message
    assert f"VM 1 (code {TIMEOUT}, 4 attempts;" in message
    assert caught.value.result["0"].succeeded


async def test_wait_for_vm_creation_names_the_code_and_attempts() -> None:
    fake = FakeCompute(seed=3)
    fake.faults.fail_create("AllocationFailed", scale_set="web", instances=["0"])
    async with client_for(fake) as client:
        await client.scale_sets.begin_create_or_update(RG, "web", body_of(1))
        with pytest.raises(VMCreationFailedError) as caught:
            await wait_for_vm_creation(client, RG, "web", "0")
    assert "(code AllocationFailed, 1 attempt;" in str(caught.value)  # never retried
    assert caught.value.result.error_code == "AllocationFailed"


async def test_given_ids_on_flexible_use_bounded_gets() -> None:
    fake = FakeCompute(seed=4)
    transport = CountingTransport(fake.transport())
    async with client_for(fake, transport=transport) as client:
        await create(client, "flex", 2, mode="Flexible")
        before = set(fake.scale_set(RG, "flex").instance_ids)
        await client.scale_sets.begin_update(RG, "flex", {"sku": {"capacity": 8}})
        new = [i for i in fake.scale_set(RG, "flex").instance_ids if i not in before]
        transport.max_in_flight = 0
        results = await wait_for_instances_created(client, RG, "flex", new, concurrency=3)
    assert len(results) == 6 and all(r.succeeded for r in results.values())
    assert transport.max_in_flight == 3
    assert len(list_calls(fake, "flex")) == 1  # refused once, then per-VM GETs


async def test_finding_new_vms_of_a_flexible_scale_set_is_refused() -> None:
    fake = FakeCompute(seed=5)
    async with client_for(fake) as client:
        await create(client, "flex", 1, mode="Flexible")
        with pytest.raises(ValueError, match="pass instance_ids"):
            await wait_for_instances_created(client, RG, "flex", since=[])
        sent = len(fake.requests)
        with pytest.raises(ValueError, match="Flexible scale set cannot be listed"):
            await wait_for_instances_created(
                client, RG, "flex", since=[], orchestration_mode="Flexible"
            )
        assert len(fake.requests) == sent


async def test_a_misspelled_scale_set_raises_at_once() -> None:
    fake = FakeCompute(seed=6)
    async with client_for(fake) as client:
        with pytest.raises(ResourceNotFoundError, match="wait for creation in scale set rg/wbe"):
            await wait_for_instances_created(client, RG, "wbe", since=[])


async def test_no_new_vm_times_out_saying_so() -> None:
    fake = FakeCompute(seed=7)
    async with client_for(fake) as client:
        await create(client, "web", 2)
        since = await listed_ids(client, "web")
        with pytest.raises(WaitTimeoutError, match=r"not settled within 300 s .*0 new VMs found"):
            await wait_for_instances_created(client, RG, "web", since=since, timeout=300)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, TypeError, "pass instance_ids .* or since="),
        ({"instance_ids": ["0"], "since": []}, TypeError, "not both or neither"),
        ({"since": "12"}, TypeError, r"since must be a list of str, not str"),
        ({"instance_ids": [0]}, TypeError, r"instance_ids\[0\] must be a str, not int"),
        ({"since": [], "count": 0}, ValueError, "count must be at least 1"),
        ({"since": [], "count": 2.0}, TypeError, "count must be an int"),
    ],
)
async def test_arguments_are_checked_before_anything_is_sent(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    fake = FakeCompute(seed=8)
    async with client_for(fake) as client:
        with pytest.raises(error, match=message):
            await wait_for_instances_created(client, RG, "web", **kwargs)
    assert fake.requests == []


def body_of(capacity: int) -> dict[str, Any]:
    from fake_support import body

    return body(capacity)
