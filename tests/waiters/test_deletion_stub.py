"""Deletion waiters against a scripted client on a manual clock: the decisions in motion."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from waiters_stub import GONE, StubClient, http_error, not_found

from aiovmss.errors import (
    ClientAuthenticationError,
    ResourceNotFoundError,
    ThrottledError,
    VMDeletionFailedError,
    WaitTimeoutError,
)
from aiovmss.waiters import (
    DeletionOutcome,
    Observation,
    wait_for_instances_deleted,
    wait_for_scale_set_deletion,
    wait_for_vm_deletion,
)

IP = "InProgress"


async def test_flapping_states_under_in_progress_never_end_the_wait(stub: StubClient) -> None:
    stub.script(
        "3",
        (0, ("Deleting", IP)),
        (60, ("Failed", IP)),
        (600, ("Running", IP)),
        (700, ("Deleting", IP)),
        (760, ("Failed", IP)),
        (2000, GONE),
    )
    result = await wait_for_vm_deletion(stub, "rg", "web", "3")
    assert result.outcome is DeletionOutcome.DELETED
    assert result.elapsed == 2010.0  # first poll on the 30 s grid after 2000
    states = {o.provisioning_state for o in result.history}
    assert {"Deleting", "Failed", "Running"} <= states
    assert result.history[-1].http_status == 404
    assert result.last_seen["properties"]["provisioningState"] == "Failed"
    assert all(expand == "resiliencyView" for _, _, expand in stub.calls.gets)


async def test_retries_spent_raise_with_history(stub: StubClient) -> None:
    stub.script("1", (0, ("Deleting", IP)), (60, ("Failed", IP)), (9360, ("Failed", "Failed")))
    with pytest.raises(VMDeletionFailedError) as caught:
        await wait_for_vm_deletion(stub, "rg", "web", "1", poll_interval=60)
    result = caught.value.result
    assert result.outcome is DeletionOutcome.FAILED
    assert result.history[-1].deletion_status == "Failed"
    assert result.polls == len(result.history) == 9360 // 60 + 1
    assert "VM 1" in str(caught.value) and "rg/web" in str(caught.value)


async def test_policy_disabled_failure_ends_at_the_first_poll_after_it(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", "Disabled")), (61, ("Failed", "Disabled")))
    with pytest.raises(VMDeletionFailedError) as caught:
        await wait_for_vm_deletion(stub, "rg", "web", "0", poll_interval=30)
    assert caught.value.result.elapsed == 90.0
    assert caught.value.result.polls == 4


async def test_timeout_raises_with_the_result_so_far(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)))
    with pytest.raises(WaitTimeoutError) as caught:
        await wait_for_vm_deletion(stub, "rg", "web", "0", timeout=300, poll_interval=30)
    result = caught.value.result
    assert result.outcome is DeletionOutcome.TIMED_OUT
    assert stub.clock.time == 300.0  # never sleeps past the deadline
    assert result.polls == 11


async def test_max_polls_stops_early(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)))
    with pytest.raises(WaitTimeoutError) as caught:
        await wait_for_vm_deletion(stub, "rg", "web", "0", max_polls=3)
    assert len(stub.calls.gets) == 3
    # The message names what ran out: the poll budget, not the (distant) timeout.
    assert "not settled after 3 polls (max_polls=3)" in str(caught.value)
    assert "within" not in str(caught.value)


async def test_timeout_message_names_the_timeout(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)))
    with pytest.raises(WaitTimeoutError, match="not settled within 90 s"):
        await wait_for_vm_deletion(stub, "rg", "web", "0", timeout=90, max_polls=50)


async def test_poll_interval_and_retry_after_are_floors(stub: StubClient) -> None:
    throttled = ThrottledError("429", status_code=429, retry_after=120.0)
    stub.script("0", (0, ("Deleting", IP)), (25, throttled), (35, ("Deleting", IP)), (300, GONE))
    result = await wait_for_vm_deletion(stub, "rg", "web", "0", poll_interval=30)
    assert result.deleted
    assert stub.clock.sleeps[:2] == [30.0, 120.0]
    assert min(stub.clock.sleeps) >= 30.0
    assert result.history[1].http_status == 429 and result.history[1].retry_after == 120.0


async def test_server_errors_are_ridden_out_but_auth_errors_raise(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (20, http_error(503, "ServiceUnavailable")), (60, GONE))
    assert (await wait_for_vm_deletion(stub, "rg", "web", "0")).deleted
    denied = ClientAuthenticationError("no", status_code=403)
    stub.script("1", (0, denied))
    with pytest.raises(ClientAuthenticationError):
        await wait_for_vm_deletion(stub, "rg", "web", "1")


async def test_on_poll_gets_every_judged_observation(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (60, GONE))
    seen: list[tuple[str, Observation]] = []

    async def on_poll(name: str, observation: Observation) -> None:
        seen.append((name, observation))

    await wait_for_vm_deletion(stub, "rg", "web", "0", on_poll=on_poll)
    assert [(n, o.verdict.value) for n, o in seen] == [
        ("0", "InProgress"),
        ("0", "InProgress"),
        ("0", "Deleted"),
    ]


async def test_2023_bare_failed_counts_after_the_horizon(caplog: pytest.LogCaptureFixture) -> None:
    stub = StubClient(api_version="2023-07-01")
    stub.script("0", (0, ("Deleting", None)), (60, ("Failed", None)))
    caplog.set_level(logging.INFO, logger="aiovmss.waiters")
    with pytest.raises(VMDeletionFailedError) as caught:
        await wait_for_vm_deletion(stub, "rg", "web", "0", horizon=600, poll_interval=30)
    # Final a horizon after the wait started (600 s), not a horizon after the first Failed
    # (660 s): every retry is over by then, and the old rule could outlast the default timeout.
    assert caught.value.result.elapsed == 600.0
    assert all(expand is None for _, _, expand in stub.calls.gets)
    notes = [r for r in caplog.records if "2024-07-01" in r.getMessage()]
    assert len(notes) == 1


async def test_2023_failed_that_recovers_is_not_final() -> None:
    stub = StubClient(api_version="2023-07-01")
    stub.script("0", (0, ("Failed", None)), (500, ("Deleting", None)), (560, ("Failed", None)))
    stub.vms["0"].steps.append((1000, GONE))
    result = await wait_for_vm_deletion(stub, "rg", "web", "0", horizon=1200)
    assert result.deleted  # Failed, Deleting, Failed again: all within the horizon


async def test_uniform_many_vms_one_list_call_per_round(stub: StubClient) -> None:
    for i in range(1000):
        stub.script(str(i), (0, ("Deleting", IP)), (30.0 * (i % 7) + 1, GONE))
    results = await wait_for_instances_deleted(stub, "rg", "web", [str(i) for i in range(1000)])
    assert all(r.deleted for r in results.values()) and len(results) == 1000
    assert stub.calls.gets == []
    assert stub.calls.lists == [30.0 * k for k in range(8)]


async def test_uniform_scale_set_gone_after_the_vms_were_seen_counts_them_deleted(
    stub: StubClient,
) -> None:
    stub.script("0", (0, ("Deleting", IP)))
    stub.script("1", (0, ("Deleting", IP)))
    results: dict[str, Any] = {}

    def scale_set_goes(name: str, observation: Observation) -> None:
        results[name] = observation
        stub.list_error = not_found("scale set web")  # after the first round

    waited = await wait_for_instances_deleted(stub, "rg", "web", ["0", "1"], on_poll=scale_set_goes)
    assert {r.outcome for r in waited.values()} == {DeletionOutcome.DELETED}
    assert all(r.seen for r in waited.values())
    assert len(stub.calls.lists) == 2


async def test_uniform_scale_set_missing_at_the_first_round_raises(stub: StubClient) -> None:
    stub.list_error = not_found("scale set web")
    with pytest.raises(ResourceNotFoundError, match=r"rg/wbe: the scale set was not") as caught:
        await wait_for_instances_deleted(stub, "rg", "wbe", ["0", "1"])
    assert caught.value.status_code == 404 and caught.value.code == "ResourceNotFound"
    assert len(stub.calls.lists) == 1


async def test_flexible_falls_back_to_bounded_gets(stub: StubClient) -> None:
    stub.list_error = http_error(400, "OperationNotAllowed")
    ids = [f"web_{i:08x}" for i in range(40)]
    for n, iid in enumerate(ids):
        stub.script(iid, (0, ("Deleting", IP)), (60.0 * (n % 3) + 60, GONE))
    results = await wait_for_instances_deleted(stub, "rg", "web", ids, concurrency=4)
    assert all(r.deleted for r in results.values())
    assert len(stub.calls.lists) == 1  # refused once, never asked again
    assert stub.calls.max_in_flight == 4
    # Gone at 60, 120 and 180 s; rounds every 30 s poll only the VMs still pending.
    assert len(stub.calls.gets) == 40 + 40 + 40 + 26 + 26 + 13 + 13
    assert stub.calls.scale_set_gets == []  # every VM was seen: no check of the scale set


async def test_many_vms_collects_failures_before_raising(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (30, GONE))
    stub.script("1", (0, ("Deleting", IP)), (90, ("Failed", "Failed")))
    with pytest.raises(VMDeletionFailedError) as caught:
        await wait_for_instances_deleted(stub, "rg", "web", ["0", "1"])
    outcomes = {k: v.outcome for k, v in caught.value.result.items()}
    assert outcomes == {"0": DeletionOutcome.DELETED, "1": DeletionOutcome.FAILED}
    results = await wait_for_instances_deleted(
        stub, "rg", "web", ["0", "1"], raise_on_failure=False
    )
    assert results["1"].outcome is DeletionOutcome.FAILED


async def test_scale_set_deletion_waits_for_vms_then_the_scale_set(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (60, GONE))
    stub.script("1", (0, ("Deleting", IP)), (120, GONE))
    stub.scale_set.steps[:] = [(0, ("Deleting", None)), (200, GONE)]
    result = await wait_for_scale_set_deletion(stub, "rg", "web")
    assert result.deleted and set(result.vms) == {"0", "1"}
    assert all(r.deleted for r in result.vms.values())
    assert stub.calls.scale_set_gets == [120.0, 150.0, 180.0, 210.0]


async def test_scale_set_deletion_raises_when_a_vm_fails(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (60, ("Failed", "Failed")))
    stub.scale_set.steps[:] = [(0, ("Deleting", None))]
    with pytest.raises(VMDeletionFailedError) as caught:
        await wait_for_scale_set_deletion(stub, "rg", "web")
    assert caught.value.result.outcome is DeletionOutcome.FAILED
    assert caught.value.result.vms["0"].outcome is DeletionOutcome.FAILED
    assert stub.calls.scale_set_gets == []


async def test_known_flexible_mode_skips_the_list(stub: StubClient) -> None:
    stub.list_error = http_error(400, "OperationNotAllowed")
    stub.script("web_0000000a", (0, ("Deleting", IP)), (30, GONE))
    results = await wait_for_instances_deleted(
        stub, "rg", "web", ["web_0000000a"], orchestration_mode="Flexible"
    )
    assert results["web_0000000a"].deleted
    assert stub.calls.lists == [] and len(stub.calls.gets) == 2


async def test_before_sleep_sees_each_upcoming_sleep(stub: StubClient) -> None:
    stub.script("0", (0, ("Deleting", IP)), (90, GONE))
    sleeps: list[float] = []

    def before_sleep(state: Any) -> None:
        sleeps.append(state.upcoming_sleep)

    await wait_for_vm_deletion(stub, "rg", "web", "0", before_sleep=before_sleep)
    assert sleeps == [30.0, 30.0, 30.0] == stub.clock.sleeps
