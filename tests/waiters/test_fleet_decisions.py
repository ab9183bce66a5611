"""The fleet waiters' pure decisions (no event loop), and a fleet run on the scripted stub."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from waiters_stub import GONE, StubClient

from aiovmss._rate_limits import RateLimits, Remaining
from aiovmss.waiters import DeletionOutcome, NewInstances, Observation, wait_for_fleet_deleted
from aiovmss.waiters._decisions import CreationTracker, DeletionTracker
from aiovmss.waiters._fleet_checks import check_fleet, check_seconds, flexible_keys
from aiovmss.waiters._fleet_states import (
    BUSY_CREATING,
    BUSY_DELETING,
    Gate,
    every_vm_succeeded,
    gate,
    list_resource_group,
)
from aiovmss.waiters._pacing import (
    ARM_READ_REFILL,
    ReadBudget,
    gets_cheaper,
    next_interval,
    pages_guess,
    policy_low,
    read_budget,
)


def seen(state: str) -> Observation:
    return Observation(0.0, provisioning_state=state, http_status=200)


@pytest.mark.parametrize(
    ("observation", "busy", "expected"),
    [
        (seen("Creating"), BUSY_CREATING, Gate.BUSY),
        (seen("updating"), BUSY_CREATING, Gate.BUSY),
        (seen("Succeeded"), BUSY_CREATING, Gate.OPEN),
        (seen("Failed"), BUSY_CREATING, Gate.OPEN),
        (seen("Deleting"), BUSY_CREATING, Gate.OPEN),
        (seen("Deleting"), BUSY_DELETING, Gate.BUSY),
        (seen("Updating"), BUSY_DELETING, Gate.OPEN),
        (Observation(0.0, http_status=404), BUSY_DELETING, Gate.GONE),
        (Observation(0.0, http_status=429, retry_after=30.0), BUSY_DELETING, Gate.NO_NEWS),
        (Observation(0.0, http_status=None), BUSY_CREATING, Gate.NO_NEWS),
    ],
)
def test_gate(observation: Observation, busy: frozenset[str], expected: Gate) -> None:
    assert gate(observation, busy) is expected


@pytest.mark.parametrize(
    ("counts", "watched", "expected"),
    [
        ({"ProvisioningState/succeeded": 3, "PowerState/running": 3}, 3, True),
        ({"ProvisioningState/succeeded": 1, "provisioningstate/Succeeded": 2}, 3, True),
        ({"ProvisioningState/succeeded": 5}, 3, True),  # a scale-out: older VMs too
        ({"ProvisioningState/succeeded": 2}, 3, False),  # fewer than the wait follows
        ({"ProvisioningState/succeeded": 2, "ProvisioningState/creating": 1}, 2, False),
        ({"ProvisioningState/succeeded": 2, "ProvisioningState/failed/X": 1}, 2, False),
        ({"PowerState/running": 3}, 0, False),  # no provisioning state at all
        ({}, 0, False),
    ],
)
def test_counts_settle_a_scale_set_only_when_every_vm_succeeded(
    counts: dict[str, int], watched: int, expected: bool
) -> None:
    assert every_vm_succeeded(counts, watched) is expected


def test_a_resource_group_is_listed_when_it_costs_less_than_the_gets() -> None:
    assert not list_resource_group(1, 1)  # one scale set: its GET
    assert list_resource_group(2, 1)
    assert list_resource_group(5, 5)
    assert not list_resource_group(5, 6)  # a resource group of 600 scale sets, 5 wanted


def test_next_interval_keeps_the_poll_interval_within_budget() -> None:
    budget = ReadBudget()
    assert next_interval(30.0, 100, budget) == 30.0  # 100 reads in 30 s: within half of 25/s
    assert next_interval(30.0, 1000, budget) == 1000 / (ARM_READ_REFILL * 0.5)  # 80 s
    assert next_interval(30.0, 1000, budget, share=1.0) == 40.0
    assert next_interval(30.0, 0, budget) == 30.0


def test_next_interval_waits_for_the_remaining_budget_to_refill() -> None:
    assert next_interval(30.0, 100, ReadBudget(remaining=500)) == 30.0
    assert next_interval(30.0, 100, ReadBudget(remaining=0, refill=1.0)) == 200.0  # share 0.5
    assert next_interval(30.0, 100, ReadBudget(remaining=-5, refill=2.0)) == 100.0
    assert next_interval(5.0, 10, ReadBudget(remaining=None, refill=math.inf)) == 5.0


def client_with(limits: object, now: float = 100.0) -> SimpleNamespace:
    return SimpleNamespace(rate_limits=limits, clock=SimpleNamespace(now=lambda: now))


def test_read_budget_reads_what_the_client_knows() -> None:
    assert read_budget(client_with(None)) == ReadBudget()
    limits = RateLimits()
    assert read_budget(client_with(limits)) == ReadBudget()
    limits.subscription["reads"] = Remaining(120, 100.0)
    limits.subscription["global-reads"] = Remaining(3000, 100.0)
    assert read_budget(client_with(limits)) == ReadBudget(120.0)
    assert read_budget(client_with(limits, now=102.0)) == ReadBudget(170.0)  # refilled since
    limits.subscription["reads"] = Remaining("many", 100.0)  # type: ignore[arg-type]
    assert read_budget(client_with(limits)) == ReadBudget(3000.0)


def test_policy_low_reads_fresh_compute_policies_only() -> None:
    limits = RateLimits()
    assert not policy_low(client_with(limits), 40)
    limits.resource["Microsoft.Compute/HighCostGetVMScaleSet30Min"] = Remaining(900, 0.0)
    assert not policy_low(client_with(limits), 40)
    limits.resource["Microsoft.Compute/HighCostGetVMScaleSet3Min"] = Remaining(12, 0.0)
    assert policy_low(client_with(limits, now=100.0), 40)
    assert not policy_low(client_with(limits, now=180.0), 40)  # its 3-min window has passed
    limits.resource["Microsoft.Compute/NoWindowHere"] = Remaining(0, 170.0)
    assert not policy_low(client_with(limits, now=180.0), 40)


def test_gets_replace_a_list_when_they_cost_no_more() -> None:
    assert gets_cheaper(3, 3) and gets_cheaper(1, 1)
    assert not gets_cheaper(4, 3) and not gets_cheaper(0, 1)
    assert [pages_guess(n) for n in (0, 1, 100, 101, 1000)] == [1, 1, 1, 2, 10]


def test_check_fleet_keeps_keys_dedupes_ids_and_new_instances() -> None:
    spec = NewInstances(count=2)
    checked = check_fleet({("rg", "a"): ["1", "0", "1"], ("rg", "b"): spec}, ids_only=False)
    assert checked == {("rg", "a"): ["1", "0"], ("rg", "b"): spec}
    with pytest.raises(TypeError):
        check_fleet({("rg", "b"): spec}, ids_only=True)
    assert check_fleet({}, ids_only=True) == {}


def test_flexible_keys_and_seconds() -> None:
    targets = {("rg", "a"): [], ("rg", "b"): []}
    modes = {("rg", "a"): "flexible", ("rg", "b"): "Uniform"}
    assert flexible_keys(modes, targets) == frozenset({("rg", "a")})
    assert flexible_keys(None, targets) == frozenset()
    with pytest.raises(TypeError):
        flexible_keys({("rg", "a"): 1}, targets)
    with pytest.raises(TypeError):
        flexible_keys(["rg"], targets)
    assert check_seconds("timeout", 5) == 5.0
    for bad in (True, None, "5"):
        with pytest.raises(TypeError):
            check_seconds("timeout", bad)
    with pytest.raises(ValueError):
        check_seconds("timeout", math.nan)


def test_compact_trackers_keep_changes_only_and_count_every_poll() -> None:
    tracker = DeletionTracker("0", None, 0.0, compact=True)
    deleting = Observation(0.0, provisioning_state="Deleting", deletion_status="InProgress")
    for t in (0.0, 30.0, 60.0):
        tracker.record(Observation(t, "Deleting", "InProgress"), model=object())
    tracker.record(Observation(90.0, http_status=404))
    result = tracker.result(90.0)
    assert result.polls == 4 and result.last_seen is None
    assert [(o.time, o.verdict.value) for o in result.history] == [
        (0.0, "InProgress"),
        (90.0, "Deleted"),
    ]
    assert result.history[0].provisioning_state == deleting.provisioning_state
    full = CreationTracker("0", 0.0)
    for t in (0.0, 30.0):
        full.record(Observation(t, "Creating"), model="vm")
    assert full.result(30.0).polls == len(full.history) == 2 and full.last_seen == "vm"


def test_one_round_shares_judged_observations() -> None:
    shared: dict[tuple[int, object], Observation] = {}
    observation = Observation(30.0, "Deleting", "InProgress")
    judged = [DeletionTracker(i, None, 0.0).record(observation, None, shared) for i in "abc"]
    assert judged[0] is judged[1] is judged[2]


async def test_a_client_without_lean_listings_is_waited_on_with_its_list() -> None:
    stub = StubClient()
    stub.script("0", (0.0, ("Deleting", "InProgress")), (60.0, GONE))
    stub.script("1", (0.0, ("Deleting", "InProgress")), (90.0, GONE))
    results = await wait_for_fleet_deleted(
        stub,  # type: ignore[arg-type]
        {("rg", "web"): ["0", "1", "2"]},
        skip_busy_scale_sets=False,
    )
    outcomes = {iid: r.outcome for iid, r in results[("rg", "web")].items()}
    assert outcomes == {
        "0": DeletionOutcome.DELETED,
        "1": DeletionOutcome.DELETED,
        "2": DeletionOutcome.NOT_FOUND,
    }
    assert stub.calls.lists == [0.0, 30.0, 60.0]
    assert [(t, iid) for t, iid, _ in stub.calls.gets] == [(90.0, "1")]  # one left: its GET


async def test_the_pause_between_rounds_stretches_when_the_read_budget_is_low() -> None:
    stub = StubClient()
    stub.script("0", (0.0, ("Deleting", "InProgress")), (1.0, GONE))
    limits = RateLimits()
    limits.subscription["reads"] = Remaining(0, 0.0)  # spent, as of the wait's start
    stub.rate_limits = limits  # type: ignore[attr-defined]
    fleet = {("rg", name): ["0"] for name in "abcd"}  # the stub serves the same VM for each
    await wait_for_fleet_deleted(
        stub,  # type: ignore[arg-type]
        fleet,
        poll_interval=0.1,
        skip_busy_scale_sets=False,
    )
    times = sorted({t for t, _, _ in stub.calls.gets})
    # 4 GETs a round: at most half of ARM's 25 reads a second, so 0.32 s apart, not 0.1
    assert times[:2] == [0.0, 4 / (ARM_READ_REFILL * 0.5)]
