"""One seeded chaos scenario: create, maybe scale, delete, wait; then check every invariant.

The scenario drives ``aiovmss`` exactly as a user would (LRO pollers, waiters, documented
errors caught), under the faults ``plan_faults`` drew for its seed. After the client is closed
the fake's clock runs past every resilient horizon and the invariants are judged against the
fake's own truth (``fake.snapshot()``).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chaos_invariants import (
    OpReport,
    Report,
    check_accounted,
    check_creation_reports,
    check_deletion_reports,
    check_no_duplicate_creates,
    check_no_internal_errors,
    check_no_operation_after_delete,
    check_operation_reports,
    check_operations_at_rest,
    check_unsafe_retries,
    vms_of,
)
from chaos_maintenance import Maintenance
from chaos_support import CLIENT_TIMEOUT, STATS, ChaosTransport, FaultPlan, plan_faults

from aiovmss import AsyncLROPoller, ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss.errors import AzureError, VMCreationFailedError, WaitError
from aiovmss.waiters import (
    wait_for_instances_deleted,
    wait_for_scale_set_deletion,
    wait_for_vm_creation,
    wait_for_vm_deletion,
)
from fakevmss import FakeCompute

RG = "chaos-rg"
#: Virtual seconds the clock runs after a scenario: past every create and delete horizon.
AFTER_HORIZON = 6 * 3600.0


@dataclass
class Outcome:
    """What one scenario did and what its invariants found."""

    seed: int
    mode: str
    api_version: str
    errors: Counter[str] = field(default_factory=Counter)
    created: dict[str, Report] = field(default_factory=dict)
    deleted: dict[str, Report] = field(default_factory=dict)
    operations: list[OpReport] = field(default_factory=list)
    violations: dict[str, list[str]] = field(default_factory=dict)
    requested: int = 0

    def failures(self) -> list[str]:
        """Every violation, prefixed with its invariant."""
        return [f"{name}: {v}" for name, found in self.violations.items() for v in found]


def scale_set_body(capacity: int, mode: str) -> dict[str, Any]:
    """A scale set with both resiliency policies on."""
    return {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": capacity},
        "properties": {
            "orchestrationMode": mode,
            "virtualMachineProfile": {
                "storageProfile": {"osDisk": {"osType": "Linux", "createOption": "FromImage"}}
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": True},
                "resilientVMDeletionPolicy": {"enabled": True},
            },
        },
    }


class Scenario:
    """The steps of one scenario; every documented error is caught and counted."""

    def __init__(self, client: ComputeClient, fake: FakeCompute, rng: random.Random, out: Outcome):
        self.client, self.fake, self.rng, self.out = client, fake, rng, out
        self.name = f"vmss{out.seed}"
        self.capacity = 0

    async def step(self, label: str, coro: Any) -> Any:
        """Await ``coro``; a documented ``AzureError`` is counted, not raised."""
        try:
            return await coro
        except AzureError as exc:
            self.out.errors[f"{label}:{type(exc).__name__}"] += 1
            return exc

    def known_ids(self) -> list[str]:
        """Ids of the VMs that exist now (what a caller learns from a list call)."""
        try:
            return self.fake.scale_set(RG, self.name).instance_ids
        except KeyError:
            return []

    async def _lro(self, label: str, begin: Any) -> None:
        poller = await self.step(f"{label}.begin", begin)
        if isinstance(poller, AzureError):
            return
        if self.rng.random() < 0.25:  # resume elsewhere, as another process would
            token = poller.continuation_token()
            poller = AsyncLROPoller.from_continuation_token(self.client, token)
        await self.step(f"{label}.result", poller.result())

    async def create(self, capacity: int) -> None:
        """PUT the scale set and await its LRO."""
        body = scale_set_body(capacity, self.out.mode)
        await self._lro(
            "create", self.client.scale_sets.begin_create_or_update(RG, self.name, body)
        )
        self.out.requested += capacity
        self.capacity = capacity

    async def scale_to(self, capacity: int) -> None:
        """PATCH ``sku.capacity`` (scale out or in)."""
        body = {"sku": {"capacity": capacity}}
        await self._lro("scale", self.client.scale_sets.begin_update(RG, self.name, body))
        self.out.requested += max(0, capacity - self.capacity)
        self.capacity = capacity

    async def scale_in(self, by: int) -> None:
        """Lower ``sku.capacity``: the highest ids go (docs/fake/emulation.md); wait for them."""
        live = sorted(self.known_ids(), key=int)
        await self.scale_to(max(0, self.capacity - by))
        await self.wait_deleted(live[len(live) - by :] if by <= len(live) else live)

    async def wait_created(self, ids: list[str]) -> None:
        """``wait_for_vm_creation`` for each id, concurrently; record what each reported."""

        async def one(iid: str) -> None:
            try:
                await wait_for_vm_creation(self.client, RG, self.name, iid)
                outcome = "Succeeded"
            except VMCreationFailedError:
                outcome = "Failed"
            except WaitError as exc:
                outcome = type(exc).__name__
            self.out.created[iid] = Report(outcome, self.client.clock.now())

        await asyncio.gather(*(one(iid) for iid in ids))

    def _record_deleted(self, results: dict[str, Any]) -> None:
        now = self.client.clock.now()
        for iid, result in results.items():
            self.out.deleted[iid] = Report(str(result.outcome), now)

    async def delete_instances(self, ids: list[str]) -> None:
        """POST delete of ``ids`` (or per-VM DELETEs), then wait until settled."""
        if not ids:
            return
        ops = self.client.scale_sets
        if self.rng.random() < 0.5:
            await self._lro("delete_instances", ops.begin_delete_instances(RG, self.name, ids))
            await self.wait_deleted(ids)
            return
        for iid in ids:
            begin = self.client.scale_set_vms.begin_delete(RG, self.name, iid)
            await self._lro("delete_vm", begin)
        await asyncio.gather(*(self.wait_vm_deleted(iid) for iid in ids))

    async def wait_vm_deleted(self, iid: str) -> None:
        """``wait_for_vm_deletion`` for one VM; a raised error's ``.result`` is the report."""
        result = await self.step("wait_vm", wait_for_vm_deletion(self.client, RG, self.name, iid))
        if isinstance(result, WaitError):
            result = result.result
        if result is not None and not isinstance(result, AzureError):
            self._record_deleted({iid: result})

    async def wait_deleted(self, ids: list[str]) -> None:
        """``wait_for_instances_deleted`` without raising on a Failed VM."""
        waited = wait_for_instances_deleted(
            self.client, RG, self.name, ids, raise_on_failure=False,
            orchestration_mode=self.out.mode,
        )  # fmt: skip
        results = await self.step("wait_deleted", waited)
        if isinstance(results, WaitError):
            results = results.result
        if isinstance(results, dict):
            self._record_deleted(results)

    async def delete_scale_set(self, ids: list[str]) -> None:
        """DELETE the scale set, ``wait_for_scale_set_deletion`` at once, then the LRO.

        The documented order: a scale set already gone when the wait starts raises.
        """
        begin = self.client.scale_sets.begin_delete(RG, self.name)
        poller = await self.step("delete_scale_set.begin", begin)
        waited = wait_for_scale_set_deletion(self.client, RG, self.name, instance_ids=ids)
        result = await self.step("wait_scale_set", waited)
        if not isinstance(poller, AzureError):
            await self.step("delete_scale_set.result", poller.result())
        if isinstance(result, WaitError):
            result = result.result
        if result is not None and hasattr(result, "vms"):
            self._record_deleted(result.vms)

    async def maintain(self) -> None:
        """Lifecycle operations on the VMs there are (chaos_maintenance)."""
        maintenance = Maintenance(
            self.client, self.rng, RG, self.name, self.out.operations, self.out.errors
        )
        raced = await maintenance.run(self.known_ids(), uniform=self.out.mode == "Uniform")
        if raced:
            await self.wait_deleted(raced)

    async def run(self) -> None:
        """The scenario's steps, drawn from its seed."""
        await self.create(self.rng.randint(3, 6))
        await self.wait_created(self.known_ids())
        if self.out.mode == "Uniform" and self.rng.random() < 0.5:
            before = set(self.known_ids())
            await self.scale_to(self.capacity + self.rng.randint(1, 3))
            await self.wait_created([i for i in self.known_ids() if i not in before])
        if self.out.mode == "Uniform" and self.rng.random() < 0.3:
            await self.scale_in(self.rng.randint(1, 2))
        if self.rng.random() < 0.7:
            await self.maintain()
        ids = self.known_ids()
        victims = sorted(self.rng.sample(ids, k=self.rng.randint(0, len(ids))))
        await self.delete_instances(victims)
        if self.rng.random() < 0.5:
            await self.delete_scale_set([i for i in self.known_ids() if i not in victims])


def judge(out: Outcome, fake: FakeCompute, transport: ChaosTransport, name: str) -> None:
    """Run every invariant checker; store their findings in ``out.violations``."""
    vms = vms_of(fake.snapshot(), name)
    out.violations = {
        "accounted": check_accounted(vms),
        "creation_reports": check_creation_reports(out.created, vms),
        "deletion_reports": check_deletion_reports(
            out.deleted, vms, exact=out.api_version != "2023-07-01"
        ),
        "no_duplicate_creates": check_no_duplicate_creates(
            vms, requested=out.requested, uniform=out.mode == "Uniform"
        ),
        "unsafe_retries": check_unsafe_retries(transport.attempts),
        "no_internal_errors": check_no_internal_errors(transport.attempts),
        "operation_reports": check_operation_reports(out.operations, vms),
        "operations_at_rest": check_operations_at_rest(vms),
        "no_operation_after_delete": check_no_operation_after_delete(vms),
    }


def _count(out: Outcome, plan: FaultPlan, fake: FakeCompute) -> None:
    STATS.scenarios += 1
    STATS.faults.update(plan.http_fired())
    vms = vms_of(fake.snapshot(), f"vmss{out.seed}")
    STATS.vms_judged += len(vms)
    for vm in vms.values():
        for event in vm["history"]:
            if event["event"] in ("create-attempt-failed", "delete-attempt-failed"):
                STATS.faults[event["event"].replace("-attempt-failed", "_attempt_failed")] += 1
            elif event["event"] in ("operation-failed", "operation-preempted"):
                STATS.faults[event["event"].replace("-", "_")] += 1
    for name in out.violations:
        STATS.invariants[name] += 1
    STATS.errors.update(out.errors)


async def run_scenario(seed: int) -> Outcome:
    """Run the scenario of ``seed`` and judge it (see the module docstring)."""
    rng = random.Random(seed)
    # Small pages for most seeds, so listings span pages and read ahead under the faults too
    # (its own stream: the scenario's draws stay what they were).
    fake = FakeCompute(seed=seed, page_size=random.Random(f"pages-{seed}").choice((2, 3, 100)))
    mode = "Flexible" if rng.random() < 0.2 else "Uniform"
    api_version = "2023-07-01" if rng.random() < 0.15 else "2024-07-01"
    out = Outcome(seed, mode, api_version)
    plan = plan_faults(fake, rng)
    transport = ChaosTransport(fake.transport())
    retry = RetryPolicy(max_attempts=8, timeout=CLIENT_TIMEOUT)
    async with ComputeClient(
        StaticTokenCredential("chaos-token"), fake.subscription_id, api_version=api_version,
        transport=transport, clock=fake.clock, retry=retry,
    ) as client:  # fmt: skip
        await Scenario(client, fake, rng, out).run()
    fake.faults.clear()
    fake.clock.advance(AFTER_HORIZON)
    judge(out, fake, transport, f"vmss{seed}")
    _count(out, plan, fake)
    return out
