"""Runs VM operations on the clock.

Each VM is ``Updating`` for the operation's duration, then reaches its end state, or ``Failed``
if a fault says so; a delete preempts it.

The decisions (who may take what, for how long, showing which power state) are the pure ones in
``_vm_ops``; this module only applies them. Rules in docs/fake/lifecycle.md.
"""

from __future__ import annotations

from typing import Any

from fakevmss._faults import Faults
from fakevmss._lifecycle import Engine, record_failure
from fakevmss._state import VM, Activity, Operation
from fakevmss._timings import Timings
from fakevmss._vm_ops import RULES, VMOp, VMStanding, duration, is_noop

__all__ = ["OPERATION_PREEMPTED", "VMEngine", "standing"]

#: The code of a VM operation that a delete overtook (the service's name for it).
OPERATION_PREEMPTED = "OperationPreempted"


def standing(vm: VM) -> VMStanding:
    """What ``_vm_ops.refusal`` reads of ``vm``."""
    return VMStanding(
        name=vm.name,
        power_state=vm.power_state,
        creating=vm.provisioning_state == "Creating",
        marked_for_deletion=vm.marked_for_deletion,
        busy_with=None if vm.activity is None else RULES[VMOp(vm.activity.operation)].arm_name,
        create_failed=vm.create_failed,
    )


class VMEngine:
    """Starts VM operations, ends them on the clock, and settles the LRO that awaits each VM.

    Args:
        engine: the Resilient create/delete engine (its clock, timers and operation tracking).
        timings: the durations.
        faults: consulted once per run of an operation.
    """

    def __init__(self, engine: Engine, timings: Timings, faults: Faults) -> None:
        self.engine = engine
        self.timings = timings
        self.faults = faults
        engine.preempt = self.preempt

    def begin(
        self, vm: VM, op_kind: VMOp, op: Operation | None, *, skip_shutdown: bool = False
    ) -> None:
        """Start ``op_kind`` on ``vm`` (already checked by ``refusal``); ``op`` awaits it.

        An operation with nothing to do (starting a running VM) records nothing and leaves
        ``op`` nothing to wait for.
        """
        if is_noop(op_kind, vm.power_state, create_failed=vm.create_failed):
            return
        rule = RULES[op_kind]
        runs = vm.operation_runs if vm.operation_runs is not None else {}
        vm.operation_runs = runs
        run = runs[op_kind.value] = runs.get(op_kind.value, 0) + 1
        code = self.faults.operation_outcome(op_kind.value, vm.scale_set.name, vm.instance_id, run)
        now = self.engine.clock.now()
        vm.activity = Activity(
            op_kind.value, op, vm.power_state, vm.scale_set.model_version, run, code
        )
        vm.provisioning_state = "Updating"
        if rule.transit is not None:
            vm.power_state = rule.transit
        vm.etag += 1
        vm.record(now, "operation-started", run, operation=op_kind.value)
        if op is not None:
            self.engine.track(op, vm.instance_id)
        end = now + duration(op_kind, self.timings, skip_shutdown=skip_shutdown)
        vm.timer = self.engine.at(end, lambda: self._ended(vm))

    def _ended(self, vm: VM) -> None:
        activity = vm.activity
        if activity is None:  # preempted meanwhile
            return
        vm.timer, vm.activity = None, None
        rule = RULES[VMOp(activity.operation)]
        failure: dict[str, Any] | None = None
        if activity.code is None:
            self._succeeded(vm, activity)
            event = "operation-succeeded"
        else:
            # A failed management operation leaves the VM as it was, in Failed.
            vm.provisioning_state, vm.power_state = "Failed", activity.power_before
            failure = record_failure(vm, activity.code, rule.arm_name)
            event = "operation-failed"
        vm.etag += 1
        vm.record(
            self.engine.clock.now(), event, activity.attempt,
            code=activity.code, operation=activity.operation,
        )  # fmt: skip
        if activity.op is not None:
            self.engine.resolve(activity.op, vm.instance_id, failure)

    @staticmethod
    def _succeeded(vm: VM, activity: Activity) -> None:
        """The end state of a run that succeeded: power, model, provisioning."""
        rule = RULES[VMOp(activity.operation)]
        vm.provisioning_state = "Succeeded"
        if rule.result is not None:
            vm.power_state = rule.result
        if rule.applies_model:
            vm.model_version = max(vm.model_version, activity.model_version)
        if rule.reprovisions:
            vm.create_failed, vm.last_error = False, None

    def preempt(self, vm: VM) -> None:
        """End ``vm``'s running operation because a delete overtook it (``OperationPreempted``)."""
        activity = vm.activity
        if activity is None:
            return
        if vm.timer is not None:
            vm.timer.cancel()
        vm.timer, vm.activity = None, None
        vm.power_state = activity.power_before
        failure = {
            "code": OPERATION_PREEMPTED,
            "message": f"The operation on VM '{vm.name}' was preempted by a delete of the VM.",
            "target": vm.instance_id,
        }
        vm.record(
            self.engine.clock.now(), "operation-preempted", activity.attempt,
            code=OPERATION_PREEMPTED, operation=activity.operation,
        )  # fmt: skip
        if activity.op is not None:
            self.engine.resolve(activity.op, vm.instance_id, failure)
