"""Request bodies of the scale set and VM actions: instance id lists and reimage parameters.

The reimage models nest as the REST spec composes them: ``VirtualMachineReimageParameters`` <
``VirtualMachineScaleSetVMReimageParameters`` (adds ``forceUpdateOSDiskForEphemeral``, 2024-07-01)
< ``VirtualMachineScaleSetReimageParameters`` (adds ``instanceIds``).
"""

from __future__ import annotations

from pydantic import Field

from aiovmss.models._base import ArmModel

__all__ = [
    "OSProfileProvisioningData",
    "VirtualMachineReimageParameters",
    "VirtualMachineScaleSetReimageParameters",
    "VirtualMachineScaleSetVMInstanceIDs",
    "VirtualMachineScaleSetVMInstanceRequiredIDs",
    "VirtualMachineScaleSetVMReimageParameters",
]


class VirtualMachineScaleSetVMInstanceIDs(ArmModel):
    """The body of start, power off, restart, ...: ``{"instanceIds": [...]}``; absent = every VM."""

    instance_ids: list[str] | None = None


class VirtualMachineScaleSetVMInstanceRequiredIDs(ArmModel):
    """The body of delete instances and update instances: ``{"instanceIds": [...]}``."""

    instance_ids: list[str]


class OSProfileProvisioningData(ArmModel):
    """``osProfile`` of a reimage: a new admin password and custom data (secrets, never shown)."""

    admin_password: str | None = Field(default=None, repr=False)
    custom_data: str | None = Field(default=None, repr=False)


class VirtualMachineReimageParameters(ArmModel):
    """What a reimage may set: temp disk, exact image version, OS profile."""

    temp_disk: bool | None = None
    exact_version: str | None = None
    os_profile: OSProfileProvisioningData | None = None


class VirtualMachineScaleSetVMReimageParameters(VirtualMachineReimageParameters):
    """The body of a VM's reimage (``forceUpdateOSDiskForEphemeral`` needs 2024-07-01)."""

    force_update_os_disk_for_ephemeral: bool | None = Field(
        default=None, alias="forceUpdateOSDiskForEphemeral"
    )


class VirtualMachineScaleSetReimageParameters(VirtualMachineScaleSetVMReimageParameters):
    """The body of a scale set's reimage: the VM parameters plus ``instanceIds``."""

    instance_ids: list[str] | None = None
