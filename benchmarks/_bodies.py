"""The scale set the benchmarks create: one PUT body for the client and the fake benchmarks."""

from __future__ import annotations

from typing import Any

RG = "bench-rg"


def scale_set_body(capacity: int) -> dict[str, Any]:
    """A fresh PUT body: a Uniform Ubuntu scale set of ``capacity`` VMs, resilient policies on."""
    return {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": capacity},
        "properties": {
            "orchestrationMode": "Uniform",
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "osProfile": {"computerNamePrefix": "bench", "adminUsername": "azureuser"},
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "0001-com-ubuntu-server-jammy",
                        "sku": "22_04-lts-gen2",
                        "version": "latest",
                    },
                    "osDisk": {"osType": "Linux", "createOption": "FromImage"},
                },
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": True},
                "resilientVMDeletionPolicy": {"enabled": True},
            },
        },
    }
