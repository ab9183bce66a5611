"""The VM operations as data (power, reimage, redeploy, maintenance, upgrade, update).

Also the pure decisions about them: which VMs may take one, how long it runs, what power state
it shows meanwhile and leaves behind, which VMs a scale-in takes. Nothing here touches the
clock or a VM; ``_vm_engine`` applies the decisions. Every rule is in docs/fake/lifecycle.md.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from fakevmss._timings import Timings

__all__ = [
    "RULES",
    "OpRule",
    "VMOp",
    "VMStanding",
    "duration",
    "is_noop",
    "refusal",
    "scale_in_victims",
]


class VMOp(enum.StrEnum):
    """A VM operation, named as the client method that starts it (``begin_`` dropped)."""

    START = "start"
    POWER_OFF = "power_off"
    DEALLOCATE = "deallocate"
    RESTART = "restart"
    REIMAGE = "reimage"
    REIMAGE_ALL = "reimage_all"
    REDEPLOY = "redeploy"
    PERFORM_MAINTENANCE = "perform_maintenance"
    UPDATE_INSTANCES = "update_instances"
    UPDATE = "update"


@dataclass(frozen=True, slots=True)
class OpRule:
    """What one VM operation does.

    Attributes:
        arm_name: the operation's name in ARM's messages (``powerOff``).
        timing: the ``Timings`` field of its duration.
        transit: the power state shown while it runs (None: unchanged).
        result: the power state it leaves (None: unchanged).
        noop_from: power states in which it has nothing to do and succeeds at once.
        needs_running: refused unless the VM runs (``restart``).
        refused_deallocated: refused on a deallocated VM (``powerOff``).
        reprovisions: takes a VM that Resilient create left ``Failed``, and re-provisions it.
        applies_model: the VM ends on its scale set's latest model.
    """

    arm_name: str
    timing: str
    transit: str | None = None
    result: str | None = None
    noop_from: frozenset[str] = frozenset()
    needs_running: bool = False
    refused_deallocated: bool = False
    reprovisions: bool = False
    applies_model: bool = False


_UP = "running"

# fmt: off
RULES: dict[VMOp, OpRule] = {
    VMOp.START: OpRule("start", "start", "starting", _UP, frozenset({_UP})),
    VMOp.POWER_OFF: OpRule(
        "powerOff", "power_off", "stopping", "stopped", frozenset({"stopped"}),
        refused_deallocated=True,
    ),
    VMOp.DEALLOCATE: OpRule(
        "deallocate", "deallocate", "deallocating", "deallocated", frozenset({"deallocated"})
    ),
    VMOp.RESTART: OpRule("restart", "restart", "starting", _UP, needs_running=True),
    VMOp.REIMAGE: OpRule("reimage", "reimage", "starting", _UP, reprovisions=True),
    VMOp.REIMAGE_ALL: OpRule("reimageAll", "reimage", "starting", _UP, reprovisions=True),
    VMOp.REDEPLOY: OpRule("redeploy", "redeploy", "starting", _UP),
    VMOp.PERFORM_MAINTENANCE: OpRule(
        "performMaintenance", "perform_maintenance", "starting", _UP
    ),
    VMOp.UPDATE_INSTANCES: OpRule("manualUpgrade", "model_upgrade", applies_model=True),
    VMOp.UPDATE: OpRule("Update VM", "vm_update"),
}
# fmt: on


@dataclass(frozen=True, slots=True)
class VMStanding:
    """What the decisions read of a VM (a snapshot; the engine builds it)."""

    name: str
    power_state: str
    creating: bool = False
    marked_for_deletion: bool = False
    busy_with: str | None = None
    create_failed: bool = False


def refusal(op: VMOp, vm: VMStanding) -> str | None:
    """Why ``vm`` cannot take ``op`` now (409 ``OperationNotAllowed``), or None if it can.

    The messages of a VM marked for deletion, of a restart of a VM that does not run and of a
    power-off of a deallocated VM are the service's own; the others are ours.
    """
    rule = RULES[op]
    prefix = f"Operation '{rule.arm_name}' is not allowed on VM '{vm.name}' since"
    if vm.marked_for_deletion:
        return (
            f"{prefix} the VM is marked for deletion. You can only retry the Delete operation "
            "(or wait for an ongoing one to complete)."
        )
    if vm.creating:
        return f"{prefix} the VM is still being created; wait for its create to finish."
    if vm.busy_with is not None:
        return f"{prefix} another operation ('{vm.busy_with}') is in progress on the VM."
    if vm.create_failed and not rule.reprovisions:
        return f"{prefix} the VM failed to provision; reimage it or delete it."
    if rule.needs_running and vm.power_state not in ("running", "starting"):
        return "The operation requires the VM to be running (or set to run)."
    if rule.refused_deallocated and vm.power_state in ("deallocated", "deallocating"):
        return f"{prefix} the VM is either deallocated or marked to be deallocated."
    return None


def is_noop(op: VMOp, power_state: str, *, create_failed: bool = False) -> bool:
    """Whether ``op`` has nothing to do on a VM in ``power_state`` (it succeeds at once)."""
    return not create_failed and power_state in RULES[op].noop_from


def duration(op: VMOp, timings: Timings, *, skip_shutdown: bool = False) -> float:
    """How long ``op`` runs (a power-off that skips the guest's shutdown is quicker)."""
    if op is VMOp.POWER_OFF and skip_shutdown:
        return timings.power_off_skip_shutdown
    value: float = getattr(timings, RULES[op].timing)
    return value


def scale_in_victims(
    candidates: Iterable[tuple[int, str, bool]], surplus: int
) -> tuple[list[str], list[str]]:
    """The instance ids a scale-in by ``surplus`` deletes, and the protected ones it skipped.

    ``candidates`` are ``(index, instance id, protected)`` of the VMs not being deleted; the
    highest unprotected indexes go first. The first list is shorter than ``surplus`` when too
    few VMs are unprotected (the caller refuses the scale-in then).
    """
    ordered = sorted(candidates, reverse=True)
    victims = [iid for _, iid, protected in ordered if not protected][:surplus]
    skipped = [iid for _, iid, protected in ordered if protected]
    return victims, skipped
