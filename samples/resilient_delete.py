"""Resilient delete under injected delete failures: retries, flapping states, settle outcome.

On the embedded fake every VM's first delete attempt fails with InternalExecutionError; VM 4
also fails its first retry, and VM 5 fails every attempt, so Resilient delete gives up on it
when its five retries are spent (156 minutes). The delete LRO ends Failed at once, which is
why the waiter is needed: it watches resilientVMDeletionStatus through the flapping states,
with one list call per round, until every VM has settled.

    python samples/resilient_delete.py
    python samples/resilient_delete.py --live --subscription ID --resource-group RG
"""

from __future__ import annotations

import asyncio

from _common import (
    PollProgress,
    Session,
    clock_text,
    open_session,
    parse_args,
    print_timeline,
    say,
    scale_set_body,
)
from _common import table as print_table

from aiovmss.errors import OperationFailedError
from aiovmss.waiters import (
    DeletionOutcome,
    DeletionResult,
    wait_for_instances_deleted,
    wait_for_scale_set_provisioning,
)

NAME = "resilient-delete"
CAPACITY = 6


async def create(session: Session) -> list[str]:
    client, rg = session.client, session.resource_group
    say(f"Creating {rg}/{NAME} with {CAPACITY} VMs, resilient delete on...")
    poller = await client.scale_sets.begin_create_or_update(
        rg, NAME, scale_set_body(session.location, CAPACITY)
    )
    await poller.result()
    await wait_for_scale_set_provisioning(client, rg, NAME)
    return [vm.instance_id async for vm in client.scale_set_vms.list(rg, NAME)]


def inject_faults(session: Session, ids: list[str]) -> None:
    if session.fake is None:
        return
    faults = session.fake.faults
    code = "InternalExecutionError"
    faults.fail_delete(code, scale_set=NAME, instances=ids[:4], attempts=1)
    faults.fail_delete(
        code, scale_set=NAME, instances=ids[4:5], attempts=2, fallback_state="Running"
    )
    faults.fail_delete(code, scale_set=NAME, instances=ids[5:])
    say("Injected: first attempts fail; VM 4 also fails retry 1; VM 5 fails every attempt.")


async def delete(session: Session, ids: list[str], start: float) -> dict[str, DeletionResult]:
    client, rg = session.client, session.resource_group
    poller = await client.scale_sets.begin_delete_instances(rg, NAME, ids)
    try:
        await poller.result()
        say("  delete LRO Succeeded")
    except OperationFailedError as error:
        say(f"  delete LRO ended {error.status} ({error.code}); Resilient delete keeps retrying")
    with PollProgress(start, "VM", total=len(ids)) as progress:
        return await wait_for_instances_deleted(
            client, rg, NAME, ids, poll_interval=60, on_poll=progress, raise_on_failure=False
        )


def report(session: Session, results: dict[str, DeletionResult], start: float) -> None:
    rg = session.resource_group
    rows = []
    for iid, result in results.items():
        attempts = "?" if session.fake is None else session.fake.vm(rg, NAME, iid).delete_attempts
        states = sorted({o.provisioning_state for o in result.history if o.provisioning_state})
        settled = result.history[-1].time - start if result.history else result.elapsed
        rows.append([iid, attempts, "/".join(states), result.outcome.value, clock_text(settled)])
    columns = ["instance", "delete attempts", "states seen", "outcome", "settled after"]
    print_table("Resilient delete", columns, rows)
    if session.fake is not None:
        print_timeline(session.fake, rg, NAME, results, origin=start)
    deleted = sum(r.outcome is DeletionOutcome.DELETED for r in results.values())
    longest = max((r.history[-1].time - start for r in results.values() if r.history), default=0)
    say(f"Settled: {deleted} Deleted, {len(results) - deleted} Failed after {clock_text(longest)}")


async def main() -> int:
    args = parse_args(__doc__ or "")
    async with open_session(args) as session:
        ids = await create(session)
        inject_faults(session, ids)
        start = session.client.clock.now()
        results = await delete(session, ids, start)
        report(session, results, start)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
