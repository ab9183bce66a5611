"""VM operations started on a scale set (for some or all of its VMs) or on one VM.

Targets are checked before anything changes: an unknown instance id is a 400 and a VM that
cannot take the operation a 409, and either leaves every VM as it was (docs/fake/lifecycle.md).
"""

from __future__ import annotations

from fakevmss._backend._store import Store, vm_resource_id
from fakevmss._errors import invalid_parameter, not_allowed
from fakevmss._state import VM, Operation, OpKind, ScaleSet
from fakevmss._vm_engine import VMEngine, standing
from fakevmss._vm_ops import RULES, VMOp, refusal

__all__ = ["Actions", "check_can_take"]


def check_can_take(op_kind: VMOp, vms: list[VM]) -> None:
    """Refuse ``op_kind`` unless every VM of ``vms`` can take it now.

    Raises:
        ArmException: 409 ``OperationNotAllowed``; with several VMs refused, one detail each.
    """
    refused = [(vm, reason) for vm in vms if (reason := refusal(op_kind, standing(vm)))]
    if not refused:
        return
    if len(refused) == 1:
        raise not_allowed(refused[0][1])
    ids = ", ".join(vm.instance_id for vm, _ in refused)
    details = [
        {"code": "OperationNotAllowed", "message": reason, "target": vm.instance_id}
        for vm, reason in refused
    ]
    raise not_allowed(
        f"{len(refused)} VMs cannot take '{RULES[op_kind].arm_name}' now: {ids}. {refused[0][1]}",
        details=details,
    )


def named_vms(scale_set: ScaleSet, instance_ids: list[str]) -> list[VM]:
    """The live VMs named by ``instance_ids`` (400 ``InvalidParameter`` naming unknown ones)."""
    found = [scale_set.find_vm(instance_id) for instance_id in instance_ids]
    missing = [iid for iid, vm in zip(instance_ids, found, strict=True) if vm is None]
    if missing:
        raise invalid_parameter(
            "instanceIds", f"Instance ids not found in '{scale_set.name}': {', '.join(missing)}."
        )
    return [vm for vm in found if vm is not None]


class Actions:
    """Start, power off, deallocate, restart, reimage, redeploy, maintain, upgrade VMs."""

    def __init__(self, store: Store, vm_engine: VMEngine) -> None:
        self.store = store
        self.vm_engine = vm_engine

    def on_scale_set(
        self,
        op_kind: VMOp,
        sub: str,
        rg: str,
        name: str,
        instance_ids: list[str] | None,
        *,
        skip_shutdown: bool = False,
    ) -> Operation:
        """``op_kind`` on the named VMs (None: every VM not being deleted) of a scale set.

        VMs protected from scale set actions are skipped (their history says so).
        """
        scale_set = self.store.find(sub, rg, name)
        if instance_ids is None:
            chosen = [vm for vm in scale_set.live_vms() if not vm.marked_for_deletion]
        else:
            chosen = named_vms(scale_set, instance_ids)
        targets = [vm for vm in chosen if not vm.protected_from_scale_set_actions]
        check_can_take(op_kind, targets)
        op = self._operation(op_kind, sub, scale_set.resource_id)
        now = self.store.clock.now()
        for vm in chosen:
            if vm.protected_from_scale_set_actions:
                vm.record(now, "operation-skipped", 0, operation=op_kind.value)
        self._begin(op_kind, targets, op, skip_shutdown=skip_shutdown)
        return op

    def on_vm(
        self,
        op_kind: VMOp,
        sub: str,
        rg: str,
        name: str,
        instance_id: str,
        *,
        skip_shutdown: bool = False,
    ) -> Operation:
        """``op_kind`` on one VM (protection never blocks an operation on the VM itself)."""
        vm = self.store.find_vm(sub, rg, name, instance_id)
        check_can_take(op_kind, [vm])
        op = self._operation(op_kind, sub, vm_resource_id(vm))
        self._begin(op_kind, [vm], op, skip_shutdown=skip_shutdown)
        return op

    def _operation(self, op_kind: VMOp, sub: str, resource_id: str) -> Operation:
        op = self.store.operation(OpKind.ACTION, sub, resource_id)
        op.action = RULES[op_kind].arm_name
        return op

    def _begin(self, op_kind: VMOp, vms: list[VM], op: Operation, *, skip_shutdown: bool) -> None:
        for vm in vms:
            if op_kind is VMOp.UPDATE_INSTANCES and vm.latest_model_applied:
                continue  # already on the latest model: nothing to apply
            self.vm_engine.begin(vm, op_kind, op, skip_shutdown=skip_shutdown)
        self.store.engine.finish_if_done(op)
