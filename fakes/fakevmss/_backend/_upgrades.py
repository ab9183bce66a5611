"""The scale set model and its upgrades, by upgrade policy mode.

Which changes are model changes, what each mode does with one, and the rolling upgrade
operations the fake refuses:

- ``Manual``: existing VMs keep their model (``latestModelApplied: false``) until
  ``update_instances`` applies the latest one to them.
- ``Automatic``: every VM that can take it is upgraded at once, as part of the PUT or PATCH.
- ``Rolling``: not emulated; a model change is refused (400) rather than pretended.

New VMs always get the latest model. Rules in docs/fake/lifecycle.md.
"""

from __future__ import annotations

from typing import Any, NoReturn

from fakevmss._backend._store import Store
from fakevmss._errors import not_allowed
from fakevmss._state import Operation, ScaleSet
from fakevmss._vm_engine import VMEngine, standing
from fakevmss._vm_ops import VMOp, refusal

__all__ = ["Upgrades", "model_of", "upgrade_mode"]


def model_of(spec: dict[str, Any]) -> tuple[Any, Any]:
    """What a VM is built from: the VM profile and the VM size (``sku.name``)."""
    properties = spec.get("properties")
    profile = properties.get("virtualMachineProfile") if isinstance(properties, dict) else None
    sku = spec.get("sku")
    return profile, sku.get("name") if isinstance(sku, dict) else None


def upgrade_mode(spec: dict[str, Any]) -> str:
    """``properties.upgradePolicy.mode`` (``Manual`` when absent, as Azure defaults it)."""
    properties = spec.get("properties")
    policy = properties.get("upgradePolicy") if isinstance(properties, dict) else None
    mode = policy.get("mode") if isinstance(policy, dict) else None
    return mode if isinstance(mode, str) else "Manual"


class Upgrades:
    """Model versions, automatic upgrades, and the refusal of rolling ones."""

    def __init__(self, store: Store, vm_engine: VMEngine) -> None:
        self.store = store
        self.vm_engine = vm_engine

    @staticmethod
    def check_change(scale_set: ScaleSet, spec: dict[str, Any]) -> bool:
        """Whether ``spec`` changes the model of ``scale_set`` (refused under ``Rolling``).

        Raises:
            ArmException: 400 ``OperationNotAllowed`` for a model change under ``Rolling``.
        """
        changed = model_of(spec) != model_of(scale_set.spec)
        if changed and upgrade_mode(spec) == "Rolling":
            raise not_allowed(
                f"Scale set '{scale_set.name}' has upgradePolicy.mode Rolling: the fake does "
                "not emulate rolling upgrades, so it refuses a change of the model "
                "(virtualMachineProfile or sku.name). Use Manual or Automatic.",
                status=400,
                target="properties.upgradePolicy.mode",
            )
        return changed

    def model_changed(self, scale_set: ScaleSet, old_spec: dict[str, Any], op: Operation) -> None:
        """Count a new model version; under ``Automatic``, upgrade every VM that can take it.

        ``old_spec`` is kept for the VMs that still run the superseded model (their bodies
        show its size and image).
        """
        running = {vm.model_version for vm in scale_set.vms.values()}
        for version in [v for v in scale_set.old_models if v not in running]:
            del scale_set.old_models[version]  # no VM runs it any more
        scale_set.old_models[scale_set.model_version] = old_spec
        scale_set.model_version += 1
        if upgrade_mode(scale_set.spec) != "Automatic":
            return
        for vm in scale_set.live_vms():
            if vm.protected_from_scale_set_actions:
                continue
            if refusal(VMOp.UPDATE_INSTANCES, standing(vm)) is None:
                self.vm_engine.begin(vm, VMOp.UPDATE_INSTANCES, op)

    def approve_rolling_upgrade(self, sub: str, rg: str, name: str) -> NoReturn:
        """Never succeeds: no rolling upgrade ever waits for approval in the fake.

        Raises:
            ArmException: 404 for an unknown scale set, else 400 ``OperationNotAllowed``.
        """
        scale_set = self.store.find(sub, rg, name)
        raise not_allowed(
            f"Scale set '{scale_set.name}' has no rolling upgrade awaiting approval: the fake "
            "does not emulate rolling upgrades.",
            status=400,
        )
