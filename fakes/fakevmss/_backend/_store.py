"""What every backend component shares: the resources, the id stream, and small helpers.

The components (``_scale_sets``, ``_vms``, ...) each take the one :class:`Store` of their
backend; none of them holds state of its own. Names are matched case-insensitively (keys are
lower case; the display spelling is kept).
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

from fakevmss._clock import RealClock, VirtualClock
from fakevmss._errors import PRECONDITION_FAILED, ArmException, not_found
from fakevmss._faults import Faults
from fakevmss._features import FeatureRegistry
from fakevmss._lifecycle import Engine
from fakevmss._state import VM, Operation, OpKind, ScaleSet, guess_os_type
from fakevmss._timings import Timings

__all__ = [
    "SCALE_SET_KIND",
    "VM_KIND",
    "Key",
    "Store",
    "check_preconditions",
    "deep_merge",
    "vm_resource_id",
]

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


def vm_resource_id(vm: VM) -> str:
    """The ARM id of a scale set VM."""
    return f"{vm.scale_set.resource_id}/virtualMachines/{vm.instance_id}"


def _etag_value(header: str) -> str:
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def check_preconditions(
    what: str, etag: int | None, if_match: str | None, if_none_match: str | None
) -> None:
    """Honour ``If-Match``/``If-None-Match`` against ``etag`` (None: the resource is absent).

    Raises:
        ArmException: 412 ``PreconditionFailed`` naming ``what`` and its etag.
    """
    failed = None
    if if_match is not None:
        wanted = _etag_value(if_match)
        if etag is None or (wanted != "*" and wanted != str(etag)):
            failed = "If-Match"
    if if_none_match is not None and etag is not None:
        wanted = _etag_value(if_none_match)
        if wanted == "*" or wanted == str(etag):
            failed = failed or "If-None-Match"
    if failed is not None:
        shown = "absent" if etag is None else f'"{etag}"'
        raise ArmException(
            412,
            PRECONDITION_FAILED,
            f"The {failed} condition was not met for {what} (etag {shown}).",
        )


class Store:
    """Scale sets (live and removed), operations, the id stream, and the engine that moves them.

    Args:
        clock: the fake's clock; timings: durations; faults: the fault plan.
        ids: the id stream (uuids, Flexible instance names), seeded so runs repeat exactly.
        features_registered: False makes enabling a policy require its feature registration.
        location: region of operation URLs.
    """

    def __init__(
        self,
        clock: VirtualClock | RealClock,
        timings: Timings,
        faults: Faults,
        *,
        ids: random.Random,
        features_registered: bool,
        location: str,
    ) -> None:
        self.clock = clock
        self.timings = timings
        self.faults = faults
        self.location = location
        self.ids = ids
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

    def uuid(self) -> str:
        """The next uuid of the id stream."""
        return str(uuid.UUID(int=self.ids.getrandbits(128), version=4))

    def existing(self, sub: str, rg: str, name: str) -> ScaleSet | None:
        """A live scale set, or None."""
        return self.scale_sets.get((sub.lower(), rg.lower(), name.lower()))

    def find(self, sub: str, rg: str, name: str) -> ScaleSet:
        """A live scale set (404 ``ResourceNotFound`` if absent)."""
        scale_set = self.existing(sub, rg, name)
        if scale_set is None:
            raise not_found(SCALE_SET_KIND, name)
        return scale_set

    def find_vm(self, sub: str, rg: str, name: str, instance_id: str) -> VM:
        """A live VM (404 ``ResourceNotFound`` once deleted)."""
        vm = self.find(sub, rg, name).find_vm(instance_id)
        if vm is None:
            raise not_found(VM_KIND, f"{name}/{instance_id}")
        return vm

    def _forget_scale_set(self, scale_set: ScaleSet) -> None:
        if self.scale_sets.get(scale_set.key) is scale_set:
            del self.scale_sets[scale_set.key]
        self.removed.append(scale_set)

    def operation(
        self, kind: OpKind, sub: str, resource_id: str, scale_set: ScaleSet | None = None
    ) -> Operation:
        """A new operation; with ``scale_set``, it drives that scale set's state meanwhile."""
        op = Operation(
            id=self.uuid(),
            kind=kind,
            subscription=sub,
            location=self.location,
            resource_id=resource_id,
            start_time=self.clock.now(),
            scale_set=scale_set,
        )
        if scale_set is not None:
            scale_set.active_ops += 1
            scale_set.provisioning_state = "Creating" if kind is OpKind.CREATE else "Updating"
            scale_set.state_time = op.start_time
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

    def new_vm(self, scale_set: ScaleSet) -> VM:
        """A new VM of ``scale_set`` (Uniform: the next index; Flexible: a fresh name)."""
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
            vm_id=self.uuid(),
            os_type=guess_os_type(scale_set.spec),
            time_created=self.clock.now(),
            index=index,
            model_version=scale_set.model_version,
        )
        scale_set.vms[instance_id.lower()] = vm
        return vm

    @staticmethod
    def sync_capacity(scale_set: ScaleSet) -> None:
        """Write the live VM count back into ``sku.capacity``; the scale set changed."""
        sku = scale_set.spec.get("sku")
        if isinstance(sku, dict):
            sku["capacity"] = scale_set.capacity
        scale_set.etag += 1
