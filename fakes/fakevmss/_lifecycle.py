"""The Resilient create/delete engine: VM attempts and delete rounds as events on the clock.

Every rule here is in docs/fake/emulation.md. Decisions (is this create retried, how does an
operation end) are pure functions at the top; :class:`Engine` schedules attempts and applies
outcomes. The engine never sees HTTP: the backend hands it VMs and operations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from fakevmss._errors import (
    INTERNAL_EXECUTION_ERROR,
    OS_PROVISIONING_TIMEOUT,
    RETRIABLE_CREATE_CODES,
)
from fakevmss._faults import DeleteFailure, Faults
from fakevmss._instants import Event, Instants
from fakevmss._state import DELETE_FAILED_TAG, VM, Operation, RoundEvent, ScaleSet
from fakevmss._timings import Timings

__all__ = ["Engine", "create_retry_allowed", "operation_error", "record_failure"]

#: Delete attempts of a VM tagged with ``DELETE_FAILED_TAG`` fail with this code.
TAG_DELETE_CODE = INTERNAL_EXECUTION_ERROR


class _ClockLike(Protocol):
    def now(self) -> float: ...
    def call_at(self, when: float, callback: Callable[[], None]) -> Any: ...


def create_retry_allowed(
    code: str | None,
    *,
    resilient: bool,
    attempts: int,
    max_attempts: int,
    now: float,
    deadline: float,
) -> bool:
    """Whether Resilient create starts another attempt after one that ended with ``code``."""
    return (
        code in RETRIABLE_CREATE_CODES and resilient and attempts < max_attempts and now < deadline
    )


def operation_error(
    kind: str, failures: list[dict[str, Any]], action: str | None = None
) -> dict[str, Any]:
    """The ARM error of an operation whose VMs failed: the first code, every failure in details."""
    ids = ", ".join(str(f.get("target")) for f in failures)
    # An update is a scale-out (creates) or a scale-in (deletes): each detail names its own verb.
    if action is not None:
        outcome = f"failed to {action}"
    else:
        outcome = {"create": "failed to create", "update": "failed"}.get(kind, "failed to delete")
    return {
        "code": failures[0]["code"],
        "message": f"{len(failures)} VM(s) {outcome}: {ids}. {failures[0]['message']}",
        "details": [dict(f) for f in failures],
    }


def record_failure(vm: VM, code: str, what: str) -> dict[str, Any]:
    """The ARM error of ``vm``'s failed ``what``, also kept as its ``last_error``.

    A create's message names the attempt count ("... after 4 attempts."): ARM has no field for
    it, so the fake says it where the service puts prose.
    """
    message = f"VM '{vm.name}' {what} failed with {code}"
    if what == "create":
        n = vm.create_attempts
        message += f" after {n} attempt{'s' if n != 1 else ''}"
    failure = {"code": code, "message": f"{message}.", "target": vm.instance_id}
    vm.last_error = failure
    return failure


def _nothing(vm: VM) -> None:
    """The default preemption: no VM operations run."""


def _tagged_to_fail(scale_set: ScaleSet) -> bool:
    return any(key.lower() == DELETE_FAILED_TAG.lower() for key in scale_set.tags)


class Engine:
    """Runs VM create and delete attempts on the clock and settles operations.

    Args:
        clock: a ``VirtualClock`` or ``RealClock``.
        timings: durations and limits.
        faults: the fault plan consulted at the start of every attempt.
        on_scale_set_gone: called when a deleting scale set loses its last VM.
    """

    def __init__(
        self,
        clock: _ClockLike,
        timings: Timings,
        faults: Faults,
        on_scale_set_gone: Callable[[ScaleSet], None],
    ) -> None:
        self.clock = clock
        self.timings = timings
        self.faults = faults
        self.on_scale_set_gone = on_scale_set_gone
        self.stopped = False
        # Shared with the wire layer (FakeCompute sets it) so timers and requests never interleave.
        self.lock: threading.RLock = threading.RLock()
        self._instants = Instants(clock, self)
        #: Ends a VM operation that a delete overtakes (the backend sets the VM engine's).
        self.preempt: Callable[[VM], None] = _nothing

    def stop(self) -> None:
        """Ignore every event still scheduled (used by ``FakeCompute.reset``)."""
        self.stopped = True

    def at(self, when: float, action: Callable[..., None], *args: Any) -> Event:
        """Run ``action(*args)`` at clock time ``when`` unless the engine was stopped by then.

        Events due at the same instant share one clock timer (``fakevmss._instants``).
        """
        return self._instants.at(when, action, *args)

    # -- operations -----------------------------------------------------------------------

    def track(self, op: Operation, instance_id: str) -> None:
        """Make ``op`` wait for the outcome of ``instance_id``."""
        op.pending.add(instance_id.lower())

    def resolve(self, op: Operation, instance_id: str, failure: dict[str, Any] | None) -> None:
        """Record one VM's outcome for ``op``; finish it when nothing is pending."""
        key = instance_id.lower()
        if key not in op.pending:
            return
        op.pending.discard(key)
        if failure is not None:
            op.failures.append(failure)
        self.finish_if_done(op)

    def finish_if_done(self, op: Operation) -> None:
        """End ``op`` (Succeeded, or Failed with the failures) once nothing is pending."""
        if op.pending or op.status != "InProgress":
            return
        op.status = "Failed" if op.failures else "Succeeded"
        op.end_time = self.clock.now()
        op.error = operation_error(op.kind, op.failures, op.action) if op.failures else None
        scale_set = op.scale_set
        if scale_set is None:
            return
        scale_set.active_ops -= 1
        scale_set.ops_failed = scale_set.ops_failed or bool(op.failures)
        if scale_set.active_ops == 0 and not scale_set.deleting:
            scale_set.provisioning_state = "Failed" if scale_set.ops_failed else "Succeeded"
            scale_set.state_time = op.end_time
            scale_set.ops_failed = False
            scale_set.etag += 1

    # -- create ---------------------------------------------------------------------------

    def start_create(self, vm: VM, op: Operation | None, *, resilient: bool) -> None:
        """Begin creating ``vm`` under the given policy snapshot; ``op`` awaits its outcome."""
        vm.create_resilient = resilient
        vm.create_deadline = self.clock.now() + self.timings.create_time_limit
        vm.create_op = op
        if op is not None:
            self.track(op, vm.instance_id)
        self._create_attempt(vm)

    def _create_attempt(self, vm: VM) -> None:
        now = self.clock.now()
        vm.create_attempts += 1
        code = self.faults.create_outcome(vm.scale_set.name, vm.instance_id, vm.create_attempts)
        if code in RETRIABLE_CREATE_CODES:
            duration = self.timings.provisioning_timeout(vm.os_type)
        else:
            duration = self.timings.create_duration(vm.os_type)
        vm.record(now, "create-attempt-started", vm.create_attempts)
        if vm.create_resilient and now + duration > vm.create_deadline:
            vm.timer = self.at(vm.create_deadline, Engine._create_stopped, self, vm, code)
        else:
            vm.timer = self.at(now + duration, Engine._create_attempt_ended, self, vm, code)

    def _create_attempt_ended(self, vm: VM, code: str | None) -> None:
        vm.timer = None
        now = self.clock.now()
        if code is None:
            vm.provisioning_state, vm.power_state = "Succeeded", "running"
            vm.record(now, "created", vm.create_attempts)
            self._settle_create(vm, None)
            return
        vm.record(now, "create-attempt-failed", vm.create_attempts, code=code)
        if create_retry_allowed(
            code,
            resilient=vm.create_resilient,
            attempts=vm.create_attempts,
            max_attempts=self.timings.create_max_attempts,
            now=now,
            deadline=vm.create_deadline,
        ):
            vm.create_code = code
            self._create_attempt(vm)
        else:
            self._create_failed(vm, code)

    def _create_stopped(self, vm: VM, running_code: str | None) -> None:
        """The 30-minute limit hit a running attempt: the VM fails with the last timeout."""
        vm.timer = None
        fallback = running_code if running_code in RETRIABLE_CREATE_CODES else None
        code = vm.create_code or fallback or OS_PROVISIONING_TIMEOUT
        vm.record(self.clock.now(), "create-attempt-stopped", vm.create_attempts, code=code)
        self._create_failed(vm, code)

    def _create_failed(self, vm: VM, code: str) -> None:
        vm.provisioning_state, vm.power_state = "Failed", "stopped"
        vm.create_code = code
        vm.create_failed = True
        vm.record(self.clock.now(), "create-failed", vm.create_attempts, code=code)
        self._settle_create(vm, record_failure(vm, code, "create"))

    def _settle_create(self, vm: VM, failure: dict[str, Any] | None) -> None:
        vm.etag += 1
        op, vm.create_op = vm.create_op, None
        if op is not None:
            self.resolve(op, vm.instance_id, failure)

    def _cancel_create(self, vm: VM) -> None:
        """A delete overtakes a running create: the create ends without an outcome."""
        if vm.timer is not None:
            vm.timer.cancel()
            vm.timer = None
        vm.record(self.clock.now(), "create-canceled", vm.create_attempts)
        op, vm.create_op = vm.create_op, None
        if op is not None:
            self.resolve(op, vm.instance_id, None)

    # -- delete ---------------------------------------------------------------------------

    def request_delete(self, vm: VM, op: Operation | None, *, force: bool) -> None:
        """A user's delete of ``vm`` (VM, instances, scale set or scale-in).

        A VM already being deleted joins its running attempt or next retry round; otherwise a
        new delete starts under the scale set's current deletion policy (a snapshot).
        """
        if op is not None:
            self.track(op, vm.instance_id)
            vm.delete_waiters += (op,)
        if vm.deleting:
            return
        if vm.provisioning_state == "Creating" and vm.delete_policy is None:
            self._cancel_create(vm)
        if vm.activity is not None:
            self.preempt(vm)
        vm.delete_policy = vm.scale_set.deletion_policy_enabled
        vm.delete_retries = 0
        vm.delete_exhausted = False
        vm.record(self.clock.now(), "delete-requested", vm.delete_attempts, forced=force)
        self._delete_attempt(vm, forced=force)

    def _delete_attempt(self, vm: VM, *, forced: bool) -> None:
        now = self.clock.now()
        vm.delete_attempts += 1
        vm.delete_running = True
        vm.provisioning_state = "Deleting"
        vm.etag += 1
        vm.record(now, "delete-attempt-started", vm.delete_attempts, forced=forced)
        failure: DeleteFailure | None
        if _tagged_to_fail(vm.scale_set):
            failure = DeleteFailure(TAG_DELETE_CODE)
        else:
            failure = self.faults.delete_outcome(
                vm.scale_set.name, vm.instance_id, vm.delete_attempts
            )
        end = now + self.timings.delete_attempt
        vm.timer = self.at(end, Engine._delete_attempt_ended, self, vm, failure, forced)

    def _delete_attempt_ended(self, vm: VM, failure: DeleteFailure | None, forced: bool) -> None:
        vm.delete_running = False
        vm.timer = None
        if failure is None:
            self._vm_gone(vm)
            return
        now = self.clock.now()
        retried = bool(vm.delete_policy) and vm.delete_retries < self.timings.delete_max_retries
        # The fault's fallback state shows only while a retry is due; a failure that ends the
        # delete (policy off, or retries spent) leaves the VM Failed (docs/fake/emulation.md), so a
        # waiter can tell it from a VM still being deleted.
        vm.provisioning_state = failure.fallback_state if retried else "Failed"
        if vm.provisioning_state == "Running":
            vm.power_state = "running"
        elif vm.power_state != "deallocated":  # a deallocated VM stays deallocated
            vm.power_state = "stopped"
        vm.etag += 1
        vm.record(
            now, "delete-attempt-failed", vm.delete_attempts, code=failure.code, forced=forced
        )
        self._notify(vm, record_failure(vm, failure.code, "delete"))
        if retried:
            due = now + self.timings.delete_retry_delay(vm.delete_retries + 1)
            vm.retry_due = due
            vm.scale_set.retry_waiting[vm.instance_id.lower()] = vm
            self._arm_round(vm.scale_set, due)
            return
        if vm.delete_policy:
            vm.delete_exhausted = True
            vm.provisioning_state = "Failed"
            vm.record(now, "delete-retries-exhausted", vm.delete_attempts, code=failure.code)
        self._check_stuck(vm.scale_set)

    def _notify(self, vm: VM, failure: dict[str, Any] | None) -> None:
        waiters, vm.delete_waiters = vm.delete_waiters, ()
        for op in waiters:
            self.resolve(op, vm.instance_id, failure)

    def _vm_gone(self, vm: VM) -> None:
        scale_set = vm.scale_set
        key = vm.instance_id.lower()
        scale_set.vms.pop(key, None)
        scale_set.graveyard[key] = vm
        vm.exists = False
        vm.provisioning_state, vm.power_state = "Deleted", "deallocated"
        vm.record(self.clock.now(), "deleted", vm.delete_attempts)
        scale_set.etag += 1
        self._notify(vm, None)
        if scale_set.deleting and not scale_set.vms:
            self.scale_set_gone(scale_set)
        else:
            self._check_stuck(scale_set)

    def scale_set_gone(self, scale_set: ScaleSet) -> None:
        """Remove a deleting scale set whose VMs are all gone."""
        scale_set.exists = False
        scale_set.deleting = False
        if scale_set.round_timer is not None:
            scale_set.round_timer.cancel()
        self.on_scale_set_gone(scale_set)

    def _check_stuck(self, scale_set: ScaleSet) -> None:
        """A deleting scale set whose remaining VMs have no retries left ends Failed."""
        if not scale_set.deleting:
            return
        if any(vm.deleting for vm in scale_set.vms.values()):
            return
        scale_set.deleting = False
        scale_set.provisioning_state = "Failed"
        scale_set.state_time = self.clock.now()
        scale_set.etag += 1

    # -- resilient delete rounds ----------------------------------------------------------

    def _arm_round(self, scale_set: ScaleSet, due: float) -> None:
        """Make sure a round of ``scale_set`` runs at ``due`` or earlier."""
        if scale_set.round_at is not None and scale_set.round_at <= due:
            return
        if scale_set.round_timer is not None:
            scale_set.round_timer.cancel()
        scale_set.round_at = due
        scale_set.round_timer = self.at(due, Engine._round, self, scale_set)

    def _round(self, scale_set: ScaleSet) -> None:
        """One forced delete call covering every VM of the scale set due by now."""
        now = self.clock.now()
        scale_set.round_timer = None
        scale_set.round_at = None
        due = [
            vm
            for vm in scale_set.retry_waiting.values()
            if vm.retry_due is not None and vm.retry_due <= now
        ]
        due.sort(key=lambda vm: vm.index)
        for vm in due:
            del scale_set.retry_waiting[vm.instance_id.lower()]
            vm.retry_due = None
            vm.delete_retries += 1
            self._delete_attempt(vm, forced=True)
        if due:
            ids = [vm.instance_id for vm in due]
            scale_set.history.append(RoundEvent(now, "delete-round", ids))
        if scale_set.retry_waiting:
            nxt = min(vm.retry_due or now for vm in scale_set.retry_waiting.values())
            self._arm_round(scale_set, nxt)
