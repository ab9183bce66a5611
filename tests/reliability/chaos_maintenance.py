"""The lifecycle operations a chaos scenario mixes in between creating and deleting VMs.

Drawn from the scenario's seed: power actions on some or all VMs (scale set actions) or one VM,
reimage, redeploy, a model change with ``update_instances``, instance protection through the
VM's PUT, instance views, and sometimes a delete racing an operation (preemption). Each
action's LRO outcome is recorded as an :class:`OpReport` for ``check_operation_reports``.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from chaos_invariants import OpReport

from aiovmss import ComputeClient
from aiovmss.errors import AzureError, OperationFailedError
from aiovmss.models import VirtualMachineScaleSetVMProtectionPolicy

#: Scale set actions: (client method, fake operation kind).
SCALE_SET_ACTIONS = (
    ("begin_start", "start"),
    ("begin_power_off", "power_off"),
    ("begin_deallocate", "deallocate"),
    ("begin_restart", "restart"),
    ("begin_reimage", "reimage"),
    ("begin_reimage_all", "reimage_all"),
    ("begin_redeploy", "redeploy"),
    ("begin_perform_maintenance", "perform_maintenance"),
)
#: VM actions (the VM group has no perform_maintenance).
VM_ACTIONS = SCALE_SET_ACTIONS[:-1]
IMAGES = ("22_04-lts-gen2", "24_04-lts", "20_04-lts-gen2")


class Maintenance:
    """One scenario's maintenance steps; ``reports`` and ``errors`` are the scenario's own."""

    def __init__(
        self,
        client: ComputeClient,
        rng: random.Random,
        rg: str,
        name: str,
        reports: list[OpReport],
        errors: Any,
    ) -> None:
        self.client, self.rng, self.rg, self.name = client, rng, rg, name
        self.reports, self.errors = reports, errors

    async def _lro(self, label: str, kind: str, ids: list[str] | None, begin: Any) -> None:
        """Run one action to its end; record what the caller was told."""
        start = self.client.clock.now()
        try:
            poller = await begin
            sent = self.client.clock.now()
            await poller.result()
            outcome = "Succeeded"
        except OperationFailedError:
            sent, outcome = self.client.clock.now(), "Failed"
        except AzureError as exc:
            self.errors[f"{label}:{type(exc).__name__}"] += 1
            return
        self.reports.append(OpReport(kind, ids, outcome, start, sent, self.client.clock.now()))

    async def scale_set_action(self, ids: list[str]) -> None:
        method, kind = self.rng.choice(SCALE_SET_ACTIONS)
        chosen = sorted(self.rng.sample(ids, k=self.rng.randint(1, len(ids))))
        target = None if self.rng.random() < 0.3 else chosen
        begin = getattr(self.client.scale_sets, method)(self.rg, self.name, instance_ids=target)
        await self._lro(f"scale_set_{kind}", kind, target, begin)

    async def vm_action(self, ids: list[str]) -> None:
        method, kind = self.rng.choice(VM_ACTIONS)
        iid = self.rng.choice(ids)
        begin = getattr(self.client.scale_set_vms, method)(self.rg, self.name, iid)
        await self._lro(f"vm_{kind}", kind, [iid], begin)

    async def new_model(self, ids: list[str]) -> None:
        """Change the image; then bring a random subset to it."""
        image = {"sku": self.rng.choice(IMAGES), "publisher": "Canonical", "offer": "ubuntu"}
        patch = {"properties": {"virtualMachineProfile": {"storageProfile": {
            "imageReference": image}}}}  # fmt: skip
        try:
            await (await self.client.scale_sets.begin_update(self.rg, self.name, patch)).result()
        except AzureError as exc:
            self.errors[f"model:{type(exc).__name__}"] += 1
            return
        chosen = sorted(self.rng.sample(ids, k=self.rng.randint(1, len(ids))))
        begin = self.client.scale_sets.begin_update_instances(self.rg, self.name, chosen)
        await self._lro("update_instances", "update_instances", chosen, begin)

    async def protect(self, ids: list[str]) -> None:
        """Protect one VM from scale set actions through its own PUT."""
        iid = self.rng.choice(ids)
        try:
            vm = await self.client.scale_set_vms.get(self.rg, self.name, iid)
            assert vm.properties is not None
            vm.properties.protection_policy = VirtualMachineScaleSetVMProtectionPolicy(
                protect_from_scale_set_actions=True
            )
            begin = self.client.scale_set_vms.begin_update(self.rg, self.name, iid, vm)
            await (await begin).result()
        except AzureError as exc:
            self.errors[f"protect:{type(exc).__name__}"] += 1

    async def race_a_delete(self, ids: list[str]) -> list[str]:
        """Start a redeploy and delete one of its VMs meanwhile; return the deleted id."""
        iid = self.rng.choice(ids)
        redeploy = self._lro(
            "raced_redeploy", "redeploy", [iid],
            self.client.scale_sets.begin_redeploy(self.rg, self.name, instance_ids=[iid]),
        )  # fmt: skip

        async def delete() -> None:
            await self.client.clock.sleep(self.rng.choice((0, 5, 30)))
            try:
                await self.client.scale_set_vms.begin_delete(self.rg, self.name, iid)
            except AzureError as exc:
                self.errors[f"raced_delete:{type(exc).__name__}"] += 1

        await asyncio.gather(redeploy, delete())
        return [iid]

    async def views(self) -> None:
        try:
            await self.client.scale_sets.get_instance_view(self.rg, self.name)
            [sku async for sku in self.client.scale_sets.list_skus(self.rg, self.name)]
        except AzureError as exc:
            self.errors[f"views:{type(exc).__name__}"] += 1

    async def run(self, ids: list[str], *, uniform: bool) -> list[str]:
        """1-4 steps on the VMs ``ids``; return the ids a raced delete took."""
        steps = [self.scale_set_action, self.vm_action, self.new_model, self.protect]
        taken: list[str] = []
        for _ in range(self.rng.randint(1, 4)):
            if not ids:
                break
            step = self.rng.choice(steps)
            if step == self.protect and not uniform:
                continue  # Flexible VMs take protection only from api-version 2023-09-01
            await step(ids)
        if ids and self.rng.random() < 0.3:
            taken = await self.race_a_delete(ids)
        await self.views()
        return taken
