"""Scale sets: create or replace, update, read, list, delete, delete instances, scale in and out.

Scaling out starts Resilient create for each new VM and scaling in starts Resilient delete
(``_lifecycle``; docs/fake/emulation.md). A scale-in never takes a VM protected from it, and a
model change follows the upgrade policy (``_upgrades``; docs/fake/lifecycle.md).
"""

from __future__ import annotations

import builtins
import copy
from typing import Any

from fakevmss._backend._store import Store, check_preconditions, deep_merge
from fakevmss._backend._upgrades import Upgrades
from fakevmss._errors import OPERATION_NOT_ALLOWED, ArmException, invalid_parameter, not_allowed
from fakevmss._state import VM, Operation, OpKind, ScaleSet
from fakevmss._vm_ops import scale_in_victims

__all__ = ["ScaleSets"]


def _capacity(spec: dict[str, Any], default: int) -> int:
    sku = spec.get("sku")
    value = sku.get("capacity") if isinstance(sku, dict) else None
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise invalid_parameter("sku.capacity", "sku.capacity must be an integer >= 0.")
    return value


def _keep_mode(scale_set: ScaleSet, properties: dict[str, Any]) -> None:
    """Set the orchestration mode in ``properties``; refuse a change of it (400)."""
    mode = properties.get("orchestrationMode") or scale_set.orchestration_mode
    if mode != scale_set.orchestration_mode:
        raise ArmException(
            400,
            OPERATION_NOT_ALLOWED,
            f"The orchestration mode of scale set '{scale_set.name}' cannot be changed "
            f"from {scale_set.orchestration_mode} to {mode}.",
            target="properties.orchestrationMode",
        )
    properties["orchestrationMode"] = mode


class ScaleSets:
    """The scale set operations of one backend."""

    def __init__(self, store: Store, upgrades: Upgrades) -> None:
        self.store = store
        self.upgrades = upgrades

    def put(
        self,
        sub: str,
        rg: str,
        name: str,
        doc: dict[str, Any],
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[ScaleSet, bool, Operation]:
        """Create or replace a scale set; returns it, whether it was created, and the LRO."""
        existing = self.store.existing(sub, rg, name)
        etag = None if existing is None else existing.etag
        check_preconditions(f"scale set '{name}'", etag, if_match, if_none_match)
        if existing is not None:
            return existing, False, self._update(existing, copy.deepcopy(doc))
        return self._create(sub, rg, name, copy.deepcopy(doc))

    def _create(
        self, sub: str, rg: str, name: str, spec: dict[str, Any]
    ) -> tuple[ScaleSet, bool, Operation]:
        capacity = _capacity(spec, 0)
        self.store.features.check_policies(sub, None, spec)
        properties = spec.setdefault("properties", {})
        mode = properties.get("orchestrationMode") or "Uniform"
        if mode not in ("Uniform", "Flexible"):
            raise invalid_parameter("properties.orchestrationMode", f"Unknown mode '{mode}'.")
        properties["orchestrationMode"] = mode
        scale_set = ScaleSet(
            subscription=sub,
            resource_group=rg,
            name=name,
            spec=spec,
            orchestration_mode=mode,
            unique_id=self.store.uuid(),
            time_created=self.store.clock.now(),
        )
        self.store.scale_sets[scale_set.key] = scale_set
        op = self.store.operation(OpKind.CREATE, sub, scale_set.resource_id, scale_set)
        self._scale_to(scale_set, capacity, op, [])
        return scale_set, True, op

    def _update(self, scale_set: ScaleSet, spec: dict[str, Any]) -> Operation:
        if scale_set.deleting:
            raise ArmException(
                409, OPERATION_NOT_ALLOWED, f"Scale set '{scale_set.name}' is being deleted."
            )
        capacity = _capacity(spec, scale_set.capacity)
        _keep_mode(scale_set, spec.setdefault("properties", {}))
        self.store.features.check_policies(scale_set.subscription, scale_set.spec, spec)
        victims = self._scale_in_victims(scale_set, capacity)
        model_changed = self.upgrades.check_change(scale_set, spec)
        old_spec, scale_set.spec = scale_set.spec, spec
        scale_set.etag += 1
        op = self.store.operation(
            OpKind.UPDATE, scale_set.subscription, scale_set.resource_id, scale_set
        )
        if model_changed:
            self.upgrades.model_changed(scale_set, old_spec, op)
        self._scale_to(scale_set, capacity, op, victims)
        return op

    @staticmethod
    def _scale_in_victims(scale_set: ScaleSet, capacity: int) -> builtins.list[VM]:
        """The VMs a scale-in to ``capacity`` deletes: the highest unprotected ids first.

        Raises:
            ArmException: 409 ``OperationNotAllowed`` when too few VMs are unprotected.
        """
        current = {vm.instance_id: vm for vm in scale_set.vms.values() if vm.delete_policy is None}
        surplus = len(current) - capacity
        if surplus <= 0:
            return []
        candidates = [(vm.index, iid, vm.protected_from_scale_in) for iid, vm in current.items()]
        chosen, protected = scale_in_victims(candidates, surplus)
        if len(chosen) < surplus:
            raise not_allowed(
                f"Scale set '{scale_set.name}' cannot scale in to {capacity}: "
                f"{len(protected)} of its {len(current)} VMs are protected from scale-in "
                f"({', '.join(protected)}).",
                target="sku.capacity",
            )
        return [current[iid] for iid in chosen]

    def _scale_to(
        self, scale_set: ScaleSet, capacity: int, op: Operation, victims: builtins.list[VM]
    ) -> None:
        """Scale out (Resilient create) or in (the ``victims``); record the capacity."""
        engine = self.store.engine
        current = sum(1 for vm in scale_set.vms.values() if vm.delete_policy is None)
        sku = scale_set.spec.setdefault("sku", {})
        if isinstance(sku, dict):
            sku["capacity"] = capacity
        resilient = scale_set.creation_policy_enabled
        for _ in range(capacity - current):
            engine.start_create(self.store.new_vm(scale_set), op, resilient=resilient)
        for vm in victims:
            engine.request_delete(vm, op, force=False)
        engine.finish_if_done(op)

    def patch(
        self,
        sub: str,
        rg: str,
        name: str,
        patch: dict[str, Any],
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[ScaleSet, Operation]:
        """Deep-merge ``patch`` into a scale set's spec; the same capacity rules as PUT.

        ``If-Match`` and ``If-None-Match`` are honoured as on PUT (the scale set exists here,
        so ``If-None-Match: *`` always fails).
        """
        scale_set = self.store.find(sub, rg, name)
        what = f"scale set '{scale_set.name}'"
        check_preconditions(what, scale_set.etag, if_match, if_none_match)
        return scale_set, self._update(scale_set, deep_merge(scale_set.spec, patch))

    def get(self, sub: str, rg: str, name: str) -> ScaleSet:
        """One scale set (404 ``ResourceNotFound`` if absent)."""
        return self.store.find(sub, rg, name)

    def list(self, sub: str, rg: str | None) -> builtins.list[ScaleSet]:
        """Scale sets of a resource group, or of the whole subscription when ``rg`` is None."""
        sub_key, rg_key = sub.lower(), None if rg is None else rg.lower()
        return [
            s
            for key, s in sorted(self.store.scale_sets.items())
            if key[0] == sub_key and (rg_key is None or key[1] == rg_key)
        ]

    def delete(self, sub: str, rg: str, name: str, *, force: bool) -> Operation | None:
        """Start deleting a scale set and all its VMs; None when it does not exist."""
        scale_set = self.store.existing(sub, rg, name)
        if scale_set is None:
            return None
        engine = self.store.engine
        op = self.store.operation(OpKind.DELETE, sub, scale_set.resource_id)
        scale_set.deleting = True
        scale_set.provisioning_state = "Deleting"
        scale_set.state_time = op.start_time
        scale_set.etag += 1
        for vm in scale_set.live_vms():
            engine.request_delete(vm, op, force=force)
        if not scale_set.vms:
            engine.scale_set_gone(scale_set)
        engine.finish_if_done(op)
        return op

    def delete_instances(
        self, sub: str, rg: str, name: str, instance_ids: builtins.list[str], *, force: bool
    ) -> Operation:
        """Start deleting some instances (400 ``InvalidParameter`` naming unknown ids)."""
        scale_set = self.store.find(sub, rg, name)
        if not instance_ids:
            raise invalid_parameter("instanceIds", "The list of instanceIds must not be empty.")
        vms = [scale_set.find_vm(instance_id) for instance_id in instance_ids]
        missing = [i for i, vm in zip(instance_ids, vms, strict=True) if vm is None]
        if missing:
            raise invalid_parameter(
                "instanceIds", f"Instance ids not found in '{name}': {', '.join(missing)}."
            )
        op = self.store.operation(OpKind.DELETE_INSTANCES, sub, scale_set.resource_id)
        for vm in vms:
            assert vm is not None
            self.store.engine.request_delete(vm, op, force=force)
        self.store.sync_capacity(scale_set)
        self.store.engine.finish_if_done(op)
        return op
