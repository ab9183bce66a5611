"""Typed pydantic models of the Microsoft.Compute scale set wire format.

Attributes are snake_case, aliases are the wire names, nesting mirrors the wire
(``vmss.properties.resiliency_policy.resilient_vm_creation_policy.enabled``). Every model has
``Model.from_wire(bytes | str | dict)`` and ``model.to_wire() -> dict`` (request body: unset and
read-only fields omitted, unknown fields kept).
"""

from aiovmss.models._base import ArmModel
from aiovmss.models._enums import (
    ArmEnum,
    CachingTypes,
    DiskCreateOptionTypes,
    EnumOrStr,
    FeatureState,
    OperatingSystemTypes,
    OperationStatusValue,
    OrchestrationMode,
    ProvisioningState,
    ResilientVMDeletionStatus,
    StatusLevelTypes,
    UpgradeMode,
)
from aiovmss.models.features import FeatureProperties, FeatureResult
from aiovmss.models.operation import ErrorDetail, ErrorResponse, OperationStatus
from aiovmss.models.paging import (
    Page,
    VirtualMachineScaleSetListResult,
    VirtualMachineScaleSetVMListResult,
)
from aiovmss.models.profiles import (
    DataDisk,
    ImageReference,
    ManagedDiskParameters,
    NetworkInterfaceReference,
    NetworkProfile,
    OSDisk,
    OSProfile,
    StorageProfile,
    VirtualMachineProfile,
    VirtualMachineScaleSetIPConfiguration,
    VirtualMachineScaleSetNetworkConfiguration,
    VirtualMachineScaleSetNetworkConfigurationProperties,
)
from aiovmss.models.resiliency import (
    ResiliencyPolicy,
    ResilientVMCreationPolicy,
    ResilientVMDeletionPolicy,
)
from aiovmss.models.scale_set import (
    Sku,
    UpgradePolicy,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetProperties,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetUpdateProperties,
)
from aiovmss.models.vm import (
    InstanceViewStatus,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceRequiredIDs,
    VirtualMachineScaleSetVMInstanceView,
    VirtualMachineScaleSetVMProperties,
)

__all__ = [
    "ArmEnum",
    "ArmModel",
    "CachingTypes",
    "DataDisk",
    "DiskCreateOptionTypes",
    "EnumOrStr",
    "ErrorDetail",
    "ErrorResponse",
    "FeatureProperties",
    "FeatureResult",
    "FeatureState",
    "ImageReference",
    "InstanceViewStatus",
    "ManagedDiskParameters",
    "NetworkInterfaceReference",
    "NetworkProfile",
    "OSDisk",
    "OSProfile",
    "OperatingSystemTypes",
    "OperationStatus",
    "OperationStatusValue",
    "OrchestrationMode",
    "Page",
    "ProvisioningState",
    "ResiliencyPolicy",
    "ResilientVMCreationPolicy",
    "ResilientVMDeletionPolicy",
    "ResilientVMDeletionStatus",
    "Sku",
    "StatusLevelTypes",
    "StorageProfile",
    "UpgradeMode",
    "UpgradePolicy",
    "VirtualMachineProfile",
    "VirtualMachineScaleSet",
    "VirtualMachineScaleSetIPConfiguration",
    "VirtualMachineScaleSetListResult",
    "VirtualMachineScaleSetNetworkConfiguration",
    "VirtualMachineScaleSetNetworkConfigurationProperties",
    "VirtualMachineScaleSetProperties",
    "VirtualMachineScaleSetUpdate",
    "VirtualMachineScaleSetUpdateProperties",
    "VirtualMachineScaleSetVM",
    "VirtualMachineScaleSetVMInstanceRequiredIDs",
    "VirtualMachineScaleSetVMInstanceView",
    "VirtualMachineScaleSetVMListResult",
    "VirtualMachineScaleSetVMProperties",
]
