"""A scale set VM (``VirtualMachineScaleSetVM``): the body of get, list and the VM's PUT.

``InstanceViewStatus``, ``VirtualMachineScaleSetVMInstanceView`` (now in ``instance_view``) and
``VirtualMachineScaleSetVMInstanceRequiredIDs`` (now in ``actions``) are still importable here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from aiovmss.models._base import READ_ONLY, ArmModel
from aiovmss.models._enums import EnumOrStr, ProvisioningState, ResilientVMDeletionStatus
from aiovmss.models.actions import VirtualMachineScaleSetVMInstanceRequiredIDs
from aiovmss.models.instance_view import InstanceViewStatus, VirtualMachineScaleSetVMInstanceView
from aiovmss.models.profiles import NetworkProfile, OSProfile, StorageProfile
from aiovmss.models.scale_set import Sku

__all__ = [
    "InstanceViewStatus",
    "VirtualMachineScaleSetVM",
    "VirtualMachineScaleSetVMInstanceRequiredIDs",
    "VirtualMachineScaleSetVMInstanceView",
    "VirtualMachineScaleSetVMProperties",
    "VirtualMachineScaleSetVMProtectionPolicy",
]


class VirtualMachineScaleSetVMProtectionPolicy(ArmModel):
    """``protectionPolicy`` of a VM: keep it out of scale-in, or out of scale-set-wide actions."""

    protect_from_scale_in: bool | None = None
    protect_from_scale_set_actions: bool | None = None


class VirtualMachineScaleSetVMProperties(ArmModel):
    """``properties`` of a scale set VM."""

    provisioning_state: EnumOrStr[ProvisioningState] | None = Field(
        default=None, json_schema_extra=READ_ONLY
    )
    latest_model_applied: bool | None = Field(default=None, json_schema_extra=READ_ONLY)
    vm_id: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    time_created: datetime | None = Field(default=None, json_schema_extra=READ_ONLY)
    instance_view: VirtualMachineScaleSetVMInstanceView | None = Field(
        default=None, json_schema_extra=READ_ONLY
    )
    resilient_vm_deletion_status: EnumOrStr[ResilientVMDeletionStatus] | None = Field(
        default=None, alias="resilientVMDeletionStatus", json_schema_extra=READ_ONLY
    )
    model_definition_applied: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    hardware_profile: dict[str, Any] | None = None
    storage_profile: StorageProfile | None = None
    os_profile: OSProfile | None = None
    network_profile: NetworkProfile | None = None
    network_profile_configuration: NetworkProfile | None = None
    user_data: str | None = None
    diagnostics_profile: dict[str, Any] | None = None
    security_profile: dict[str, Any] | None = None
    protection_policy: VirtualMachineScaleSetVMProtectionPolicy | None = None
    additional_capabilities: dict[str, Any] | None = None
    availability_set: dict[str, Any] | None = None
    license_type: str | None = None


class VirtualMachineScaleSetVM(ArmModel):
    """A VM of a scale set, as returned by get and list.

    ``instance_id`` is a ``str`` (the service always sends it; ``""`` on a model built by hand).
    ``provisioning_state`` and ``resilient_vm_deletion_status`` read through ``properties``
    (``None`` when absent); the wire nesting stays in ``properties``.
    """

    id: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    name: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    type: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    etag: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    # The service sends instanceId on every VM, so it is a plain str (mypy --strict callers need
    # no None check); "" only on a model built by hand. Read-only: never sent.
    instance_id: str = Field(default="", json_schema_extra=READ_ONLY)
    location: str | None = None
    tags: dict[str, str] | None = None
    sku: Sku | None = Field(default=None, json_schema_extra=READ_ONLY)
    zones: list[str] | None = Field(default=None, json_schema_extra=READ_ONLY)
    plan: dict[str, Any] | None = None
    identity: dict[str, Any] | None = None
    resources: list[dict[str, Any]] | None = Field(default=None, json_schema_extra=READ_ONLY)
    properties: VirtualMachineScaleSetVMProperties | None = None

    @property
    def provisioning_state(self) -> ProvisioningState | str | None:
        """``properties.provisioningState``, or ``None``."""
        return None if self.properties is None else self.properties.provisioning_state

    @property
    def resilient_vm_deletion_status(self) -> ResilientVMDeletionStatus | str | None:
        """``properties.resilientVMDeletionStatus`` (2024-07-01 only), or ``None``."""
        props = self.properties
        return None if props is None else props.resilient_vm_deletion_status
