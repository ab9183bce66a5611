"""A scale set VM (``VirtualMachineScaleSetVM``) and its instance view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from aiovmss.models._base import READ_ONLY, ArmModel
from aiovmss.models._enums import (
    EnumOrStr,
    ProvisioningState,
    ResilientVMDeletionStatus,
    StatusLevelTypes,
)
from aiovmss.models.profiles import NetworkProfile, OSProfile, StorageProfile
from aiovmss.models.scale_set import Sku

__all__ = [
    "InstanceViewStatus",
    "VirtualMachineScaleSetVM",
    "VirtualMachineScaleSetVMInstanceRequiredIDs",
    "VirtualMachineScaleSetVMInstanceView",
    "VirtualMachineScaleSetVMProperties",
]


class InstanceViewStatus(ArmModel):
    """One ``statuses`` entry: ``code`` such as ``ProvisioningState/succeeded``, level, time."""

    code: str | None = None
    level: EnumOrStr[StatusLevelTypes] | None = None
    display_status: str | None = None
    message: str | None = None
    time: datetime | None = None


class VirtualMachineScaleSetVMInstanceView(ArmModel):
    """``properties.instanceView`` of a VM (``$expand=instanceView``)."""

    platform_update_domain: int | None = None
    platform_fault_domain: int | None = None
    rdp_thumb_print: str | None = None
    computer_name: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    hyper_v_generation: str | None = None
    placement_group_id: str | None = None
    assigned_host: str | None = None
    vm_agent: dict[str, Any] | None = None
    vm_health: dict[str, Any] | None = None
    maintenance_redeploy_status: dict[str, Any] | None = None
    boot_diagnostics: dict[str, Any] | None = None
    disks: list[dict[str, Any]] | None = None
    extensions: list[dict[str, Any]] | None = None
    statuses: list[InstanceViewStatus] | None = None


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
    model_definition_applied: str | None = None
    hardware_profile: dict[str, Any] | None = None
    storage_profile: StorageProfile | None = None
    os_profile: OSProfile | None = None
    network_profile: NetworkProfile | None = None
    network_profile_configuration: NetworkProfile | None = None
    user_data: str | None = None
    diagnostics_profile: dict[str, Any] | None = None
    security_profile: dict[str, Any] | None = None
    protection_policy: dict[str, Any] | None = None
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
    sku: Sku | None = None
    zones: list[str] | None = None
    plan: dict[str, Any] | None = None
    identity: dict[str, Any] | None = None
    resources: list[dict[str, Any]] | None = None
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


class VirtualMachineScaleSetVMInstanceRequiredIDs(ArmModel):
    """The body of delete instances: ``{"instanceIds": [...]}``."""

    instance_ids: list[str]
