"""Quickstart: a scale set with Resilient create and delete, its VMs, then delete and wait.

python samples/quickstart.py                 # embedded fake, virtual clock, a few seconds
python samples/quickstart.py --live --subscription ID --resource-group RG [--location L]
"""

from __future__ import annotations

import asyncio

from _common import PollProgress, Session, clock_text, open_session, parse_args, say, scale_set_body
from _common import table as print_table

from aiovmss.waiters import wait_for_scale_set_deletion, wait_for_scale_set_provisioning

NAME = "quickstart"


async def create(session: Session) -> None:
    client, rg = session.client, session.resource_group
    say(f"Creating scale set {rg}/{NAME} (3 VMs, resilient create + delete enabled)...")
    poller = await client.scale_sets.begin_create_or_update(
        rg, NAME, scale_set_body(session.location, 3)
    )
    scale_set = await poller.result()
    props = scale_set.properties
    policy = props.resiliency_policy if props else None
    creation = policy.resilient_vm_creation_policy if policy else None
    deletion = policy.resilient_vm_deletion_policy if policy else None
    say(
        f"  provisioningState {props.provisioning_state if props else '?'}; "
        f"resilient create {creation.enabled if creation else False}, "
        f"resilient delete {deletion.enabled if deletion else False}"
    )
    await wait_for_scale_set_provisioning(client, rg, NAME, poll_interval=15)


async def show_vms(session: Session) -> list[str]:
    rows: list[list[object]] = []
    ids: list[str] = []
    async for vm in session.client.scale_set_vms.list(session.resource_group, NAME):
        ids.append(vm.instance_id)
        rows.append([vm.instance_id, vm.provisioning_state, vm.resilient_vm_deletion_status])
    print_table(f"VMs of {NAME}", ["instance", "provisioningState", "deletion status"], rows)
    return ids


async def delete(session: Session, ids: list[str]) -> None:
    client, rg = session.client, session.resource_group
    say(f"Deleting scale set {rg}/{NAME} and waiting until it is gone...")
    start = client.clock.now()
    await client.scale_sets.begin_delete(rg, NAME)
    labels = {NAME: "scale set"}
    with PollProgress(start, "VM", total=len(ids) + 1, labels=labels) as progress:
        result = await wait_for_scale_set_deletion(
            client, rg, NAME, instance_ids=ids, poll_interval=15, on_poll=progress
        )
    deleted = sum(r.deleted for r in result.vms.values())
    say(
        f"Settled: scale set {result.outcome.value}, {deleted}/{len(ids)} VMs Deleted "
        f"after {clock_text(result.elapsed)} ({result.polls} scale set polls)"
    )


async def main() -> int:
    args = parse_args(__doc__ or "")
    async with open_session(args) as session:
        await create(session)
        ids = await show_vms(session)
        await delete(session, ids)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
