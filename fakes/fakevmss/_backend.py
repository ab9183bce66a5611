"""Backend: the ARM operations on the fake's state, synchronous, raising ``ArmException``.

The wire layer parses a request, calls one method here, and serialises what it returns. Names
are matched case-insensitively (keys are lower case; the display spelling is kept).
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

from fakevmss._clock import RealClock, VirtualClock
from fakevmss._errors import (
    OPERATION_NOT_ALLOWED,
    PRECONDITION_FAILED,
    ArmException,
    invalid_parameter,
    not_found,
)
from fakevmss._faults import Faults
from fakevmss._features import FeatureRegistry
from fakevmss._lifecycle import Engine
from fakevmss._state import VM, Feature, Operation, ScaleSet, guess_os_type
from fakevmss._timings import Timings

__all__ = ["Backend", "deep_merge"]

SCALE_SET_KIND = "Microsoft.Compute/virtualMachineScaleSets"
VM_KIND = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"

Key = tuple[str, str, str]


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with ``patch`` merged in (objects merge, everything else replaces)."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _etag_value(header: str) -> str:
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def _capacity(spec: dict[str, Any], default: int) -> int:
    sku = spec.get("sku")
    value = sku.get("capacity") if isinstance(sku, dict) else None
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise invalid_parameter("sku.capacity", "sku.capacity must be an integer >= 0.")
    return value


class Backend:
    """Scale sets, VMs, operations and features of one fake, and the engine that moves them.

    Args:
        clock: the fake's clock; timings: durations; faults: the fault plan.
        seed: seeds the ids (uuids, Flexible instance names) so runs repeat exactly.
        ids: the id stream to draw from instead (a reset backend continues its predecessor's,
            so an id handed out before a reset is never handed out again).
        features_registered: False makes enabling a policy require its feature registration.
        location: region of operation URLs.
    """

    def __init__(
        self,
        clock: VirtualClock | RealClock,
        timings: Timings,
        faults: Faults,
        *,
        seed: int = 0,
        ids: random.Random | None = None,
        features_registered: bool = True,
        location: str = "westus",
    ) -> None:
        self.clock = clock
        self.timings = timings
        self.faults = faults
        self.location = location
        self.ids = ids if ids is not None else random.Random(f"fakevmss-ids-{seed}")
        self.engine = Engine(clock, timings, faults, self._forget_scale_set)
        self.scale_sets: dict[Key, ScaleSet] = {}
        self.removed: list[ScaleSet] = []
        self.operations: dict[str, Operation] = {}
        self.features = FeatureRegistry(
            registered=features_registered,
            delay=timings.feature_registration,
            now=clock.now,
            at=self.engine.at,
        )

    def close(self) -> None:
        """Stop the engine: events still on the clock become no-ops."""
        self.engine.stop()

    # -- helpers --------------------------------------------------------------------------

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.ids.getrandbits(128), version=4))

    def _find(self, sub: str, rg: str, name: str) -> ScaleSet:
        scale_set = self.scale_sets.get((sub.lower(), rg.lower(), name.lower()))
        if scale_set is None:
            raise not_found(SCALE_SET_KIND, name)
        return scale_set

    def _forget_scale_set(self, scale_set: ScaleSet) -> None:
        if self.scale_sets.get(scale_set.key) is scale_set:
            del self.scale_sets[scale_set.key]
        self.removed.append(scale_set)

    def _operation(
        self, kind: str, sub: str, resource_id: str, scale_set: ScaleSet | None = None
    ) -> Operation:
        op = Operation(
            id=self._uuid(),
            kind=kind,
            subscription=sub,
            location=self.location,
            resource_id=resource_id,
            start_time=self.clock.now(),
            returns_resource=kind in ("create", "update"),
            scale_set=scale_set,
        )
        if scale_set is not None:
            scale_set.active_ops += 1
            scale_set.provisioning_state = "Creating" if kind == "create" else "Updating"
        self.operations[op.id] = op
        return op

    def _flexible_id(self, scale_set: ScaleSet) -> str:
        """``{name}_{8 hex digits}``, drawn again until no VM of the scale set ever had it.

        32 random bits collide in about 1% of 10,000-VM scale sets; a repeat would overwrite
        a live VM (docs/fake/emulation.md: ids are never reused).
        """
        while True:
            instance_id = f"{scale_set.name}_{self.ids.getrandbits(32):08x}"
            key = instance_id.lower()
            if key not in scale_set.vms and key not in scale_set.graveyard:
                return instance_id

    def _new_vm(self, scale_set: ScaleSet) -> VM:
        index = scale_set.next_index
        scale_set.next_index += 1
        if scale_set.orchestration_mode == "Flexible":
            instance_id = self._flexible_id(scale_set)
            name = instance_id
        else:
            instance_id = str(index)
            name = f"{scale_set.name}_{instance_id}"
        vm = VM(
            scale_set=scale_set,
            instance_id=instance_id,
            name=name,
            vm_id=self._uuid(),
            os_type=guess_os_type(scale_set.spec),
            time_created=self.clock.now(),
            index=index,
        )
        scale_set.vms[instance_id.lower()] = vm
        return vm

    @staticmethod
    def _check_preconditions(
        name: str, existing: ScaleSet | None, if_match: str | None, if_none_match: str | None
    ) -> None:
        failed = None
        if if_match is not None:
            wanted = _etag_value(if_match)
            if existing is None or (wanted != "*" and wanted != str(existing.etag)):
                failed = "If-Match"
        if if_none_match is not None and existing is not None:
            wanted = _etag_value(if_none_match)
            if wanted == "*" or wanted == str(existing.etag):
                failed = failed or "If-None-Match"
        if failed is not None:
            etag = "absent" if existing is None else f'"{existing.etag}"'
            raise ArmException(
                412,
                PRECONDITION_FAILED,
                f"The {failed} condition was not met for scale set '{name}' (etag {etag}).",
            )

    # -- scale sets -----------------------------------------------------------------------

    def put_scale_set(
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
        existing = self.scale_sets.get((sub.lower(), rg.lower(), name.lower()))
        self._check_preconditions(name, existing, if_match, if_none_match)
        if existing is not None:
            return existing, False, self._update(existing, copy.deepcopy(doc), "update")
        return self._create(sub, rg, name, copy.deepcopy(doc))

    def _create(
        self, sub: str, rg: str, name: str, spec: dict[str, Any]
    ) -> tuple[ScaleSet, bool, Operation]:
        capacity = _capacity(spec, 0)
        self.features.check_policies(sub, None, spec)
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
            unique_id=self._uuid(),
            time_created=self.clock.now(),
        )
        self.scale_sets[scale_set.key] = scale_set
        op = self._operation("create", sub, scale_set.resource_id, scale_set)
        self._scale_to(scale_set, capacity, op)
        return scale_set, True, op

    def _update(self, scale_set: ScaleSet, spec: dict[str, Any], kind: str) -> Operation:
        if scale_set.deleting:
            raise ArmException(
                409, OPERATION_NOT_ALLOWED, f"Scale set '{scale_set.name}' is being deleted."
            )
        capacity = _capacity(spec, scale_set.capacity)
        properties = spec.setdefault("properties", {})
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
        self.features.check_policies(scale_set.subscription, scale_set.spec, spec)
        scale_set.spec = spec
        scale_set.etag += 1
        op = self._operation(kind, scale_set.subscription, scale_set.resource_id, scale_set)
        self._scale_to(scale_set, capacity, op)
        return op

    def _scale_to(self, scale_set: ScaleSet, capacity: int, op: Operation) -> None:
        """Scale out (Resilient create) or in (highest ids first); record the capacity."""
        current = [vm for vm in scale_set.vms.values() if vm.delete_policy is None]
        sku = scale_set.spec.setdefault("sku", {})
        if isinstance(sku, dict):
            sku["capacity"] = capacity
        resilient = scale_set.creation_policy_enabled
        for _ in range(capacity - len(current)):
            self.engine.start_create(self._new_vm(scale_set), op, resilient=resilient)
        surplus = len(current) - capacity
        if surplus > 0:
            current.sort(key=lambda vm: vm.index, reverse=True)
            for vm in current[:surplus]:
                self.engine.request_delete(vm, op, force=False)
        self.engine.finish_if_done(op)

    def patch_scale_set(
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
        scale_set = self._find(sub, rg, name)
        self._check_preconditions(scale_set.name, scale_set, if_match, if_none_match)
        return scale_set, self._update(scale_set, deep_merge(scale_set.spec, patch), "update")

    def get_scale_set(self, sub: str, rg: str, name: str) -> ScaleSet:
        """One scale set (404 ``ResourceNotFound`` if absent)."""
        return self._find(sub, rg, name)

    def list_scale_sets(self, sub: str, rg: str | None) -> list[ScaleSet]:
        """Scale sets of a resource group, or of the whole subscription when ``rg`` is None."""
        sub_key, rg_key = sub.lower(), None if rg is None else rg.lower()
        return [
            s
            for key, s in sorted(self.scale_sets.items())
            if key[0] == sub_key and (rg_key is None or key[1] == rg_key)
        ]

    def delete_scale_set(self, sub: str, rg: str, name: str, *, force: bool) -> Operation | None:
        """Start deleting a scale set and all its VMs; None when it does not exist."""
        scale_set = self.scale_sets.get((sub.lower(), rg.lower(), name.lower()))
        if scale_set is None:
            return None
        op = self._operation("delete", sub, scale_set.resource_id)
        scale_set.deleting = True
        scale_set.provisioning_state = "Deleting"
        scale_set.etag += 1
        for vm in scale_set.live_vms():
            self.engine.request_delete(vm, op, force=force)
        if not scale_set.vms:
            self.engine.scale_set_gone(scale_set)
        self.engine.finish_if_done(op)
        return op

    def delete_instances(
        self, sub: str, rg: str, name: str, instance_ids: list[str], *, force: bool
    ) -> Operation:
        """Start deleting some instances (400 ``InvalidParameter`` naming unknown ids)."""
        scale_set = self._find(sub, rg, name)
        if not instance_ids:
            raise invalid_parameter("instanceIds", "The list of instanceIds must not be empty.")
        vms = [scale_set.find_vm(instance_id) for instance_id in instance_ids]
        missing = [i for i, vm in zip(instance_ids, vms, strict=True) if vm is None]
        if missing:
            raise invalid_parameter(
                "instanceIds", f"Instance ids not found in '{name}': {', '.join(missing)}."
            )
        op = self._operation("deleteInstances", sub, scale_set.resource_id)
        for vm in vms:
            assert vm is not None
            self.engine.request_delete(vm, op, force=force)
        self._sync_capacity(scale_set)
        self.engine.finish_if_done(op)
        return op

    @staticmethod
    def _sync_capacity(scale_set: ScaleSet) -> None:
        sku = scale_set.spec.get("sku")
        if isinstance(sku, dict):
            sku["capacity"] = scale_set.capacity
        scale_set.etag += 1

    # -- VMs ------------------------------------------------------------------------------

    def list_vms(self, sub: str, rg: str, name: str) -> list[VM]:
        """Live VMs of a Uniform scale set in creation order (Flexible: 400)."""
        scale_set = self._find(sub, rg, name)
        if scale_set.orchestration_mode == "Flexible":
            raise ArmException(
                400,
                OPERATION_NOT_ALLOWED,
                f"Listing VMs of scale set '{name}' is not supported: it is Flexible, and "
                "the list VMs operation serves Uniform orchestration only.",
            )
        return scale_set.live_vms()

    def get_vm(self, sub: str, rg: str, name: str, instance_id: str) -> VM:
        """One live VM (404 once deleted)."""
        vm = self._find(sub, rg, name).find_vm(instance_id)
        if vm is None:
            raise not_found(VM_KIND, f"{name}/{instance_id}")
        return vm

    def delete_vm(
        self, sub: str, rg: str, name: str, instance_id: str, *, force: bool
    ) -> Operation:
        """Start deleting one VM."""
        vm = self.get_vm(sub, rg, name, instance_id)
        scale_set = vm.scale_set
        op = self._operation(
            "deleteVM", sub, f"{scale_set.resource_id}/virtualMachines/{vm.instance_id}"
        )
        self.engine.request_delete(vm, op, force=force)
        self._sync_capacity(scale_set)
        self.engine.finish_if_done(op)
        return op

    def attach_vm(self, sub: str, rg: str, name: str) -> VM:
        """Attach one VM to a Flexible scale set: a plain create, never resilient."""
        scale_set = self._find(sub, rg, name)
        if scale_set.orchestration_mode != "Flexible":
            raise ArmException(
                400,
                OPERATION_NOT_ALLOWED,
                f"Scale set '{name}' is Uniform: only Flexible scale sets take attached VMs.",
            )
        vm = self._new_vm(scale_set)
        self.engine.start_create(vm, None, resilient=False)
        self._sync_capacity(scale_set)
        return vm

    # -- operations and features ----------------------------------------------------------

    def get_operation(self, sub: str, operation_id: str) -> Operation:
        """An operation by id (404 if unknown to this subscription)."""
        op = self.operations.get(operation_id.lower())
        if op is None or op.subscription.lower() != sub.lower():
            raise not_found("Microsoft.Compute/locations/operations", operation_id)
        return op

    def register_feature(self, sub: str, namespace: str, feature: str) -> Feature:
        """Start registering: Registering now, Registered after ``feature_registration``."""
        return self.features.register(sub, namespace, feature)

    def get_feature(self, sub: str, namespace: str, feature: str) -> Feature:
        """A feature's registration state."""
        return self.features.get(sub, namespace, feature)
