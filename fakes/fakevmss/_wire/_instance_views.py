"""Instance views as ARM shows them: a VM's statuses, and a scale set's summary of its VMs.

A VM's view has a ``ProvisioningState/...`` status (``/failed/<Code>`` with the error's message
when it failed; ``Creating``, ``Updating`` and ``Deleting`` without a time, as transitional
states are shown) and a ``PowerState/...`` one. A scale set's view counts its live VMs by those
codes (``virtualMachine.statusesSummary``) and has its own provisioning status. The shapes are
those of Microsoft's examples (docs/fake/lifecycle.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fakevmss._wire._types import VMLike

__all__ = [
    "FAULT_DOMAINS",
    "power_status",
    "provisioning_status",
    "scale_set_instance_view",
    "vm_instance_view",
    "vm_statuses",
]

#: Fault and update domains a Uniform scale set spreads its VMs over (Azure's default: 5).
FAULT_DOMAINS = 5

#: Transitional provisioning states: shown with their own name and no time.
_TRANSITIONAL = {"creating": "Creating", "updating": "Updating", "deleting": "Deleting"}


def provisioning_status(state: str, error: Mapping[str, Any] | None, time: str) -> dict[str, Any]:
    """The ``ProvisioningState/...`` status of a resource in ``state`` since ``time``."""
    lower = state.lower()
    shown = _TRANSITIONAL.get(lower)
    if shown is not None:
        return {"code": f"ProvisioningState/{lower}", "level": "Info", "displayStatus": shown}
    status: dict[str, Any] = {
        "code": f"ProvisioningState/{lower}",
        "level": "Info",
        "displayStatus": f"Provisioning {lower}",
        "time": time,
    }
    if lower == "failed":
        status["level"] = "Error"
        if error is not None:
            status["code"] = f"ProvisioningState/failed/{error['code']}"
            status["message"] = error["message"]
    return status


def power_status(power_state: str) -> dict[str, Any]:
    """The ``PowerState/...`` status (``VM running``)."""
    return {
        "code": f"PowerState/{power_state}",
        "level": "Info",
        "displayStatus": f"VM {power_state}",
    }


def vm_statuses(vm: VMLike, time: str) -> list[dict[str, Any]]:
    """The provisioning and power statuses of ``vm``; ``time`` is its last state change."""
    return [
        provisioning_status(vm.provisioning_state, vm.last_error, time),
        power_status(vm.power_state),
    ]


def vm_instance_view(vm: VMLike, computer_name: str, time: str) -> dict[str, Any]:
    """The VM instance view (``GET .../instanceView`` or ``$expand=instanceView``)."""
    return {
        "platformUpdateDomain": vm.index % FAULT_DOMAINS,
        "platformFaultDomain": vm.index % FAULT_DOMAINS,
        "computerName": computer_name,
        "statuses": vm_statuses(vm, time),
    }


def scale_set_instance_view(
    provisioning_state: str, time: str, vms: Iterable[VMLike], time_of: Callable[[VMLike], str]
) -> dict[str, Any]:
    """A scale set's instance view: its VMs counted by status code, and its own status.

    Provisioning codes come first, then power codes, each in code order.
    """
    counts: Counter[str] = Counter()
    for vm in vms:
        for status in vm_statuses(vm, time_of(vm)):
            counts[status["code"]] += 1
    ordered = sorted(counts, key=lambda code: (not code.startswith("ProvisioningState/"), code))
    return {
        "virtualMachine": {"statusesSummary": [{"code": c, "count": counts[c]} for c in ordered]},
        "statuses": [provisioning_status(provisioning_state, None, time)],
    }
