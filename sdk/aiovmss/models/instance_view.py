"""Instance views: the run-time state of a scale set VM and the summary of a whole scale set.

A VM's state is a list of ``statuses`` whose ``code`` reads ``ProvisioningState/succeeded``,
``PowerState/running`` and so on; a scale set's view counts its VMs by those codes
(``virtualMachine.statusesSummary``). The service sends every field here; none is ever sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiovmss.models._base import ArmModel
from aiovmss.models._enums import (
    EnumOrStr,
    HyperVGenerationType,
    MaintenanceOperationResultCodeTypes,
    OrchestrationServiceNames,
    OrchestrationServiceState,
    StatusLevelTypes,
)

__all__ = [
    "BootDiagnosticsInstanceView",
    "DiskInstanceView",
    "InstanceViewStatus",
    "MaintenanceRedeployStatus",
    "OrchestrationServiceSummary",
    "VirtualMachineAgentInstanceView",
    "VirtualMachineExtensionHandlerInstanceView",
    "VirtualMachineExtensionInstanceView",
    "VirtualMachineHealthStatus",
    "VirtualMachineScaleSetInstanceView",
    "VirtualMachineScaleSetInstanceViewStatusesSummary",
    "VirtualMachineScaleSetVMExtensionsSummary",
    "VirtualMachineScaleSetVMInstanceView",
    "VirtualMachineStatusCodeCount",
]


class InstanceViewStatus(ArmModel):
    """One ``statuses`` entry: ``code`` such as ``ProvisioningState/succeeded``, level, time."""

    code: str | None = None
    level: EnumOrStr[StatusLevelTypes] | None = None
    display_status: str | None = None
    message: str | None = None
    time: datetime | None = None


def _status_suffix(statuses: list[InstanceViewStatus] | None, prefix: str) -> str | None:
    """What follows ``prefix`` in the first status code that starts with it (any case)."""
    folded = prefix.casefold()
    for status in statuses or ():
        code = status.code or ""
        if code.casefold().startswith(folded):
            return code[len(prefix) :]
    return None


class VirtualMachineExtensionHandlerInstanceView(ArmModel):
    """One ``extensionHandlers`` entry of the VM agent: handler type, version and status."""

    type: str | None = None
    type_handler_version: str | None = None
    status: InstanceViewStatus | None = None


class VirtualMachineAgentInstanceView(ArmModel):
    """``vmAgent``: the guest agent's version, statuses and extension handlers."""

    vm_agent_version: str | None = None
    extension_handlers: list[VirtualMachineExtensionHandlerInstanceView] | None = None
    statuses: list[InstanceViewStatus] | None = None


class DiskInstanceView(ArmModel):
    """One ``disks`` entry: the disk's name and statuses (``encryptionSettings`` kept as dicts)."""

    name: str | None = None
    encryption_settings: list[dict[str, Any]] | None = None
    statuses: list[InstanceViewStatus] | None = None


class VirtualMachineExtensionInstanceView(ArmModel):
    """One ``extensions`` entry of a VM: the extension's statuses and substatuses."""

    name: str | None = None
    type: str | None = None
    type_handler_version: str | None = None
    substatuses: list[InstanceViewStatus] | None = None
    statuses: list[InstanceViewStatus] | None = None


class VirtualMachineHealthStatus(ArmModel):
    """``vmHealth``: the application health the VM reports."""

    status: InstanceViewStatus | None = None


class BootDiagnosticsInstanceView(ArmModel):
    """``bootDiagnostics``: where the console screenshot and serial log are, and their status."""

    console_screenshot_blob_uri: str | None = None
    serial_console_log_blob_uri: str | None = None
    status: InstanceViewStatus | None = None


class MaintenanceRedeployStatus(ArmModel):
    """``maintenanceRedeployStatus``: the customer-initiated maintenance window."""

    is_customer_initiated_maintenance_allowed: bool | None = None
    pre_maintenance_window_start_time: datetime | None = None
    pre_maintenance_window_end_time: datetime | None = None
    maintenance_window_start_time: datetime | None = None
    maintenance_window_end_time: datetime | None = None
    last_operation_result_code: EnumOrStr[MaintenanceOperationResultCodeTypes] | None = None
    last_operation_message: str | None = None


class VirtualMachineScaleSetVMInstanceView(ArmModel):
    """A VM's instance view (``GET .../instanceView``, or ``$expand=instanceView`` on the VM).

    ``power_state`` and ``provisioning_state`` read the ``statuses`` codes.
    """

    platform_update_domain: int | None = None
    platform_fault_domain: int | None = None
    rdp_thumb_print: str | None = None
    computer_name: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    hyper_v_generation: EnumOrStr[HyperVGenerationType] | None = None
    placement_group_id: str | None = None
    assigned_host: str | None = None
    vm_agent: VirtualMachineAgentInstanceView | None = None
    vm_health: VirtualMachineHealthStatus | None = None
    maintenance_redeploy_status: MaintenanceRedeployStatus | None = None
    boot_diagnostics: BootDiagnosticsInstanceView | None = None
    disks: list[DiskInstanceView] | None = None
    extensions: list[VirtualMachineExtensionInstanceView] | None = None
    statuses: list[InstanceViewStatus] | None = None

    @property
    def power_state(self) -> str | None:
        """``running`` for a ``PowerState/running`` status; None without a power status."""
        return _status_suffix(self.statuses, "PowerState/")

    @property
    def provisioning_state(self) -> str | None:
        """``succeeded`` for a ``ProvisioningState/succeeded`` status, or None."""
        return _status_suffix(self.statuses, "ProvisioningState/")


class VirtualMachineStatusCodeCount(ArmModel):
    """How many VMs have one status ``code`` (``PowerState/running``: ``count``)."""

    code: str | None = None
    count: int | None = None


class VirtualMachineScaleSetInstanceViewStatusesSummary(ArmModel):
    """``virtualMachine`` of a scale set's instance view: VM counts by status code."""

    statuses_summary: list[VirtualMachineStatusCodeCount] | None = None


class VirtualMachineScaleSetVMExtensionsSummary(ArmModel):
    """One ``extensions`` entry of a scale set's instance view: VM counts by extension status."""

    name: str | None = None
    statuses_summary: list[VirtualMachineStatusCodeCount] | None = None


class OrchestrationServiceSummary(ArmModel):
    """One ``orchestrationServices`` entry (automatic repairs) and its state."""

    service_name: EnumOrStr[OrchestrationServiceNames] | None = None
    service_state: EnumOrStr[OrchestrationServiceState] | None = None


class VirtualMachineScaleSetInstanceView(ArmModel):
    """A scale set's instance view (``GET .../instanceView``).

    ``status_counts`` turns ``virtual_machine.statuses_summary`` into a dict.
    """

    virtual_machine: VirtualMachineScaleSetInstanceViewStatusesSummary | None = None
    extensions: list[VirtualMachineScaleSetVMExtensionsSummary] | None = None
    statuses: list[InstanceViewStatus] | None = None
    orchestration_services: list[OrchestrationServiceSummary] | None = None

    @property
    def status_counts(self) -> dict[str, int]:
        """``{"PowerState/running": 3, ...}`` from ``virtualMachine.statusesSummary``."""
        summary = self.virtual_machine.statuses_summary if self.virtual_machine else None
        counts: dict[str, int] = {}
        for item in summary or ():
            if item.code is not None:
                counts[item.code] = counts.get(item.code, 0) + (item.count or 0)
        return counts
