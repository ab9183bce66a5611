"""A maintenance window on a fleet: repair, protect, roll out a new model, power down for the night.

On the embedded fake, VM 2 times out on every create attempt, so Resilient create leaves it
Failed after 30 minutes; the sample then:

1. protects VM 0 (the canary) from scale set actions through its own PUT;
2. reimages the VMs Resilient create left Failed (a reimage re-provisions them);
3. changes the scale set's model (boot diagnostics on) and applies it with ``update_instances``
   in two batches, reading ``latestModelApplied`` after each: the protected canary is skipped;
4. deallocates two VMs for the night and reads the fleet's instance view.

    python samples/fleet_maintenance.py
    python samples/fleet_maintenance.py --live --subscription ID --resource-group RG
"""

from __future__ import annotations

import asyncio
import contextlib

from _common import (
    PollProgress,
    Session,
    clock_text,
    open_session,
    parse_args,
    say,
    scale_set_body,
)
from _common import table as print_table

from aiovmss.errors import OperationFailedError
from aiovmss.models import VirtualMachineScaleSetVMProtectionPolicy
from aiovmss.waiters import CreationOutcome, wait_for_instances_created

NAME = "fleet-maintenance"
CAPACITY = 6
CANARY = "0"
NEW_MODEL = {
    "properties": {
        "virtualMachineProfile": {"diagnosticsProfile": {"bootDiagnostics": {"enabled": True}}}
    }
}


async def create(session: Session, start: float) -> list[str]:
    """Create the fleet; return the VMs Resilient create left Failed."""
    client, rg = session.client, session.resource_group
    if session.fake is not None:
        session.fake.faults.fail_create("OSProvisioningTimeout", scale_set=NAME, instances=["2"])
        say("Injected: VM 2 times out on every create attempt.")
    say(f"Creating {rg}/{NAME} with {CAPACITY} VMs, resilient create on...")
    poller = await client.scale_sets.begin_create_or_update(
        rg, NAME, scale_set_body(session.location, CAPACITY)
    )
    with contextlib.suppress(OperationFailedError):
        await poller.result()
    with PollProgress(start, "VM", total=CAPACITY) as progress:
        results = await wait_for_instances_created(
            client, rg, NAME, since=(), count=CAPACITY, on_poll=progress, raise_on_failure=False
        )
    failed = sorted(i for i, r in results.items() if r.outcome is CreationOutcome.FAILED)
    say(f"  created; Failed after Resilient create: {', '.join(failed) or 'none'}")
    return failed


async def protect_canary(session: Session) -> None:
    client, rg = session.client, session.resource_group
    vm = await client.scale_set_vms.get(rg, NAME, CANARY)
    assert vm.properties is not None
    vm.properties.protection_policy = VirtualMachineScaleSetVMProtectionPolicy(
        protect_from_scale_in=True, protect_from_scale_set_actions=True
    )
    await (await client.scale_set_vms.begin_update(rg, NAME, CANARY, vm)).result()
    say(f"Protected VM {CANARY} from scale-in and scale set actions.")


async def reimage(session: Session, failed: list[str], start: float) -> None:
    if not failed:
        return
    client = session.client
    poller = await client.scale_sets.begin_reimage(
        session.resource_group, NAME, instance_ids=failed
    )
    await poller.result()
    say(f"  [{clock_text(client.clock.now() - start):>9}] reimaged {', '.join(failed)}")


async def applied(session: Session) -> dict[str, bool | None]:
    """Each VM's ``latestModelApplied``."""
    client, rg = session.client, session.resource_group
    return {
        vm.instance_id: vm.properties.latest_model_applied if vm.properties else None
        async for vm in client.scale_set_vms.list(rg, NAME)
    }


async def roll_out(session: Session, start: float) -> None:
    client, rg = session.client, session.resource_group
    await (await client.scale_sets.begin_update(rg, NAME, NEW_MODEL)).result()
    say("New model (boot diagnostics on); Manual upgrade policy, so every VM lags behind.")
    for batch in (["0", "1", "2"], ["3", "4", "5"]):
        await (await client.scale_sets.begin_update_instances(rg, NAME, batch)).result()
        state = await applied(session)
        on_latest = [iid for iid, done in state.items() if done]
        when = clock_text(client.clock.now() - start)
        say(f"  [{when:>9}] update_instances {', '.join(batch)}: latest on {', '.join(on_latest)}")


async def night(session: Session) -> None:
    client, rg = session.client, session.resource_group
    await (await client.scale_sets.begin_deallocate(rg, NAME, instance_ids=["4", "5"])).result()
    say("Deallocated VMs 4 and 5 for the night.")


async def report(session: Session, start: float) -> None:
    client, rg = session.client, session.resource_group
    latest = await applied(session)
    rows = []
    for iid in sorted(latest, key=int):
        view = await client.scale_set_vms.get_instance_view(rg, NAME, iid)
        vm = await client.scale_set_vms.get(rg, NAME, iid)
        policy = vm.properties.protection_policy if vm.properties else None
        protected = bool(policy and policy.protect_from_scale_set_actions)
        rows.append([iid, view.provisioning_state, view.power_state, latest[iid], protected])
    columns = ["instance", "provisioning", "power", "latest model", "protected"]
    print_table("Fleet after maintenance", columns, rows)
    counts = (await client.scale_sets.get_instance_view(rg, NAME)).status_counts
    say("Instance view: " + ", ".join(f"{code} x{n}" for code, n in counts.items()))
    on_latest = sum(1 for done in latest.values() if done)
    running = counts.get("PowerState/running", 0)
    deallocated = counts.get("PowerState/deallocated", 0)
    say(
        f"Settled: {len(latest)} VMs, {on_latest} on the latest model, {running} running, "
        f"{deallocated} deallocated after {clock_text(client.clock.now() - start)}"
    )


async def main() -> int:
    args = parse_args(__doc__ or "")
    async with open_session(args) as session:
        start = session.client.clock.now()
        failed = await create(session, start)
        if session.fake is not None:
            session.fake.faults.clear()  # the platform recovered; a reimage can now succeed
        await protect_canary(session)
        await reimage(session, failed, start)
        await roll_out(session, start)
        await night(session)
        await report(session, start)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
