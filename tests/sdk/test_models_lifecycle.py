"""Models of the lifecycle operations: instance views, SKUs, action bodies, protection policy.

Shapes follow the published definitions and the service's habits seen in its examples
(``null`` members, lower-case status codes, enum values in other cases)."""

from __future__ import annotations

from typing import Any

import pytest

import aiovmss.models
from aiovmss.models import (
    InstanceViewStatus,
    OrchestrationServiceState,
    StatusLevelTypes,
    VirtualMachineReimageParameters,
    VirtualMachineScaleSetInstanceView,
    VirtualMachineScaleSetListSkusResult,
    VirtualMachineScaleSetReimageParameters,
    VirtualMachineScaleSetSkuScaleType,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceIDs,
    VirtualMachineScaleSetVMInstanceRequiredIDs,
    VirtualMachineScaleSetVMInstanceView,
    VirtualMachineScaleSetVMProtectionPolicy,
    VirtualMachineScaleSetVMReimageParameters,
)

NEW_MODELS = [
    "BootDiagnosticsInstanceView",
    "DiskInstanceView",
    "MaintenanceRedeployStatus",
    "OSProfileProvisioningData",
    "OrchestrationServiceSummary",
    "VirtualMachineAgentInstanceView",
    "VirtualMachineExtensionHandlerInstanceView",
    "VirtualMachineExtensionInstanceView",
    "VirtualMachineHealthStatus",
    "VirtualMachineReimageParameters",
    "VirtualMachineScaleSetInstanceView",
    "VirtualMachineScaleSetInstanceViewStatusesSummary",
    "VirtualMachineScaleSetListSkusResult",
    "VirtualMachineScaleSetReimageParameters",
    "VirtualMachineScaleSetSku",
    "VirtualMachineScaleSetSkuCapacity",
    "VirtualMachineScaleSetVMExtensionsSummary",
    "VirtualMachineScaleSetVMInstanceIDs",
    "VirtualMachineScaleSetVMProtectionPolicy",
    "VirtualMachineScaleSetVMReimageParameters",
    "VirtualMachineStatusCodeCount",
]


def test_new_models_are_exported_and_all_is_sorted() -> None:
    exported = aiovmss.models.__all__
    assert exported == sorted(exported)
    for name in NEW_MODELS:
        assert name in exported and hasattr(aiovmss.models, name)


def test_moved_models_are_still_importable_from_vm() -> None:
    from aiovmss.models import vm

    assert vm.InstanceViewStatus is InstanceViewStatus
    assert vm.VirtualMachineScaleSetVMInstanceView is VirtualMachineScaleSetVMInstanceView
    assert vm.VirtualMachineScaleSetVMInstanceRequiredIDs is (
        VirtualMachineScaleSetVMInstanceRequiredIDs
    )


VM_VIEW: dict[str, Any] = {
    "platformUpdateDomain": 1,
    "platformFaultDomain": 1,
    "rdpThumbPrint": None,
    "vmAgent": {
        "vmAgentVersion": "Unknown",
        "statuses": [
            {
                "code": "ProvisioningState/Unavailable",
                "level": "Warning",
                "displayStatus": "Not Ready",
                "message": "VM status blob is found but not yet populated.",
                "time": "2024-07-01T05:00:32+00:00",
            }
        ],
        "extensionHandlers": [
            {
                "type": "Microsoft.Azure.Monitor.AzureMonitorLinuxAgent",
                "typeHandlerVersion": "1.29",
                "status": {"code": "ProvisioningState/succeeded", "level": "info"},
            }
        ],
    },
    "disks": [{"name": "osdisk", "encryptionSettings": None, "statuses": []}],
    "extensions": [
        {
            "name": "HealthExtension",
            "type": "Microsoft.ManagedServices.ApplicationHealthLinux",
            "typeHandlerVersion": "1.0",
            "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info"}],
            "substatuses": [{"code": "ComponentStatus/AppHealthStatus/succeeded"}],
        }
    ],
    "vmHealth": {"status": {"code": "HealthState/healthy", "level": "Info"}},
    "bootDiagnostics": {
        "consoleScreenshotBlobUri": "https://example.blob.core.windows.net/bootdiag/web.png",
        "status": {"code": "ProvisioningState/succeeded"},
    },
    "assignedHost": None,
    "statuses": [
        {"code": "ProvisioningState/updating", "level": "Info", "message": None, "time": None},
        {"code": "PowerState/deallocating", "level": "Info", "displayStatus": "VM deallocating"},
    ],
    "hibernationState": "Unhibernated",  # a member a later api-version adds: kept
}


def test_vm_instance_view_parses_every_part() -> None:
    view = VirtualMachineScaleSetVMInstanceView.from_wire(VM_VIEW)
    assert (view.provisioning_state, view.power_state) == ("updating", "deallocating")
    assert view.vm_agent is not None and view.vm_agent.extension_handlers is not None
    handler = view.vm_agent.extension_handlers[0]
    assert handler.status is not None and handler.status.level is StatusLevelTypes.INFO
    assert view.extensions is not None and view.extensions[0].substatuses is not None
    assert view.vm_health is not None and view.vm_health.status is not None
    assert view.vm_health.status.code == "HealthState/healthy"
    assert view.boot_diagnostics is not None and view.boot_diagnostics.console_screenshot_blob_uri
    assert view.model_extra == {"hibernationState": "Unhibernated"}
    assert VirtualMachineScaleSetVMInstanceView().power_state is None


def test_vm_carries_its_typed_instance_view_and_protection_policy() -> None:
    vm = VirtualMachineScaleSetVM.from_wire(
        {
            "instanceId": "3",
            "properties": {
                "instanceView": VM_VIEW,
                "protectionPolicy": {
                    "protectFromScaleIn": True,
                    "protectFromScaleSetActions": False,
                },
            },
        }
    )
    assert vm.properties is not None
    assert isinstance(vm.properties.protection_policy, VirtualMachineScaleSetVMProtectionPolicy)
    assert vm.properties.protection_policy.protect_from_scale_in is True
    assert vm.properties.instance_view is not None
    assert vm.properties.instance_view.power_state == "deallocating"
    assert vm.to_wire() == {
        "properties": {
            "protectionPolicy": {"protectFromScaleIn": True, "protectFromScaleSetActions": False}
        }
    }


def test_scale_set_instance_view_counts_by_status_code() -> None:
    view = VirtualMachineScaleSetInstanceView.from_wire(
        {
            "virtualMachine": {
                "statusesSummary": [
                    {"code": "PowerState/running", "count": 4},
                    {"code": "PowerState/stopped", "count": 1},
                    {"code": "PowerState/running", "count": 1},
                    {"code": None, "count": 9},
                ]
            },
            "orchestrationServices": [
                {"serviceName": "AutomaticRepairs", "serviceState": "running"}
            ],
        }
    )
    assert view.status_counts == {"PowerState/running": 5, "PowerState/stopped": 1}
    assert view.orchestration_services is not None
    assert view.orchestration_services[0].service_state is OrchestrationServiceState.RUNNING
    assert VirtualMachineScaleSetInstanceView().status_counts == {}
    paused = VirtualMachineScaleSetInstanceView.from_wire(
        {"orchestrationServices": [{"serviceState": "Paused"}]}
    )
    assert paused.orchestration_services is not None
    assert paused.orchestration_services[0].service_state == "Paused"  # unknown: kept as str


def test_sku_page() -> None:
    page = VirtualMachineScaleSetListSkusResult.from_wire(
        {
            "value": [
                {
                    "resourceType": "Microsoft.Compute/virtualMachineScaleSets",
                    "sku": {"name": "Standard_D2s_v3", "tier": "Standard"},
                    "capacity": {
                        "minimum": 0,
                        "maximum": 1000,
                        "defaultCapacity": 1,
                        "scaleType": "automatic",
                    },
                }
            ],
            "nextLink": "https://management.azure.com/next",
        }
    )
    sku = page.value[0]
    assert sku.capacity is not None
    assert sku.capacity.scale_type is VirtualMachineScaleSetSkuScaleType.AUTOMATIC
    assert (sku.capacity.maximum, page.next_link) == (1000, "https://management.azure.com/next")


def test_reimage_bodies_compose_as_the_spec_does() -> None:
    assert issubclass(
        VirtualMachineScaleSetReimageParameters, VirtualMachineScaleSetVMReimageParameters
    )
    assert issubclass(VirtualMachineScaleSetVMReimageParameters, VirtualMachineReimageParameters)
    body = VirtualMachineScaleSetReimageParameters(
        instance_ids=["0"], force_update_os_disk_for_ephemeral=True, temp_disk=False
    )
    assert body.to_wire() == {
        "instanceIds": ["0"],
        "forceUpdateOSDiskForEphemeral": True,
        "tempDisk": False,
    }
    parsed = VirtualMachineScaleSetVMReimageParameters.from_wire(
        {"forceUpdateOSDiskForEphemeral": True, "osProfile": {"adminPassword": "pw"}}
    )
    assert parsed.force_update_os_disk_for_ephemeral is True
    assert parsed.os_profile is not None and "pw" not in repr(parsed)


@pytest.mark.parametrize(
    ("model", "wire"),
    [
        (VirtualMachineScaleSetVMInstanceIDs(), {}),
        (VirtualMachineScaleSetVMInstanceIDs(instance_ids=["1"]), {"instanceIds": ["1"]}),
        (VirtualMachineScaleSetVMInstanceRequiredIDs(instance_ids=["2"]), {"instanceIds": ["2"]}),
    ],
)
def test_instance_id_bodies(model: Any, wire: dict[str, Any]) -> None:
    assert model.to_wire() == wire
