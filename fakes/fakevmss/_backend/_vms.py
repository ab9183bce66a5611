"""Scale set VMs: list, read, update (its protection policy), delete, attach to Flexible."""

from __future__ import annotations

import builtins
from collections.abc import Mapping

from fakevmss._backend._actions import check_can_take
from fakevmss._backend._store import Store, check_preconditions, vm_resource_id
from fakevmss._errors import OPERATION_NOT_ALLOWED, ArmException
from fakevmss._state import VM, Operation, OpKind
from fakevmss._vm_engine import VMEngine
from fakevmss._vm_ops import RULES, VMOp

__all__ = ["VMs"]


class VMs:
    """The VM operations of one backend."""

    def __init__(self, store: Store, vm_engine: VMEngine) -> None:
        self.store = store
        self.vm_engine = vm_engine

    def list(self, sub: str, rg: str, name: str) -> list[VM]:
        """Live VMs of a Uniform scale set in creation order (Flexible: 400)."""
        scale_set = self.store.find(sub, rg, name)
        if scale_set.orchestration_mode == "Flexible":
            raise ArmException(
                400,
                OPERATION_NOT_ALLOWED,
                f"Listing VMs of scale set '{name}' is not supported: it is Flexible, and "
                "the list VMs operation serves Uniform orchestration only.",
            )
        return scale_set.live_vms()

    def live(self, sub: str, rg: str, name: str) -> builtins.list[VM]:
        """Live VMs of any scale set, in creation order (what its instance view counts)."""
        return self.store.find(sub, rg, name).live_vms()

    def get(self, sub: str, rg: str, name: str, instance_id: str) -> VM:
        """One live VM (404 once deleted)."""
        return self.store.find_vm(sub, rg, name, instance_id)

    def put(
        self,
        sub: str,
        rg: str,
        name: str,
        instance_id: str,
        protection: Mapping[str, bool] | None,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[VM, Operation]:
        """The VM's PUT: set its protection policy (None: none); ``Updating`` for a while.

        The wire layer has checked that nothing else in the body changes (docs/fake/lifecycle.md).
        """
        vm = self.store.find_vm(sub, rg, name, instance_id)
        check_preconditions(f"VM '{vm.name}'", vm.etag, if_match, if_none_match)
        check_can_take(VMOp.UPDATE, [vm])
        vm.protection = dict(protection) if protection is not None else None
        op = self.store.operation(OpKind.UPDATE_VM, sub, vm_resource_id(vm))
        op.action = RULES[VMOp.UPDATE].arm_name
        self.vm_engine.begin(vm, VMOp.UPDATE, op)
        self.store.engine.finish_if_done(op)
        return vm, op

    def delete(self, sub: str, rg: str, name: str, instance_id: str, *, force: bool) -> Operation:
        """Start deleting one VM."""
        vm = self.store.find_vm(sub, rg, name, instance_id)
        scale_set = vm.scale_set
        op = self.store.operation(OpKind.DELETE_VM, sub, vm_resource_id(vm))
        self.store.engine.request_delete(vm, op, force=force)
        self.store.sync_capacity(scale_set)
        self.store.engine.finish_if_done(op)
        return op

    def attach(self, sub: str, rg: str, name: str) -> VM:
        """Attach one VM to a Flexible scale set: a plain create, never resilient."""
        scale_set = self.store.find(sub, rg, name)
        if scale_set.orchestration_mode != "Flexible":
            raise ArmException(
                400,
                OPERATION_NOT_ALLOWED,
                f"Scale set '{name}' is Uniform: only Flexible scale sets take attached VMs.",
            )
        vm = self.store.new_vm(scale_set)
        self.store.engine.start_create(vm, None, resilient=False)
        self.store.sync_capacity(scale_set)
        return vm
