"""What the waiters saw and how each wait ended: observations, outcomes and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "CreationOutcome",
    "CreationResult",
    "DeletionOutcome",
    "DeletionResult",
    "Observation",
    "ScaleSetDeletionResult",
    "Verdict",
]


class Verdict(StrEnum):
    """What one observation means for the wait: keep polling, or settled one way or the other."""

    IN_PROGRESS = "InProgress"
    DELETED = "Deleted"
    NOT_FOUND = "NotFound"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class DeletionOutcome(StrEnum):
    """How a deletion wait ended; ``TIMED_OUT`` only appears on ``WaitTimeoutError.result``.

    ``DELETED``: the wait saw the VM, then saw it gone. ``NOT_FOUND``: gone at the wait's first
    answer, never seen: a VM deleted before the wait started and an instance id that never
    existed look the same (``docs/waiters.md``).
    """

    DELETED = "Deleted"
    NOT_FOUND = "NotFound"
    FAILED = "Failed"
    TIMED_OUT = "TimedOut"


class CreationOutcome(StrEnum):
    """How a creation wait ended; ``TIMED_OUT`` only appears on ``WaitTimeoutError.result``."""

    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    TIMED_OUT = "TimedOut"


@dataclass(frozen=True, slots=True)
class Observation:
    """One poll of one resource, on the client's clock.

    ``http_status`` is 200 when the resource was seen (by GET or in a list), 404 when it was
    gone, the error status (429, 5xx) when the poll failed, or ``None`` when no response came
    back. ``provisioning_state`` and ``deletion_status`` are the wire strings.
    """

    time: float
    provisioning_state: str | None = None
    deletion_status: str | None = None
    http_status: int | None = 200
    retry_after: float | None = None
    error_code: str | None = None
    verdict: Verdict = Verdict.IN_PROGRESS


@dataclass(slots=True)
class DeletionResult:
    """How the deletion of one VM settled, and every poll that led there.

    ``seen`` is True when some poll found the VM, so its 404 means the wait saw it go
    (``Deleted``); False with outcome ``NotFound``: it was never there while the wait ran.
    """

    instance_id: str
    outcome: DeletionOutcome
    polls: int
    elapsed: float
    last_seen: Any = None
    history: list[Observation] = field(default_factory=list)
    seen: bool = False

    @property
    def deleted(self) -> bool:
        """True when the wait saw the VM and then saw it gone (outcome ``Deleted``)."""
        return self.outcome is DeletionOutcome.DELETED

    @property
    def gone(self) -> bool:
        """True when the VM is not there: ``Deleted``, or ``NotFound`` (never seen)."""
        return self.outcome in (DeletionOutcome.DELETED, DeletionOutcome.NOT_FOUND)


@dataclass(slots=True)
class CreationResult:
    """How the creation of a VM (``name`` = instance id) or a scale set settled.

    For a VM that settled ``Failed``, ``error_code`` is the ARM error code of the failure
    (``OSProvisioningTimedOut``, ``AllocationFailed``, ...) and ``attempts`` how many create
    attempts Resilient create made, when the service (or the fake) says; else ``None``.
    """

    name: str
    outcome: CreationOutcome
    polls: int
    elapsed: float
    last_seen: Any = None
    history: list[Observation] = field(default_factory=list)
    error_code: str | None = None
    attempts: int | None = None

    @property
    def succeeded(self) -> bool:
        """True when the resource settled ``Succeeded``."""
        return self.outcome is CreationOutcome.SUCCEEDED


@dataclass(slots=True)
class ScaleSetDeletionResult:
    """How the deletion of a whole scale set settled: its own polls and each VM's result.

    ``seen`` is True when the wait found the scale set before it went (always, for a result
    that was returned: a scale set missing when the wait starts raises instead).
    """

    name: str
    outcome: DeletionOutcome
    polls: int
    elapsed: float
    last_seen: Any = None
    history: list[Observation] = field(default_factory=list)
    vms: dict[str, DeletionResult] = field(default_factory=dict)
    seen: bool = False

    @property
    def deleted(self) -> bool:
        """True when the scale set is gone (404)."""
        return self.outcome is DeletionOutcome.DELETED
