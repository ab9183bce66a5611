"""Deletion waiters never report success for what never existed: NotFound vs Deleted.

A VM gone at the wait's first answer is ``NotFound`` (``seen=False``); one that went away
during the wait is ``Deleted`` (``seen=True``); a scale set missing when the wait begins
raises ``ResourceNotFoundError``. Also: instance ids are refused when they are a bare str or
hold a non-str, and failure messages say which kind of failure happened.
"""

from __future__ import annotations

from typing import Any

import pytest
from fake_support import RG, client_for, create, list_calls
from waiters_stub import GONE, StubClient, http_error, not_found

from aiovmss.errors import ResourceNotFoundError, VMDeletionFailedError
from aiovmss.waiters import (
    DeletionOutcome,
    wait_for_instances_deleted,
    wait_for_scale_set_deletion,
    wait_for_vm_deletion,
)
from fakevmss import FakeCompute

IP = "InProgress"


# --- one VM (GET) -------------------------------------------------------------------------------


async def test_a_vm_never_seen_is_not_found_not_deleted(stub: StubClient) -> None:
    result = await wait_for_vm_deletion(stub, "rg", "web", "7")  # no such VM
    assert result.outcome is DeletionOutcome.NOT_FOUND
    assert (result.seen, result.deleted, result.gone) == (False, False, True)
    assert result.polls == 1 and result.elapsed == 0.0
    assert result.history[0].verdict.value == "NotFound"
    assert stub.calls.scale_set_gets == [0.0]  # one check that the scale set is there


async def test_a_vm_seen_then_gone_is_deleted(stub: StubClient) -> None:
    stub.script("3", (0, ("Deleting", IP)), (45, GONE))
    result = await wait_for_vm_deletion(stub, "rg", "web", "3")
    assert result.outcome is DeletionOutcome.DELETED
    assert (result.seen, result.deleted, result.gone) == (True, True, True)
    assert stub.calls.scale_set_gets == []


async def test_a_misspelled_scale_set_raises_at_the_first_poll(stub: StubClient) -> None:
    stub.scale_set.steps[:] = []  # the scale set is not there
    with pytest.raises(ResourceNotFoundError) as caught:
        await wait_for_vm_deletion(stub, "rg", "wbe", "0")
    assert "scale set rg/wbe" in str(caught.value) and "ResourceNotFound" in str(caught.value)
    assert len(stub.calls.gets) == 1 and stub.calls.scale_set_gets == [0.0]
    assert stub.clock.sleeps == []


async def test_an_inconclusive_scale_set_check_waits_a_round(stub: StubClient) -> None:
    stub.scale_set.steps[:] = [(0, http_error(503, "ServiceUnavailable")), (30, GONE)]
    with pytest.raises(ResourceNotFoundError):
        await wait_for_vm_deletion(stub, "rg", "web", "0")
    assert stub.calls.scale_set_gets == [0.0, 30.0]  # the first 404 was not judged alone


async def test_a_transient_first_poll_does_not_count_as_seen(stub: StubClient) -> None:
    stub.script("0", (0, http_error(503, "ServiceUnavailable")), (30, GONE))
    result = await wait_for_vm_deletion(stub, "rg", "web", "0")
    assert result.outcome is DeletionOutcome.NOT_FOUND and result.polls == 2


# --- many VMs ----------------------------------------------------------------------------------


async def test_uniform_absent_from_the_first_list_is_not_found(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (40, GONE))
    results = await wait_for_instances_deleted(stub, "rg", "web", ["0", "12"])
    assert results["0"].outcome is DeletionOutcome.DELETED and results["0"].seen
    assert results["12"].outcome is DeletionOutcome.NOT_FOUND and not results["12"].seen
    assert stub.calls.gets == [] and stub.calls.scale_set_gets == []  # the list proves it


async def test_flexible_checks_the_scale_set_once_for_all_unseen_vms(stub: StubClient) -> None:
    stub.list_error = http_error(400, "OperationNotAllowed")
    results = await wait_for_instances_deleted(
        stub, "rg", "web", ["web_0000000a", "web_0000000b"], orchestration_mode="Flexible"
    )
    assert {r.outcome for r in results.values()} == {DeletionOutcome.NOT_FOUND}
    assert stub.calls.scale_set_gets == [0.0]


async def test_not_found_is_reported_never_raised(stub: StubClient) -> None:
    stub.script("1", (0, ("Deleting", IP)), (30, ("Failed", "Failed")))
    with pytest.raises(VMDeletionFailedError) as caught:
        await wait_for_instances_deleted(stub, "rg", "web", ["1", "2"])
    assert "VM 2" not in str(caught.value)  # only the failed VM is named
    assert caught.value.result["2"].outcome is DeletionOutcome.NOT_FOUND


async def test_scale_set_deletion_of_a_missing_scale_set_raises(stub: StubClient) -> None:
    stub.list_error = not_found("scale set")
    stub.scale_set.steps[:] = []
    with pytest.raises(ResourceNotFoundError, match="scale set rg/gone"):
        await wait_for_scale_set_deletion(stub, "rg", "gone")
    with pytest.raises(ResourceNotFoundError, match="scale set rg/gone"):
        await wait_for_scale_set_deletion(stub, "rg", "gone", instance_ids=["0"])
    with pytest.raises(ResourceNotFoundError, match="scale set rg/gone"):
        await wait_for_scale_set_deletion(stub, "rg", "gone", instance_ids=[])


async def test_scale_set_seen_then_gone_is_deleted_and_seen(stub: StubClient) -> None:
    stub.scale_set.steps[:] = [(0, ("Deleting", None)), (70, GONE)]
    result = await wait_for_scale_set_deletion(stub, "rg", "web", instance_ids=[])
    assert result.deleted and result.seen


# --- instance ids: a str is not a list, an int is not an id ------------------------------------


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("12", r"instance_ids must be a list of str, not str \(one id: \['12'\]\)"),
        ([1, 2], r"instance_ids\[0\] must be a str, not int"),
        (7, "instance_ids must be a list of str, not int"),
    ],
)
async def test_instance_ids_are_checked_before_any_poll(
    stub: StubClient, ids: Any, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        await wait_for_instances_deleted(stub, "rg", "web", ids)
    with pytest.raises(TypeError, match=message):
        await wait_for_scale_set_deletion(stub, "rg", "web", instance_ids=ids)
    assert stub.calls.lists == [] and stub.calls.gets == [] and stub.calls.scale_set_gets == []


async def test_one_instance_id_must_be_a_str(stub: StubClient) -> None:
    with pytest.raises(TypeError, match="instance_id must be a str, not int"):
        await wait_for_vm_deletion(stub, "rg", "web", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="scale set name must be a str"):
        await wait_for_vm_deletion(stub, "rg", None, "3")  # type: ignore[arg-type]
    assert stub.calls.gets == []


# --- messages: what kind of failure --------------------------------------------------------------


async def test_a_failed_delete_with_the_policy_off_does_not_say_gave_up(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", "Disabled")), (30, ("Failed", "Disabled")))
    with pytest.raises(VMDeletionFailedError) as caught:
        await wait_for_vm_deletion(stub, "rg", "web", "0")
    assert "gave up" not in str(caught.value)
    assert "Resilient delete is off (resilientVMDeletionStatus Disabled)" in str(caught.value)


async def test_retries_spent_say_resilient_delete_gave_up(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (30, ("Failed", "Failed")))
    with pytest.raises(VMDeletionFailedError, match=r"Resilient delete gave up \(resilientVM"):
        await wait_for_vm_deletion(stub, "rg", "web", "0")


# --- against the fake ---------------------------------------------------------------------------


async def test_fake_typo_scale_set_raises_and_typo_vm_is_not_found() -> None:
    fake = FakeCompute(seed=3)
    async with client_for(fake) as client:
        await create(client, "web", 2)
        with pytest.raises(ResourceNotFoundError, match="scale set rg/wbe"):
            await wait_for_vm_deletion(client, RG, "wbe", "0")
        with pytest.raises(ResourceNotFoundError, match="scale set rg/wbe"):
            await wait_for_instances_deleted(client, RG, "wbe", ["0"])
        typo = await wait_for_vm_deletion(client, RG, "web", "99")
        poller = await client.scale_sets.begin_delete_instances(RG, "web", ["0"])
        results = await wait_for_instances_deleted(client, RG, "web", ["0", "42"])
        await poller.result()
    assert typo.outcome is DeletionOutcome.NOT_FOUND and not typo.seen
    assert results["0"].outcome is DeletionOutcome.DELETED and results["0"].seen
    assert results["42"].outcome is DeletionOutcome.NOT_FOUND and not results["42"].seen
    assert len(list_calls(fake, "web")) == 3  # one per round: 0 s (seen), 30 s, 60 s (gone)
