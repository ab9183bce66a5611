"""Waiters that poll until VM creation or deletion has settled, and their tenacity parts.

See :mod:`aiovmss.waiters.strategies` for the building blocks of your own loops.
"""

from aiovmss.waiters._results import (
    CreationOutcome,
    CreationResult,
    DeletionOutcome,
    DeletionResult,
    Observation,
    ScaleSetDeletionResult,
    Verdict,
)
from aiovmss.waiters.creation import (
    DEFAULT_CREATE_POLL_INTERVAL,
    DEFAULT_CREATE_TIMEOUT,
    wait_for_instances_created,
    wait_for_scale_set_provisioning,
    wait_for_vm_creation,
)
from aiovmss.waiters.deletion import (
    DEFAULT_DELETE_POLL_INTERVAL,
    DEFAULT_DELETE_TIMEOUT,
    DEFAULT_HORIZON,
    wait_for_instances_deleted,
    wait_for_scale_set_deletion,
    wait_for_vm_deletion,
)
from aiovmss.waiters.fleet import NewInstances, wait_for_fleet_created, wait_for_fleet_deleted
from aiovmss.waiters.strategies import (
    ResilientCreateWindow,
    ResilientDeleteWindow,
    RetryIfCreationInProgress,
    RetryIfDeletionInProgress,
    StopAfterClockDelay,
    StopBeforeClockDelay,
    WaitRetryAfterOr,
    retry_if_creation_in_progress,
    retry_if_deletion_in_progress,
    stop_after_clock_delay,
    stop_before_clock_delay,
    wait_retry_after_or,
)

__all__ = [
    "DEFAULT_CREATE_POLL_INTERVAL",
    "DEFAULT_CREATE_TIMEOUT",
    "DEFAULT_DELETE_POLL_INTERVAL",
    "DEFAULT_DELETE_TIMEOUT",
    "DEFAULT_HORIZON",
    "CreationOutcome",
    "CreationResult",
    "DeletionOutcome",
    "DeletionResult",
    "NewInstances",
    "Observation",
    "ResilientCreateWindow",
    "ResilientDeleteWindow",
    "RetryIfCreationInProgress",
    "RetryIfDeletionInProgress",
    "ScaleSetDeletionResult",
    "StopAfterClockDelay",
    "StopBeforeClockDelay",
    "Verdict",
    "WaitRetryAfterOr",
    "retry_if_creation_in_progress",
    "retry_if_deletion_in_progress",
    "stop_after_clock_delay",
    "stop_before_clock_delay",
    "wait_for_fleet_created",
    "wait_for_fleet_deleted",
    "wait_for_instances_created",
    "wait_for_instances_deleted",
    "wait_for_scale_set_deletion",
    "wait_for_scale_set_provisioning",
    "wait_for_vm_creation",
    "wait_for_vm_deletion",
    "wait_retry_after_or",
]
