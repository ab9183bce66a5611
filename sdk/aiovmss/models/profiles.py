"""The VM profile shared by scale sets and their VMs: OS, storage and network profiles."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from aiovmss.models._base import ArmModel
from aiovmss.models._enums import (
    CachingTypes,
    DiskCreateOptionTypes,
    EnumOrStr,
    OperatingSystemTypes,
)

__all__ = [
    "DataDisk",
    "ImageReference",
    "ManagedDiskParameters",
    "NetworkInterfaceReference",
    "NetworkProfile",
    "OSDisk",
    "OSProfile",
    "StorageProfile",
    "VirtualMachineProfile",
    "VirtualMachineScaleSetIPConfiguration",
    "VirtualMachineScaleSetNetworkConfiguration",
    "VirtualMachineScaleSetNetworkConfigurationProperties",
]


class OSProfile(ArmModel):
    """``osProfile``: computer names, admin account, custom data, OS configuration.

    ``admin_password`` and ``custom_data`` are secrets: sent on the wire, never shown in repr.
    """

    computer_name_prefix: str | None = None
    computer_name: str | None = None
    admin_username: str | None = None
    admin_password: str | None = Field(default=None, repr=False)
    custom_data: str | None = Field(default=None, repr=False)
    linux_configuration: dict[str, Any] | None = None
    windows_configuration: dict[str, Any] | None = None
    secrets: list[dict[str, Any]] | None = None
    allow_extension_operations: bool | None = None
    require_guest_provision_signal: bool | None = None


class ImageReference(ArmModel):
    """``imageReference``: a marketplace, gallery or custom image."""

    id: str | None = None
    publisher: str | None = None
    offer: str | None = None
    sku: str | None = None
    version: str | None = None
    exact_version: str | None = None
    shared_gallery_image_id: str | None = None
    community_gallery_image_id: str | None = None


class ManagedDiskParameters(ArmModel):
    """``managedDisk``: storage account type (and the disk id on a VM)."""

    id: str | None = None
    storage_account_type: str | None = None


class OSDisk(ArmModel):
    """``osDisk``: the OS disk of the profile."""

    name: str | None = None
    os_type: EnumOrStr[OperatingSystemTypes] | None = None
    create_option: EnumOrStr[DiskCreateOptionTypes] | None = None
    caching: EnumOrStr[CachingTypes] | None = None
    managed_disk: ManagedDiskParameters | None = None
    disk_size_gb: int | None = Field(default=None, alias="diskSizeGB")
    write_accelerator_enabled: bool | None = None
    delete_option: str | None = None


class DataDisk(ArmModel):
    """One entry of ``dataDisks``."""

    lun: int | None = None
    name: str | None = None
    create_option: EnumOrStr[DiskCreateOptionTypes] | None = None
    caching: EnumOrStr[CachingTypes] | None = None
    managed_disk: ManagedDiskParameters | None = None
    disk_size_gb: int | None = Field(default=None, alias="diskSizeGB")
    write_accelerator_enabled: bool | None = None
    delete_option: str | None = None
    to_be_detached: bool | None = None


class StorageProfile(ArmModel):
    """``storageProfile``: image, OS disk and data disks."""

    image_reference: ImageReference | None = None
    os_disk: OSDisk | None = None
    data_disks: list[DataDisk] | None = None
    disk_controller_type: str | None = None


class VirtualMachineScaleSetIPConfiguration(ArmModel):
    """One ``ipConfigurations`` entry of a NIC configuration (``properties`` kept as a dict)."""

    name: str | None = None
    properties: dict[str, Any] | None = None


class VirtualMachineScaleSetNetworkConfigurationProperties(ArmModel):
    """``properties`` of a NIC configuration."""

    primary: bool | None = None
    enable_accelerated_networking: bool | None = None
    enable_ip_forwarding: bool | None = Field(default=None, alias="enableIPForwarding")
    enable_fpga: bool | None = None
    delete_option: str | None = None
    dns_settings: dict[str, Any] | None = None
    network_security_group: dict[str, Any] | None = None
    ip_configurations: list[VirtualMachineScaleSetIPConfiguration] | None = None


class VirtualMachineScaleSetNetworkConfiguration(ArmModel):
    """One ``networkInterfaceConfigurations`` entry (a dict validates into it)."""

    name: str | None = None
    properties: VirtualMachineScaleSetNetworkConfigurationProperties | None = None


class NetworkInterfaceReference(ArmModel):
    """One ``networkInterfaces`` entry of a VM: the NIC's id (and ``primary``/``deleteOption``)."""

    id: str | None = None
    properties: dict[str, Any] | None = None


class NetworkProfile(ArmModel):
    """``networkProfile``: NIC configurations (scale set) or NIC references (VM)."""

    network_interface_configurations: list[VirtualMachineScaleSetNetworkConfiguration] | None = None
    network_interfaces: list[NetworkInterfaceReference] | None = None
    network_api_version: str | None = None
    health_probe: dict[str, Any] | None = None


class VirtualMachineProfile(ArmModel):
    """``virtualMachineProfile`` of a scale set: what each VM is made of."""

    os_profile: OSProfile | None = None
    storage_profile: StorageProfile | None = None
    network_profile: NetworkProfile | None = None
    user_data: str | None = None
    diagnostics_profile: dict[str, Any] | None = None
    extension_profile: dict[str, Any] | None = None
    security_profile: dict[str, Any] | None = None
    billing_profile: dict[str, Any] | None = None
    priority: str | None = None
    eviction_policy: str | None = None
    license_type: str | None = None
