"""The scale set resource (``VirtualMachineScaleSet``), its PATCH body, ``Sku``, upgrade policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from aiovmss.models._base import READ_ONLY, ArmModel
from aiovmss.models._enums import EnumOrStr, OrchestrationMode, ProvisioningState, UpgradeMode
from aiovmss.models.profiles import VirtualMachineProfile
from aiovmss.models.resiliency import ResiliencyPolicy

__all__ = [
    "Sku",
    "UpgradePolicy",
    "VirtualMachineScaleSet",
    "VirtualMachineScaleSetProperties",
    "VirtualMachineScaleSetUpdate",
    "VirtualMachineScaleSetUpdateProperties",
]


class Sku(ArmModel):
    """``sku``: VM size (``name``), tier and instance count (``capacity``)."""

    name: str | None = None
    tier: str | None = None
    capacity: int | None = None


class UpgradePolicy(ArmModel):
    """``upgradePolicy``: how model changes reach existing VMs."""

    mode: EnumOrStr[UpgradeMode] | None = None
    rolling_upgrade_policy: dict[str, Any] | None = None
    automatic_os_upgrade_policy: dict[str, Any] | None = Field(
        default=None, alias="automaticOSUpgradePolicy"
    )


class _UpdatableProperties(ArmModel):
    """The scale set properties a PUT or a PATCH may set."""

    upgrade_policy: UpgradePolicy | None = None
    virtual_machine_profile: VirtualMachineProfile | None = None
    overprovision: bool | None = None
    single_placement_group: bool | None = None
    resiliency_policy: ResiliencyPolicy | None = None
    do_not_run_extensions_on_overprovisioned_vms: bool | None = Field(
        default=None, alias="doNotRunExtensionsOnOverprovisionedVMs"
    )
    scale_in_policy: dict[str, Any] | None = None
    automatic_repairs_policy: dict[str, Any] | None = None
    additional_capabilities: dict[str, Any] | None = None
    proximity_placement_group: dict[str, Any] | None = None
    zone_balance: bool | None = None


class VirtualMachineScaleSetProperties(_UpdatableProperties):
    """``properties`` of a scale set; the server sets ``provisioningState``, ``uniqueId``, ..."""

    orchestration_mode: EnumOrStr[OrchestrationMode] | None = None
    platform_fault_domain_count: int | None = None
    host_group: dict[str, Any] | None = None
    provisioning_state: EnumOrStr[ProvisioningState] | None = Field(
        default=None, json_schema_extra=READ_ONLY
    )
    unique_id: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    time_created: datetime | None = Field(default=None, json_schema_extra=READ_ONLY)


class VirtualMachineScaleSetUpdateProperties(_UpdatableProperties):
    """``properties`` of a PATCH body: only updatable fields, nothing read-only."""


class VirtualMachineScaleSet(ArmModel):
    """A scale set, as sent by PUT and as returned; ``id``, ``name``, ``type``, ``etag`` read-only.

    Example:
        ``vmss.properties.resiliency_policy.resilient_vm_creation_policy.enabled``
    """

    id: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    name: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    type: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    etag: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    location: str | None = None
    tags: dict[str, str] | None = None
    sku: Sku | None = None
    zones: list[str] | None = None
    plan: dict[str, Any] | None = None
    identity: dict[str, Any] | None = None
    extended_location: dict[str, Any] | None = None
    properties: VirtualMachineScaleSetProperties | None = None


class VirtualMachineScaleSetUpdate(ArmModel):
    """The PATCH body of a scale set: tags, sku, plan, identity and updatable properties."""

    tags: dict[str, str] | None = None
    sku: Sku | None = None
    plan: dict[str, Any] | None = None
    identity: dict[str, Any] | None = None
    properties: VirtualMachineScaleSetUpdateProperties | None = None
