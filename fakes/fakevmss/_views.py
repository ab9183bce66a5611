"""Live, read-only views of a fake's VMs and scale sets (``fake.vm``, ``fake.scale_set``)."""

from __future__ import annotations

from fakevmss._state import VM, HistoryEvent, RoundEvent, ScaleSet

__all__ = ["ScaleSetView", "VMView"]


class VMView:
    """A live, read-only view of one VM (it keeps answering after the VM is deleted)."""

    __slots__ = ("_vm",)

    def __init__(self, vm: VM) -> None:
        self._vm = vm

    @property
    def instance_id(self) -> str:
        """Instance id."""
        return self._vm.instance_id

    @property
    def name(self) -> str:
        """VM name."""
        return self._vm.name

    @property
    def exists(self) -> bool:
        """False once the VM was deleted (the API then answers 404)."""
        return self._vm.exists

    @property
    def provisioning_state(self) -> str:
        """Current provisioning state (``Deleted`` once gone)."""
        return self._vm.provisioning_state

    @property
    def resilient_vm_deletion_status(self) -> str:
        """``Enabled``, ``Disabled``, ``InProgress`` or ``Failed``; ``Deleted`` once gone."""
        return self._vm.deletion_status

    @property
    def power_state(self) -> str:
        """``running``, ``stopped``, ``deallocated`` or a transition (``starting``, ...)."""
        return self._vm.power_state

    @property
    def latest_model_applied(self) -> bool:
        """Whether the VM runs its scale set's latest model."""
        return self._vm.latest_model_applied

    @property
    def operation(self) -> str | None:
        """The VM operation running on it (``restart``, ...), or None."""
        activity = self._vm.activity
        return None if activity is None else activity.operation

    @property
    def protection(self) -> dict[str, bool] | None:
        """Its ``protectionPolicy`` as set through its PUT (None: never set)."""
        protection = self._vm.protection
        return None if protection is None else dict(protection)

    @property
    def create_attempts(self) -> int:
        """Create attempts made (first attempt plus resilient retries)."""
        return self._vm.create_attempts

    @property
    def delete_attempts(self) -> int:
        """Delete attempts made (the user's attempts plus resilient retries)."""
        return self._vm.delete_attempts

    @property
    def history(self) -> list[HistoryEvent]:
        """Every event of the VM's life, in order."""
        return list(self._vm.history)

    def __repr__(self) -> str:
        vm = self._vm
        return (
            f"<VMView {vm.name} {vm.provisioning_state} power={vm.power_state} "
            f"deletion={vm.deletion_status} create_attempts={vm.create_attempts} "
            f"delete_attempts={vm.delete_attempts}>"
        )


class ScaleSetView:
    """A live, read-only view of one scale set."""

    __slots__ = ("_scale_set",)

    def __init__(self, scale_set: ScaleSet) -> None:
        self._scale_set = scale_set

    @property
    def name(self) -> str:
        """Scale set name."""
        return self._scale_set.name

    @property
    def exists(self) -> bool:
        """False once the scale set was deleted."""
        return self._scale_set.exists

    @property
    def provisioning_state(self) -> str:
        """Current provisioning state."""
        return self._scale_set.provisioning_state

    @property
    def orchestration_mode(self) -> str:
        """``Uniform`` or ``Flexible``."""
        return self._scale_set.orchestration_mode

    @property
    def instance_ids(self) -> list[str]:
        """Ids of the live VMs, in creation order."""
        return [vm.instance_id for vm in self._scale_set.live_vms()]

    @property
    def history(self) -> list[RoundEvent]:
        """The scale set's resilient delete rounds (time, instance ids)."""
        return list(self._scale_set.history)

    def __repr__(self) -> str:
        s = self._scale_set
        return f"<ScaleSetView {s.name} {s.provisioning_state} vms={len(s.vms)}>"
