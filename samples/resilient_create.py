"""Resilient create under injected OS provisioning timeouts: attempts, settle outcome, timeline.

On the embedded fake, VM 1 times out twice and then comes up; VM 3 times out on every attempt,
so Resilient create gives up on it after 30 minutes and the scale set ends Failed. One waiter,
``wait_for_instances_created``, watches every new VM with one list call per round; the table
shows how many attempts each one took and the ARM error code of the one that failed. Then the
scale set scales out by two, and the same waiter finds the two new VMs itself (``since=`` the
instance ids that existed before).

    python samples/resilient_create.py
    python samples/resilient_create.py --live --subscription ID --resource-group RG
"""

from __future__ import annotations

import asyncio
from typing import Any

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

from aiovmss import AsyncLROPoller
from aiovmss.errors import OperationFailedError
from aiovmss.waiters import CreationOutcome, CreationResult, wait_for_instances_created

NAME = "resilient-create"
CAPACITY = 4


def inject_faults(session: Session) -> None:
    if session.fake is None:
        return
    faults = session.fake.faults
    faults.fail_create("OSProvisioningTimeout", scale_set=NAME, instances=["1"], attempts=2)
    faults.fail_create("OSProvisioningTimeout", scale_set=NAME, instances=["3"])
    say("Injected: VM 1 times out twice, VM 3 times out on every attempt.")


async def create(session: Session) -> AsyncLROPoller[Any]:
    client, rg = session.client, session.resource_group
    say(f"Creating {rg}/{NAME} with {CAPACITY} VMs, resilient create on...")
    return await client.scale_sets.begin_create_or_update(
        rg, NAME, scale_set_body(session.location, CAPACITY)
    )


async def finish(poller: AsyncLROPoller[Any]) -> None:
    try:
        await poller.result()
        say("  create LRO Succeeded")
    except OperationFailedError as error:
        say(f"  create LRO ended {error.status} ({error.code}): some VMs did not come up")


async def settle(session: Session, start: float) -> dict[str, CreationResult]:
    client, rg = session.client, session.resource_group
    # A new scale set: every VM is new (since=()), and there will be CAPACITY of them.
    with PollProgress(start, "VM", total=CAPACITY) as progress:
        return await wait_for_instances_created(
            client, rg, NAME, since=(), count=CAPACITY, poll_interval=30,
            on_poll=progress, raise_on_failure=False,
        )  # fmt: skip


def report(session: Session, results: dict[str, CreationResult], start: float) -> None:
    rg = session.resource_group
    rows = []
    for iid, result in sorted(results.items()):
        attempts: object = result.attempts
        if session.fake is not None:
            attempts = session.fake.vm(rg, NAME, iid).create_attempts
        rows.append(
            [iid, attempts, result.outcome.value, result.error_code, clock_text(result.elapsed)]
        )
    columns = ["instance", "attempts", "outcome", "error code", "settled after"]
    print_table("Resilient create", columns, rows)
    if not session.live:
        print_timeline(session.fake, rg, NAME, sorted(results), origin=start)
    ok = sum(r.outcome is CreationOutcome.SUCCEEDED for r in results.values())
    elapsed = session.client.clock.now() - start
    say(f"Settled: {ok} Succeeded, {len(results) - ok} Failed after {clock_text(elapsed)}")


async def scale_out(session: Session, by: int) -> None:
    client, rg = session.client, session.resource_group
    since = [vm.instance_id async for vm in client.scale_set_vms.list(rg, NAME)]
    say(f"Scaling out {rg}/{NAME} from {len(since)} to {len(since) + by} VMs...")
    await client.scale_sets.begin_update(rg, NAME, {"sku": {"capacity": len(since) + by}})
    results = await wait_for_instances_created(client, rg, NAME, since=since, count=by)
    new = ", ".join(sorted(results))
    say(f"Scale-out settled: {len(results)} new VMs ({new}) Succeeded")


async def main() -> int:
    args = parse_args(__doc__ or "")
    async with open_session(args) as session:
        inject_faults(session)
        start = session.client.clock.now()
        poller = await create(session)
        _, results = await asyncio.gather(finish(poller), settle(session, start))
        report(session, results, start)
        await scale_out(session, 2)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
