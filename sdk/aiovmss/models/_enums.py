"""The wire's string enums: case-insensitive, tolerant of spacing, unknown values kept as ``str``.

ARM is loose with its own spellings (``"succeeded"`` in spec examples, ``"In Progress"`` in the
seed page), and new values appear in new api-versions. So every enum here parses
case-insensitively with spaces and underscores ignored, compares to plain strings the same way,
and a model field typed :data:`EnumOrStr` keeps a value it does not know as the plain string it
came as (and sends it back unchanged) instead of failing validation.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import Field

__all__ = [
    "ArmEnum",
    "CachingTypes",
    "DiskCreateOptionTypes",
    "EnumOrStr",
    "FeatureState",
    "HyperVGenerationType",
    "MaintenanceOperationResultCodeTypes",
    "OperatingSystemTypes",
    "OperationStatusValue",
    "OrchestrationMode",
    "OrchestrationServiceNames",
    "OrchestrationServiceState",
    "ProvisioningState",
    "ResilientVMDeletionStatus",
    "StatusLevelTypes",
    "UpgradeMode",
    "VirtualMachineScaleSetSkuScaleType",
]


def _fold(value: str) -> str:
    """The comparison key of a spelling: no spaces or underscores, case-folded."""
    return value.replace(" ", "").replace("_", "").casefold()


class ArmEnum(StrEnum):
    """Base of the wire enums: lenient parsing and case-insensitive comparison with ``str``.

    ``ProvisioningState("succeeded") is ProvisioningState.SUCCEEDED`` and
    ``ProvisioningState.SUCCEEDED == "SUCCEEDED"``. The hash stays the hash of the canonical
    spelling, so dict and set lookups by the canonical string keep working.
    """

    @classmethod
    def _missing_(cls, value: object) -> ArmEnum | None:
        if not isinstance(value, str):
            return None
        folded = _fold(value)
        for member in cls:
            if _fold(member.value) == folded:
                return member
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return _fold(self.value) == _fold(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, str):
            return _fold(self.value) != _fold(other)
        return NotImplemented

    def __hash__(self) -> int:
        return str.__hash__(self)


E = TypeVar("E", bound=ArmEnum)

# Try the enum first (exact or lenient match), fall back to the raw string: never an error.
EnumOrStr = Annotated[E | str, Field(union_mode="left_to_right")]
"""A field type holding a known enum member, or the unknown string exactly as received."""


class ProvisioningState(ArmEnum):
    """``provisioningState`` of a scale set or VM."""

    CREATING = "Creating"
    UPDATING = "Updating"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    DELETING = "Deleting"
    CANCELED = "Canceled"
    RUNNING = "Running"
    MIGRATING = "Migrating"


class ResilientVMDeletionStatus(ArmEnum):
    """``resilientVMDeletionStatus`` of a VM (2024-07-01); ``"In Progress"`` parses too."""

    ENABLED = "Enabled"
    DISABLED = "Disabled"
    IN_PROGRESS = "InProgress"
    FAILED = "Failed"


class OrchestrationMode(ArmEnum):
    """``orchestrationMode`` of a scale set."""

    UNIFORM = "Uniform"
    FLEXIBLE = "Flexible"


class OperatingSystemTypes(ArmEnum):
    """``osType`` of an OS disk."""

    WINDOWS = "Windows"
    LINUX = "Linux"


class UpgradeMode(ArmEnum):
    """``upgradePolicy.mode`` of a scale set."""

    AUTOMATIC = "Automatic"
    MANUAL = "Manual"
    ROLLING = "Rolling"


class OperationStatusValue(ArmEnum):
    """``status`` of an ARM async operation."""

    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELED = "Canceled"


class FeatureState(ArmEnum):
    """``properties.state`` of a Microsoft.Features feature registration."""

    REGISTERED = "Registered"
    REGISTERING = "Registering"
    NOT_REGISTERED = "NotRegistered"
    UNREGISTERING = "Unregistering"
    UNREGISTERED = "Unregistered"
    PENDING = "Pending"


class StatusLevelTypes(ArmEnum):
    """``level`` of an instance-view status."""

    INFO = "Info"
    WARNING = "Warning"
    ERROR = "Error"


class CachingTypes(ArmEnum):
    """``caching`` of a disk."""

    NONE = "None"
    READ_ONLY = "ReadOnly"
    READ_WRITE = "ReadWrite"


class DiskCreateOptionTypes(ArmEnum):
    """``createOption`` of a disk."""

    FROM_IMAGE = "FromImage"
    EMPTY = "Empty"
    ATTACH = "Attach"
    COPY = "Copy"
    RESTORE = "Restore"


class HyperVGenerationType(ArmEnum):
    """``hyperVGeneration`` of a VM's instance view."""

    V1 = "V1"
    V2 = "V2"


class MaintenanceOperationResultCodeTypes(ArmEnum):
    """``lastOperationResultCode`` of a VM's maintenance redeploy status."""

    NONE = "None"
    RETRY_LATER = "RetryLater"
    MAINTENANCE_ABORTED = "MaintenanceAborted"
    MAINTENANCE_COMPLETED = "MaintenanceCompleted"


class OrchestrationServiceNames(ArmEnum):
    """``serviceName`` of a scale set's orchestration service."""

    AUTOMATIC_REPAIRS = "AutomaticRepairs"


class OrchestrationServiceState(ArmEnum):
    """``serviceState`` of a scale set's orchestration service."""

    NOT_RUNNING = "NotRunning"
    RUNNING = "Running"
    SUSPENDED = "Suspended"


class VirtualMachineScaleSetSkuScaleType(ArmEnum):
    """``scaleType`` of a scale set SKU's capacity."""

    AUTOMATIC = "Automatic"
    NONE = "None"
