"""A scale set PUT body with every writable member of the 2024-07-01 scale set, its properties
and its VM profile (a test checks the coverage against the schema), and the secrets in it."""

from __future__ import annotations

import copy
from typing import Any

SUB_ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers"
SUBNET = f"{SUB_ID}/Microsoft.Network/virtualNetworks/vnet/subnets/default"
IDENTITY = f"{SUB_ID}/Microsoft.ManagedIdentity/userAssignedIdentities/web-identity"
GALLERY = f"{SUB_ID}/Microsoft.Compute/galleries/g/applications/app/versions/1.0.0"
VAULT = f"{SUB_ID}/Microsoft.KeyVault/vaults/kv"

#: Where the secrets sit in ``FULL_BODY`` (never returned by a GET).
SECRETS = (
    ("properties", "virtualMachineProfile", "osProfile", "adminPassword"),
    ("properties", "virtualMachineProfile", "osProfile", "customData"),
    ("properties", "virtualMachineProfile", "extensionProfile", "extensions", 0, "properties",
     "protectedSettings"),
)  # fmt: skip

_OS_PROFILE: dict[str, Any] = {
    "computerNamePrefix": "web",
    "adminUsername": "azureuser",
    "adminPassword": "Sup3r-secret-pw!",
    "customData": "I2Nsb3VkLWNvbmZpZw==",
    "linuxConfiguration": {
        "disablePasswordAuthentication": False,
        "ssh": {"publicKeys": [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": "k"}]},
        "provisionVMAgent": True,
        "patchSettings": {"patchMode": "ImageDefault", "assessmentMode": "ImageDefault"},
        "enableVMAgentPlatformUpdates": False,
    },
    "secrets": [
        {
            "sourceVault": {"id": VAULT},
            "vaultCertificates": [{"certificateUrl": "https://kv.vault.azure.net/secrets/c/1"}],
        }
    ],
    "allowExtensionOperations": True,
    "requireGuestProvisionSignal": True,
}

_STORAGE_PROFILE: dict[str, Any] = {
    "imageReference": {
        "publisher": "Canonical",
        "offer": "0001-com-ubuntu-server-jammy",
        "sku": "22_04-lts-gen2",
        "version": "latest",
    },
    "osDisk": {
        "name": "osdisk",
        "caching": "ReadWrite",
        "createOption": "FromImage",
        "osType": "Linux",
        "diskSizeGB": 64,
        "writeAcceleratorEnabled": False,
        "managedDisk": {"storageAccountType": "Premium_LRS"},
        "deleteOption": "Delete",
    },
    "dataDisks": [
        {
            "name": "data0",
            "lun": 0,
            "caching": "ReadOnly",
            "createOption": "Empty",
            "diskSizeGB": 128,
            "managedDisk": {"storageAccountType": "StandardSSD_LRS"},
            "deleteOption": "Detach",
        }
    ],
    "diskControllerType": "SCSI",
}

_NETWORK_PROFILE: dict[str, Any] = {
    "healthProbe": {"id": f"{SUB_ID}/Microsoft.Network/loadBalancers/lb/probes/http"},
    "networkApiVersion": "2020-11-01",
    "networkInterfaceConfigurations": [
        {
            "name": "nic",
            "properties": {
                "primary": True,
                "enableAcceleratedNetworking": True,
                "enableIPForwarding": False,
                "deleteOption": "Delete",
                "dnsSettings": {"dnsServers": ["10.0.0.4"]},
                "ipConfigurations": [
                    {
                        "name": "ipconfig",
                        "properties": {
                            "primary": True,
                            "subnet": {"id": SUBNET},
                            "privateIPAddressVersion": "IPv4",
                            "publicIPAddressConfiguration": {
                                "name": "pip",
                                "properties": {"idleTimeoutInMinutes": 15},
                                "sku": {"name": "Standard", "tier": "Regional"},
                            },
                        },
                    }
                ],
            },
        }
    ],
}

_VM_PROFILE: dict[str, Any] = {
    "osProfile": _OS_PROFILE,
    "storageProfile": _STORAGE_PROFILE,
    "networkProfile": _NETWORK_PROFILE,
    "securityProfile": {
        "encryptionAtHost": True,
        "securityType": "TrustedLaunch",
        "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True},
    },
    "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
    "extensionProfile": {
        "extensions": [
            {
                "name": "health",
                "properties": {
                    "publisher": "Microsoft.ManagedServices",
                    "type": "ApplicationHealthLinux",
                    "typeHandlerVersion": "1.0",
                    "autoUpgradeMinorVersion": True,
                    "settings": {"protocol": "http", "port": 80},
                    "protectedSettings": {"token": "do-not-return"},
                },
            }
        ],
        "extensionsTimeBudget": "PT1H30M",
    },
    "licenseType": "RHEL_BYOS",
    "priority": "Regular",
    "evictionPolicy": "Deallocate",
    "billingProfile": {"maxPrice": -1},
    "scheduledEventsProfile": {
        "terminateNotificationProfile": {"enable": True, "notBeforeTimeout": "PT5M"},
        "osImageNotificationProfile": {"enable": True, "notBeforeTimeout": "PT15M"},
    },
    "userData": "dXNlci1kYXRh",
    "capacityReservation": {"capacityReservationGroup": {"id": f"{SUB_ID}/crg"}},
    "applicationProfile": {
        "galleryApplications": [{"packageReferenceId": GALLERY, "order": 1}],
    },
    "hardwareProfile": {"vmSizeProperties": {"vCPUsAvailable": 2, "vCPUsPerCore": 1}},
    "serviceArtifactReference": {"id": f"{SUB_ID}/Microsoft.Compute/galleries/g/sa/1"},
    "securityPostureReference": {"id": "/CommunityGalleries/g/securityPostures/p/versions/1"},
}

FULL_BODY: dict[str, Any] = {
    "location": "westus",
    "tags": {"team": "platform", "cost center": "42"},
    "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": 2},
    "plan": {
        "name": "plan",
        "publisher": "publisher",
        "product": "product",
        "promotionCode": "promo",
    },
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "zones": ["1", "2", "3"],
    "extendedLocation": {"name": "losangeles", "type": "EdgeZone"},
    "properties": {
        "upgradePolicy": {
            "mode": "Rolling",
            "rollingUpgradePolicy": {
                "maxBatchInstancePercent": 20,
                "maxUnhealthyInstancePercent": 20,
                "maxUnhealthyUpgradedInstancePercent": 20,
                "pauseTimeBetweenBatches": "PT0S",
                "enableCrossZoneUpgrade": True,
                "prioritizeUnhealthyInstances": True,
                "rollbackFailedInstancesOnPolicyBreach": False,
                "maxSurge": False,
            },
            "automaticOSUpgradePolicy": {
                "enableAutomaticOSUpgrade": False,
                "disableAutomaticRollback": False,
                "useRollingUpgradePolicy": False,
                "osRollingUpgradeDeferral": False,
            },
        },
        "automaticRepairsPolicy": {
            "enabled": True,
            "gracePeriod": "PT30M",
            "repairAction": "Replace",
        },
        "scaleInPolicy": {"rules": ["OldestVM", "NewestVM"], "forceDeletion": False},
        "virtualMachineProfile": _VM_PROFILE,
        "overprovision": False,
        "doNotRunExtensionsOnOverprovisionedVMs": False,
        "singlePlacementGroup": False,
        "zoneBalance": True,
        "platformFaultDomainCount": 1,
        "proximityPlacementGroup": {"id": f"{SUB_ID}/Microsoft.Compute/proximityPlacementGroups/p"},
        "hostGroup": {"id": f"{SUB_ID}/Microsoft.Compute/hostGroups/h"},
        "additionalCapabilities": {"ultraSSDEnabled": False, "hibernationEnabled": False},
        "orchestrationMode": "Uniform",
        "spotRestorePolicy": {"enabled": False, "restoreTimeout": "PT1H"},
        "priorityMixPolicy": {
            "baseRegularPriorityCount": 0,
            "regularPriorityPercentageAboveBase": 50,
        },
        "constrainedMaximumCapacity": False,
        "zonalPlatformFaultDomainAlignMode": "Aligned",
        "scheduledEventsPolicy": {
            "userInitiatedRedeploy": {"automaticallyApprove": True},
            "userInitiatedReboot": {"automaticallyApprove": False},
        },
        "resiliencyPolicy": {
            "resilientVMCreationPolicy": {"enabled": True},
            "resilientVMDeletionPolicy": {"enabled": True},
        },
    },
}


def full_body() -> dict[str, Any]:
    """A fresh copy of ``FULL_BODY``."""
    return copy.deepcopy(FULL_BODY)


def without_secrets(body: dict[str, Any], *, user_data: bool) -> dict[str, Any]:
    """``body`` as a GET shows it: no secrets, ``userData`` only when asked for."""
    shown = copy.deepcopy(body)
    for path in SECRETS:
        holder: Any = shown
        for step in path[:-1]:
            holder = holder[step] if isinstance(holder, list) else holder.get(step, {})
        if isinstance(holder, dict):
            holder.pop(path[-1], None)
    if not user_data:
        shown["properties"]["virtualMachineProfile"].pop("userData", None)
    return shown
