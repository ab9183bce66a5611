"""Scale set VMs: list, read, delete one, attach one to a Flexible scale set."""

from __future__ import annotations

from fakevmss._backend._store import Store
from fakevmss._errors import OPERATION_NOT_ALLOWED, ArmException
from fakevmss._state import VM, Operation, OpKind

__all__ = ["VMs"]


class VMs:
    """The VM operations of one backend."""

    def __init__(self, store: Store) -> None:
        self.store = store

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

    def get(self, sub: str, rg: str, name: str, instance_id: str) -> VM:
        """One live VM (404 once deleted)."""
        return self.store.find_vm(sub, rg, name, instance_id)

    def delete(self, sub: str, rg: str, name: str, instance_id: str, *, force: bool) -> Operation:
        """Start deleting one VM."""
        vm = self.store.find_vm(sub, rg, name, instance_id)
        scale_set = vm.scale_set
        resource_id = f"{scale_set.resource_id}/virtualMachines/{vm.instance_id}"
        op = self.store.operation(OpKind.DELETE_VM, sub, resource_id)
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
