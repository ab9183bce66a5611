"""The fake's state as plain data: scale sets, VMs, operations, features, history.

No HTTP and no behaviour beyond derived read-only values; the engine (``_lifecycle``) and the
backend (``_backend``) change these objects, the wire layer reads them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from fakevmss._instants import Event

__all__ = [
    "DELETE_FAILED_TAG",
    "VM",
    "Activity",
    "Feature",
    "HistoryEvent",
    "OpKind",
    "Operation",
    "RoundEvent",
    "ScaleSet",
    "guess_os_type",
    "policy_enabled",
]

#: Azure's own test hook: a VM whose scale set carries this tag fails every delete attempt.
DELETE_FAILED_TAG = "FailForResilientVMDeletionAtDiskDetach"


def _get(doc: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def policy_enabled(spec: dict[str, Any], policy: str) -> bool:
    """Whether ``properties.resiliencyPolicy.<policy>.enabled`` is true in ``spec``."""
    return _get(spec, "properties", "resiliencyPolicy", policy, "enabled") is True


def guess_os_type(spec: dict[str, Any]) -> str:
    """``osDisk.osType`` if given, else Windows when the image names Windows, else Linux."""
    storage = _get(spec, "properties", "virtualMachineProfile", "storageProfile")
    os_type = _get(storage, "osDisk", "osType")
    if isinstance(os_type, str) and os_type.lower() in ("linux", "windows"):
        return "Windows" if os_type.lower() == "windows" else "Linux"
    image = _get(storage, "imageReference")
    if isinstance(image, dict):
        words = " ".join(str(image.get(k, "")) for k in ("publisher", "offer", "sku", "id"))
        if "windows" in words.lower():
            return "Windows"
    return "Linux"


def _creation_order(vm: VM) -> int:
    return vm.index


@dataclass(slots=True)
class HistoryEvent:
    """One step in a VM's life: virtual time, event name, attempt, resulting state, code."""

    time: float
    event: str
    attempt: int
    state: str
    code: str | None = None
    forced: bool = False
    #: The VM operation (``restart``, ...) of an ``operation-*`` event; None for the others.
    operation: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "time": self.time,
            "event": self.event,
            "attempt": self.attempt,
            "state": self.state,
            "code": self.code,
            "forced": self.forced,
            "operation": self.operation,
        }


@dataclass(slots=True)
class RoundEvent:
    """One resilient delete round of a scale set: one forced delete call covering some VMs."""

    time: float
    event: str
    instance_ids: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"time": self.time, "event": self.event, "instance_ids": list(self.instance_ids)}


class OpKind(enum.StrEnum):
    """What an asynchronous operation does (its value names it in error messages)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DELETE_INSTANCES = "deleteInstances"
    DELETE_VM = "deleteVM"
    UPDATE_VM = "updateVM"
    ACTION = "action"


@dataclass(slots=True, eq=False)
class Operation:
    """An asynchronous ARM operation; ``pending`` are instance ids whose outcome it awaits."""

    id: str
    kind: OpKind
    subscription: str
    location: str
    resource_id: str
    start_time: float
    status: str = "InProgress"
    end_time: float | None = None
    error: dict[str, Any] | None = None
    pending: set[str] = field(default_factory=set)
    failures: list[dict[str, Any]] = field(default_factory=list)
    scale_set: ScaleSet | None = None  # set when the operation drives the scale set's state
    #: The VM operation of an ``ACTION`` or ``UPDATE_VM`` (as ARM names it: ``restart``).
    action: str | None = None

    @property
    def returns_resource(self) -> bool:
        """Whether the operation ends with its resource (a PUT or PATCH), not with nothing."""
        return self.kind in (OpKind.CREATE, OpKind.UPDATE, OpKind.UPDATE_VM)


@dataclass(slots=True, eq=False)
class Activity:
    """The VM operation a VM is running: what, for which LRO, and what to restore on failure."""

    operation: str
    op: Operation | None
    power_before: str
    model_version: int
    attempt: int
    code: str | None = None


@dataclass(slots=True, eq=False)
class VM:
    """A scale set VM, with the engine's bookkeeping for its create and delete."""

    scale_set: ScaleSet
    instance_id: str
    name: str
    vm_id: str
    os_type: str
    time_created: float
    index: int
    provisioning_state: str = "Creating"
    power_state: str = "starting"
    model_version: int = 1
    etag: int = 1
    exists: bool = True
    create_attempts: int = 0
    delete_attempts: int = 0
    # The history as plain tuples of HistoryEvent's fields, in a tuple that grows by one: a
    # tuple of atomic values is one the garbage collector stops tracking, and a 100,000-VM
    # fleet holds half a million events (benchmarks/fleet_bench.py). ``history`` builds the
    # HistoryEvent objects when read.
    events: tuple[tuple[Any, ...], ...] = ()
    # Resilient create: policy snapshot, deadline, last failure code.
    create_resilient: bool = False
    create_deadline: float = 0.0
    create_code: str | None = None
    create_op: Operation | None = None
    # The ARM error of the last failed create or delete attempt ({code, message, target}):
    # what a Failed VM's instanceView statuses show (ProvisioningState/failed/<code>).
    last_error: dict[str, Any] | None = None
    # Resilient delete: policy snapshot (None: not being deleted), retries used, state.
    delete_policy: bool | None = None
    delete_retries: int = 0
    delete_running: bool = False
    delete_exhausted: bool = False
    retry_due: float | None = None
    # A tuple, () while none waits: an empty list per VM cost the garbage collector 100,000
    # objects to walk in a 100,000-VM fleet (benchmarks/fleet_bench.py).
    delete_waiters: tuple[Operation, ...] = ()
    timer: Event | None = None
    # VM operations (docs/fake/lifecycle.md): the one running, runs per operation (for fault
    # attempts; made on first use), whether Resilient create left the VM Failed, and the
    # protection policy set through the VM's PUT (None: never set).
    activity: Activity | None = None
    operation_runs: dict[str, int] | None = None
    create_failed: bool = False
    protection: dict[str, bool] | None = None

    @property
    def deletion_status(self) -> str:
        """``resilientVMDeletionStatus``: Enabled, Disabled, InProgress or Failed.

        ``Deleted`` once the VM is gone: for inspection only, the API answers 404 by then.
        """
        if not self.exists:
            return "Deleted"
        if self.delete_policy is None:
            return "Enabled" if self.scale_set.deletion_policy_enabled else "Disabled"
        if not self.delete_policy:
            return "Disabled"
        return "Failed" if self.delete_exhausted else "InProgress"

    @property
    def latest_model_applied(self) -> bool:
        """Whether the VM runs its scale set's latest model."""
        return self.model_version == self.scale_set.model_version

    @property
    def model(self) -> dict[str, Any]:
        """The scale set spec of the model the VM runs (for its size, image and user data)."""
        scale_set = self.scale_set
        if self.model_version == scale_set.model_version:
            return scale_set.spec
        return scale_set.old_models.get(self.model_version, scale_set.spec)

    @property
    def status_time(self) -> float:
        """Clock seconds of the VM's last state change (its last history event)."""
        return float(self.events[-1][0]) if self.events else self.time_created

    @property
    def marked_for_deletion(self) -> bool:
        """Whether a delete was requested and the VM still exists (only a delete may follow)."""
        return self.delete_policy is not None

    @property
    def protected_from_scale_in(self) -> bool:
        """Protected from scale-in (either flag: scale set actions protection includes it)."""
        protection = self.protection
        return protection is not None and any(protection.values())

    @property
    def protected_from_scale_set_actions(self) -> bool:
        """Protected from operations started on the scale set (upgrade, reimage, ...)."""
        protection = self.protection
        return protection is not None and protection.get("protectFromScaleSetActions") is True

    @property
    def deleting(self) -> bool:
        """Whether a delete attempt runs or a resilient retry is pending."""
        return self.delete_running or self.retry_due is not None

    @property
    def history(self) -> list[HistoryEvent]:
        """Every event of the VM's life, in order (a new list each time: assign to change it)."""
        return [HistoryEvent(*event) for event in self.events]

    @history.setter
    def history(self, events: list[HistoryEvent]) -> None:
        self.events = tuple(
            (e.time, e.event, e.attempt, e.state, e.code, e.forced, e.operation) for e in events
        )

    def record(
        self,
        now: float,
        event: str,
        attempt: int,
        code: str | None = None,
        forced: bool = False,
        operation: str | None = None,
    ) -> None:
        """Append a history event with the VM's current state."""
        self.events += ((now, event, attempt, self.provisioning_state, code, forced, operation),)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form, with history."""
        return {
            "instance_id": self.instance_id,
            "name": self.name,
            "vm_id": self.vm_id,
            "os_type": self.os_type,
            "exists": self.exists,
            "provisioning_state": self.provisioning_state,
            "power_state": self.power_state,
            "latest_model_applied": self.latest_model_applied,
            "protection": dict(self.protection) if self.protection is not None else None,
            "operation": self.activity.operation if self.activity is not None else None,
            "resilient_vm_deletion_status": self.deletion_status,
            "create_attempts": self.create_attempts,
            "delete_attempts": self.delete_attempts,
            "history": [event.as_dict() for event in self.history],
        }


@dataclass(slots=True, eq=False)
class ScaleSet:
    """A scale set: its writable spec as given, live VMs, and deleted VMs kept for inspection."""

    subscription: str
    resource_group: str
    name: str
    spec: dict[str, Any]
    orchestration_mode: str
    unique_id: str
    time_created: float
    provisioning_state: str = "Creating"
    etag: int = 1
    model_version: int = 1
    #: The specs of superseded models by version, for VMs that still run them.
    old_models: dict[int, dict[str, Any]] = field(default_factory=dict)
    vms: dict[str, VM] = field(default_factory=dict)
    graveyard: dict[str, VM] = field(default_factory=dict)
    next_index: int = 0
    deleting: bool = False
    exists: bool = True
    history: list[RoundEvent] = field(default_factory=list)
    #: Clock seconds of the last change of ``provisioning_state`` (its instance view's time).
    state_time: float = 0.0
    active_ops: int = 0
    ops_failed: bool = False
    retry_waiting: dict[str, VM] = field(default_factory=dict)
    round_timer: Event | None = None
    round_at: float | None = None

    @property
    def creation_policy_enabled(self) -> bool:
        """Whether the spec enables Resilient create."""
        return policy_enabled(self.spec, "resilientVMCreationPolicy")

    @property
    def deletion_policy_enabled(self) -> bool:
        """Whether the spec enables Resilient delete."""
        return policy_enabled(self.spec, "resilientVMDeletionPolicy")

    @property
    def capacity(self) -> int:
        """VMs that are not being deleted (what ``sku.capacity`` reports)."""
        return sum(1 for vm in self.vms.values() if vm.delete_policy is None)

    @property
    def tags(self) -> dict[str, str]:
        """The spec's tags."""
        tags = self.spec.get("tags")
        return dict(tags) if isinstance(tags, dict) else {}

    @property
    def key(self) -> tuple[str, str, str]:
        """Case-insensitive identity: subscription, resource group, name."""
        return (self.subscription.lower(), self.resource_group.lower(), self.name.lower())

    @property
    def resource_id(self) -> str:
        """The ARM id."""
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Compute/virtualMachineScaleSets/{self.name}"
        )

    def live_vms(self) -> list[VM]:
        """The live VMs in creation order."""
        return sorted(self.vms.values(), key=_creation_order)

    def every_vm(self) -> list[VM]:
        """Live and deleted VMs in creation order."""
        return sorted([*self.vms.values(), *self.graveyard.values()], key=_creation_order)

    def find_vm(self, instance_id: str) -> VM | None:
        """A live VM by instance id (case-insensitive), or None."""
        return self.vms.get(instance_id.lower())

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form with every VM (live and deleted) and the delete rounds."""
        every = self.every_vm()
        return {
            "subscription": self.subscription,
            "resource_group": self.resource_group,
            "name": self.name,
            "exists": self.exists,
            "orchestration_mode": self.orchestration_mode,
            "provisioning_state": self.provisioning_state,
            "capacity": self.capacity,
            "instance_ids": [vm.instance_id for vm in every if vm.exists],
            "history": [event.as_dict() for event in self.history],
            "vms": [vm.as_dict() for vm in every],
        }


@dataclass(slots=True, eq=False)
class Feature:
    """A Microsoft.Features registration of one subscription."""

    namespace: str
    name: str
    state: str = "NotRegistered"
    registered_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"namespace": self.namespace, "name": self.name, "state": self.state}
