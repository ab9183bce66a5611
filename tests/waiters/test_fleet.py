"""wait_for_fleet_deleted / wait_for_fleet_created on the fake's virtual clock.

What a round costs is read from ``fake.requests``: one list call per pending scale set (or,
with the scale sets' states read first, one list of the resource group while they are busy),
never one call per VM.
"""

from __future__ import annotations

import gc
from collections import Counter
from typing import Any

import pytest
from fake_support import RG, CountingTransport, body, client_for, create

from aiovmss.errors import ResourceNotFoundError, VMCreationFailedError, WaitTimeoutError
from aiovmss.waiters import (
    CreationOutcome,
    DeletionOutcome,
    NewInstances,
    wait_for_fleet_created,
    wait_for_fleet_deleted,
)
from fakevmss import FakeCompute

TIMEOUT = "OSProvisioningTimeout"


class Rounds:
    """``before_sleep`` hook: the requests each round sent, from ``fake.requests``."""

    def __init__(self, fake: FakeCompute) -> None:
        self.fake = fake
        self.mark = len(fake.requests)
        self.costs: list[Counter[str]] = []

    def __call__(self, retry_state: Any) -> None:
        self.close()

    def close(self) -> None:
        sent = self.fake.requests[self.mark :]
        self.mark = len(self.fake.requests)
        self.costs.append(Counter(kind(r.method, r.path) for r in sent))


def kind(method: str, path: str) -> str:
    parts = path.lower().rstrip("/").split("/")
    tail = parts[parts.index("virtualmachinescalesets") :]
    if tail[-1] == "instanceview" and len(tail) == 3:
        return "scale set counts"
    return {1: "list scale sets", 2: "scale set", 3: "list VMs", 4: "VM"}[len(tail)] + (
        "" if method == "GET" else f" {method}"
    )


async def delete_instances(client: Any, names: list[str], ids: list[str]) -> None:
    for name in names:
        await client.scale_sets.begin_delete_instances(RG, name, ids)


async def test_deletion_costs_one_list_per_scale_set_per_round() -> None:
    fake = FakeCompute(seed=1)
    fake.faults.fail_delete("InternalExecutionError", scale_set="b", instances=["1"], attempts=1)
    names = ["a", "b", "c"]
    async with client_for(fake) as client:
        for name in names:
            await create(client, name, 3)
        await delete_instances(client, names, ["0", "1", "2"])
        rounds = Rounds(fake)
        results = await wait_for_fleet_deleted(
            client,
            {(RG, name): ["0", "1", "2"] for name in names},
            before_sleep=rounds,
            skip_busy_scale_sets=False,
        )
        rounds.close()
    # Round 1 sees every VM (Deleting), round 2 at 30 s still, round 3 at 60 s all gone but
    # b/1 (failed once, retried at once): from then on b/1 alone is pending, and one GET of it
    # costs no more than a list of b, until 120 s. Never a request per VM of the fleet.
    assert [dict(c) for c in rounds.costs] == [{"list VMs": 3}] * 3 + [{"VM": 1}] * 2
    assert {key: {i: r.outcome for i, r in vms.items()} for key, vms in results.items()} == {
        (RG, name): dict.fromkeys(["0", "1", "2"], DeletionOutcome.DELETED) for name in names
    }
    assert results[(RG, "b")]["1"].elapsed == 120.0 and results[(RG, "a")]["0"].elapsed == 60.0
    assert all(r.seen and r.last_seen is None for vms in results.values() for r in vms.values())


async def test_scale_set_deletes_cost_one_state_list_per_round_once_seen() -> None:
    fake = FakeCompute(seed=2)
    fake.faults.fail_delete("InternalExecutionError", scale_set="b", instances=["0"], attempts=2)
    names = ["a", "b", "c", "d"]
    async with client_for(fake) as client:
        for name in names:
            await create(client, name, 2)
        for name in names:
            await client.scale_sets.begin_delete(RG, name)
        rounds = Rounds(fake)
        results = await wait_for_fleet_deleted(
            client, {(RG, name): ["0", "1"] for name in names}, before_sleep=rounds
        )
        rounds.close()
    # Round 1 lists every scale set's VMs (to see them); after that one list of the resource
    # group per round tells which scale sets are still Deleting (b until 13 min) or gone.
    assert rounds.costs[0] == Counter({"list VMs": 4})
    assert rounds.costs[1] == Counter({"list scale sets": 1})
    later = rounds.costs[2:]
    assert all(c in (Counter({"list scale sets": 1}), Counter({"scale set": 1})) for c in later)
    assert results[(RG, "b")]["0"].outcome is DeletionOutcome.DELETED
    assert results[(RG, "b")]["0"].elapsed == 13 * 60  # failed at 1 and 2 min, gone at 13
    assert sum(sum(c.values()) for c in rounds.costs) < 2 * len(rounds.costs) + 4


async def test_not_found_ids_and_vanished_scale_sets_keep_their_meaning() -> None:
    fake = FakeCompute(seed=3)
    async with client_for(fake) as client:
        await create(client, "web", 2)
        await create(client, "api", 1)
        await client.scale_sets.begin_delete(RG, "api")
        await client.scale_sets.begin_delete_instances(RG, "web", ["0"])
        results = await wait_for_fleet_deleted(
            client, {(RG, "web"): ["0", "12"], (RG, "api"): ["0"]}
        )
    typo = results[(RG, "web")]["12"]
    assert (typo.outcome, typo.seen, typo.gone) == (DeletionOutcome.NOT_FOUND, False, True)
    assert results[(RG, "web")]["0"].outcome is DeletionOutcome.DELETED
    assert results[(RG, "api")]["0"].outcome is DeletionOutcome.DELETED  # seen, then gone


async def test_a_scale_set_missing_at_the_start_raises() -> None:
    fake = FakeCompute(seed=4)
    async with client_for(fake) as client:
        await create(client, "web", 1)
        await client.scale_sets.begin_delete_instances(RG, "web", ["0"])
        with pytest.raises(ResourceNotFoundError, match="rg/wbe"):
            await wait_for_fleet_deleted(client, {(RG, "web"): ["0"], (RG, "wbe"): ["0"]})


async def test_flexible_scale_sets_fall_back_to_bounded_gets() -> None:
    fake = FakeCompute(seed=5)
    transport = CountingTransport(fake.transport())
    async with client_for(fake, transport=transport) as client:
        await create(client, "uni", 4)
        await create(client, "flex", 4, mode="Flexible")
        flex_ids = fake.scale_set(RG, "flex").instance_ids
        await client.scale_sets.begin_delete_instances(RG, "uni", ["0", "1", "2", "3"])
        await client.scale_sets.begin_delete_instances(RG, "flex", flex_ids)
        before = len(fake.requests)
        results = await wait_for_fleet_deleted(
            client,
            {(RG, "uni"): ["0", "1", "2", "3"], (RG, "flex"): flex_ids},
            concurrency=2,
            skip_busy_scale_sets=False,
        )
    sent = Counter(kind(r.method, r.path) for r in fake.requests[before:])
    # flex: one refused list, then a GET of each VM per round (3 rounds); uni: a list a round
    assert sent == Counter({"list VMs": 3 + 1, "VM": 4 * 3})
    assert transport.max_in_flight <= 2
    assert all(r.deleted for vms in results.values() for r in vms.values())


async def test_orchestration_modes_skip_the_refused_list() -> None:
    fake = FakeCompute(seed=6)
    async with client_for(fake) as client:
        await create(client, "flex", 2, mode="Flexible")
        ids = fake.scale_set(RG, "flex").instance_ids
        await client.scale_sets.begin_delete_instances(RG, "flex", ids)
        before = len(fake.requests)
        await wait_for_fleet_deleted(
            client, {(RG, "flex"): ids}, orchestration_modes={(RG, "flex"): "Flexible"}
        )
    assert not any(kind(r.method, r.path) == "list VMs" for r in fake.requests[before:])


async def test_timeout_and_failure_carry_every_result() -> None:
    fake = FakeCompute(seed=7)
    fake.faults.fail_delete("InternalExecutionError", scale_set="web", instances=["1"])
    async with client_for(fake) as client:
        await create(client, "web", 2)
        await client.scale_sets.begin_delete_instances(RG, "web", ["0", "1"])
        with pytest.raises(WaitTimeoutError) as late:
            await wait_for_fleet_deleted(client, {(RG, "web"): ["0", "1"]}, timeout=600)
        assert late.value.result[(RG, "web")]["0"].deleted
        assert late.value.result[(RG, "web")]["1"].outcome is DeletionOutcome.TIMED_OUT
        results = await wait_for_fleet_deleted(client, {(RG, "web"): ["1"]}, raise_on_failure=False)
    assert results[(RG, "web")]["1"].outcome is DeletionOutcome.FAILED


async def test_on_poll_names_the_scale_set_of_each_vm() -> None:
    fake = FakeCompute(seed=8)
    seen: list[str] = []
    async with client_for(fake) as client:
        await create(client, "web", 1)
        await client.scale_sets.begin_delete_instances(RG, "web", ["0"])
        await wait_for_fleet_deleted(
            client, {(RG, "web"): ["0"]}, on_poll=lambda name, obs: seen.append(name)
        )
    assert set(seen) == {f"{RG}/web/0"}


@pytest.mark.parametrize(
    ("fleet", "kwargs", "error"),
    [
        ([((RG, "web"), ["0"])], {}, TypeError),  # not a mapping
        ({(RG, "web"): "12"}, {}, TypeError),  # a bare str of ids
        ({(RG, "web"): [12]}, {}, TypeError),  # an int id
        ({RG: ["0"]}, {}, TypeError),  # a key that is not a pair
        ({(RG, "web"): ["0"], (RG.upper(), "WEB"): ["1"]}, {}, ValueError),  # named twice
        ({(RG, "we/b"): ["0"]}, {}, ValueError),  # InvalidNameError
        ({(RG, "web"): ["0"]}, {"poll_interval": -1}, ValueError),
        ({(RG, "web"): ["0"]}, {"timeout": "1h"}, TypeError),
        ({(RG, "web"): ["0"]}, {"concurrency": 0}, ValueError),
        ({(RG, "web"): ["0"]}, {"max_polls": 2.5}, TypeError),
        ({(RG, "web"): ["0"]}, {"orchestration_modes": {(RG, "api"): "Flexible"}}, ValueError),
    ],
)
async def test_bad_input_is_refused_before_anything_is_sent(
    fleet: Any, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    fake = FakeCompute(seed=9)
    async with client_for(fake) as client:
        with pytest.raises(error):
            await wait_for_fleet_deleted(client, fleet, **kwargs)
        with pytest.raises(error):
            await wait_for_fleet_created(client, fleet, **kwargs)
    assert fake.requests == []


def test_new_instances_checks_its_arguments() -> None:
    assert NewInstances(["0", "1"], 3) == NewInstances(("1", "0"), count=3)
    with pytest.raises(TypeError):
        NewInstances("01")
    with pytest.raises(TypeError):
        NewInstances(count=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        NewInstances(count=0)


async def test_creation_lists_each_scale_set_once_early_then_settles_it_by_its_counts() -> None:
    fake = FakeCompute(seed=10)
    fake.faults.fail_create(TIMEOUT, scale_set="b", instances=["1"], attempts=1)
    names = ["a", "b", "c"]
    async with client_for(fake) as client:
        for name in names:
            await client.scale_sets.begin_create_or_update(RG, name, body(3))
        rounds = Rounds(fake)
        results = await wait_for_fleet_created(
            client, {(RG, name): NewInstances(count=3) for name in names}, before_sleep=rounds
        )
        rounds.close()
    # The first round lists each scale set (Creating: it finds the new VMs); later rounds read
    # the scale sets' states while they are Creating, and once one is not, its counts (one
    # GET) settle its VMs: a and c at 90 s, b at 9.5 min (one 8-min timeout, then a good
    # attempt). No VM is listed again, none is read alone.
    assert rounds.costs[0] == Counter({"list VMs": 3})
    later = sum(rounds.costs[1:], Counter())
    assert later["list VMs"] == later["VM"] == 0
    assert later["scale set counts"] == 3
    assert all(sum(c.values()) <= 3 for c in rounds.costs)
    assert {key: sorted(vms) for key, vms in results.items()} == {
        (RG, n): ["0", "1", "2"] for n in names
    }
    assert all(r.succeeded for vms in results.values() for r in vms.values())
    assert results[(RG, "b")]["1"].elapsed == 570.0  # 480 + 90 s: a round falls on it


async def test_counts_that_name_a_failure_fall_back_to_the_list() -> None:
    fake = FakeCompute(seed=14)
    fake.faults.fail_create(TIMEOUT, scale_set="b", instances=["0"])  # every attempt
    async with client_for(fake) as client:
        for name in ("a", "b"):
            await client.scale_sets.begin_create_or_update(RG, name, body(2))
        rounds = Rounds(fake)
        results = await wait_for_fleet_created(
            client,
            {(RG, name): NewInstances(count=2) for name in ("a", "b")},
            before_sleep=rounds,
            raise_on_failure=False,
        )
        rounds.close()
    total = sum(rounds.costs, Counter())
    # a: listed once early, settled by its counts; b: its counts name the failure, so it is
    # listed again to tell which VM failed.
    assert total["scale set counts"] == 2
    assert total["list VMs"] == 3
    assert results[(RG, "a")]["0"].succeeded and results[(RG, "a")]["1"].succeeded
    assert results[(RG, "b")]["0"].outcome is CreationOutcome.FAILED
    assert results[(RG, "b")]["1"].succeeded


async def test_given_ids_never_seen_are_not_settled_by_counts() -> None:
    fake = FakeCompute(seed=15)
    async with client_for(fake) as client:
        await client.scale_sets.begin_create_or_update(RG, "web", body(2))
        rounds = Rounds(fake)
        with pytest.raises(WaitTimeoutError) as caught:
            await wait_for_fleet_created(
                client, {(RG, "web"): ["0", "7"]}, before_sleep=rounds, timeout=600
            )
        rounds.close()
    # "7" never existed: the counts (every VM succeeded) never speak for a VM no poll saw.
    result = caught.value.result[(RG, "web")]
    assert result["0"].succeeded
    assert result["7"].outcome is CreationOutcome.TIMED_OUT
    assert sum(rounds.costs, Counter())["scale set counts"] == 0


async def test_creation_given_ids_and_a_failure_naming_its_code() -> None:
    fake = FakeCompute(seed=11)
    fake.faults.fail_create(TIMEOUT, scale_set="b", instances=["0"])
    async with client_for(fake) as client:
        await client.scale_sets.begin_create_or_update(RG, "a", body(2))
        await client.scale_sets.begin_create_or_update(RG, "b", body(1))
        with pytest.raises(VMCreationFailedError) as caught:
            await wait_for_fleet_created(
                client, {(RG, "a"): ["0", "1"], (RG, "b"): NewInstances(count=1)}
            )
    assert f"VM {RG}/b/0 (code {TIMEOUT}, 4 attempts;" in str(caught.value)
    failed = caught.value.result[(RG, "b")]["0"]
    assert (failed.outcome, failed.error_code, failed.attempts) == (
        CreationOutcome.FAILED,
        TIMEOUT,
        4,
    )
    assert caught.value.result[(RG, "a")]["1"].succeeded


async def test_creation_of_a_missing_scale_set_raises() -> None:
    fake = FakeCompute(seed=12)
    async with client_for(fake) as client:
        await client.scale_sets.begin_create_or_update(RG, "web", body(1))
        with pytest.raises(ResourceNotFoundError, match="rg/wbe"):
            await wait_for_fleet_created(
                client, {(RG, "web"): NewInstances(count=1), (RG, "wbe"): NewInstances()}
            )


async def test_new_instances_of_a_flexible_scale_set_is_refused() -> None:
    fake = FakeCompute(seed=13)
    async with client_for(fake) as client:
        with pytest.raises(ValueError, match="Flexible"):
            await wait_for_fleet_created(
                client,
                {(RG, "flex"): NewInstances()},
                orchestration_modes={(RG, "flex"): "Flexible"},
            )
    assert fake.requests == []


async def test_scale_sets_in_several_resource_groups_read_their_states_per_group() -> None:
    fake = FakeCompute(seed=14)
    async with client_for(fake) as client:
        for rg in ("rg", "rg2"):
            for name in ("a", "b"):
                poller = await client.scale_sets.begin_create_or_update(rg, name, body(1))
                await poller.result()
        for rg in ("rg", "rg2"):
            for name in ("a", "b"):
                await client.scale_sets.begin_delete(rg, name)
        rounds = Rounds(fake)
        results = await wait_for_fleet_deleted(
            client,
            {(rg, name): ["0"] for rg in ("rg", "rg2") for name in ("a", "b")},
            before_sleep=rounds,
        )
        rounds.close()
    assert rounds.costs[0] == Counter({"VM": 4})  # one VM each: its GET costs what a list does
    assert rounds.costs[1] == Counter({"list scale sets": 2})  # one per resource group
    assert all(r.deleted for vms in results.values() for r in vms.values())


async def test_creation_results_count_as_seen_so_deletion_needs_no_first_list() -> None:
    fake = FakeCompute(seed=15)
    names = ["a", "b", "c"]
    async with client_for(fake) as client:
        for name in names:
            await client.scale_sets.begin_create_or_update(RG, name, body(3))
        created = await wait_for_fleet_created(
            client, {(RG, name): NewInstances(count=3) for name in names}
        )
        for name in names:
            await client.scale_sets.begin_delete(RG, name)
        rounds = Rounds(fake)
        deleted = await wait_for_fleet_deleted(client, created, before_sleep=rounds)
        rounds.close()
    # Every round reads the scale sets' states (one list of the resource group) and nothing
    # else: Deleting until 60 s, then gone, taking their VMs (seen by the creation wait).
    assert rounds.costs == [Counter({"list scale sets": 1})] * 3
    assert {key: sorted(vms) for key, vms in deleted.items()} == {
        key: sorted(vms) for key, vms in created.items()
    }
    assert all(r.deleted and r.seen for vms in deleted.values() for r in vms.values())


async def test_a_mapping_of_ids_must_hold_creation_results() -> None:
    fake = FakeCompute(seed=16)
    async with client_for(fake) as client:
        with pytest.raises(TypeError, match="CreationResult"):
            await wait_for_fleet_deleted(client, {(RG, "web"): {"0": "Succeeded"}})
    assert fake.requests == []


async def test_the_collector_is_left_as_it_was_found() -> None:
    fake = FakeCompute(seed=17)
    was = gc.isenabled()
    gc.enable()
    try:
        async with client_for(fake) as client:
            await client.scale_sets.begin_create_or_update(RG, "web", body(2))
            await wait_for_fleet_created(client, {(RG, "web"): NewInstances(count=2)})
            assert gc.isenabled()  # the bursts paused it and gave it back
            gc.disable()
            await client.scale_sets.begin_delete(RG, "web")
            await wait_for_fleet_deleted(client, {(RG, "web"): ["0", "1"]})
            assert not gc.isenabled()  # a caller's choice is kept
    finally:
        (gc.enable if was else gc.disable)()
