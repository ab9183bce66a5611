"""State objects to ARM JSON, shaped like the REST spec's examples.

Secrets the real service never returns (``adminPassword``, ``customData``) are dropped here;
``userData`` appears only when asked for with ``$expand=userData``.
"""

from __future__ import annotations

import copy
from datetime import UTC
from typing import Any

from fakevmss._wire._types import (
    ClockLike,
    FeatureLike,
    OperationLike,
    ScaleSetLike,
    VMLike,
)

__all__ = [
    "SCALE_SET_TYPE",
    "VM_TYPE",
    "feature_json",
    "iso_time",
    "json_copy",
    "operation_json",
    "scale_set_id",
    "scale_set_json",
    "vm_body_key",
    "vm_json",
]

SCALE_SET_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
VM_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"
FEATURE_TYPE = "Microsoft.Features/providers/features"
_SECRETS = ("adminPassword", "customData")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SCALARS = frozenset({str, int, float, bool, type(None)})


def iso_time(clock: ClockLike, t: float) -> str:
    """Clock second ``t`` as ISO 8601 UTC with fractional seconds (``...T..:..:..ffffff+00:00``)."""
    moment = clock.to_datetime(t)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def scale_set_id(scale_set: ScaleSetLike) -> str:
    """The ARM id of ``scale_set``."""
    return (
        f"/subscriptions/{scale_set.subscription}/resourceGroups/{scale_set.resource_group}"
        f"/providers/Microsoft.Compute/virtualMachineScaleSets/{scale_set.name}"
    )


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars); anything else via ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if kind is list:
        return [json_copy(item) for item in value]
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


def _quoted_etag(etag: int) -> str:
    return f'"{etag}"'


def _scrub_profile(profile: Any, *, user_data: bool) -> None:
    """Remove secrets (and ``userData`` unless asked for) from a VM profile, in place."""
    if not isinstance(profile, dict):
        return
    if not user_data:
        profile.pop("userData", None)
    os_profile = profile.get("osProfile")
    if isinstance(os_profile, dict):
        for secret in _SECRETS:
            os_profile.pop(secret, None)


def scale_set_json(
    scale_set: ScaleSetLike, clock: ClockLike, *, etag: bool, user_data: bool = False
) -> dict[str, Any]:
    """The scale set resource body."""
    spec = json_copy(dict(scale_set.spec))
    properties = spec.pop("properties", None)
    properties = properties if isinstance(properties, dict) else {}
    _scrub_profile(properties.get("virtualMachineProfile"), user_data=user_data)
    properties["orchestrationMode"] = scale_set.orchestration_mode
    properties["provisioningState"] = scale_set.provisioning_state
    properties["uniqueId"] = scale_set.unique_id
    properties["timeCreated"] = iso_time(clock, scale_set.time_created)
    body: dict[str, Any] = {
        "id": scale_set_id(scale_set),
        "name": scale_set.name,
        "type": SCALE_SET_TYPE,
    }
    body.update(spec)
    if etag:
        body["etag"] = _quoted_etag(scale_set.etag)
    body["properties"] = properties
    return body


def _computer_name(scale_set: ScaleSetLike, vm: VMLike, profile: dict[str, Any]) -> str:
    """Uniform: the prefix plus the instance id in base 36 (6 digits); Flexible: the VM name."""
    os_profile = profile.get("osProfile")
    prefix = os_profile.get("computerNamePrefix") if isinstance(os_profile, dict) else None
    if not vm.instance_id.isdigit() or len(vm.instance_id) > 12:
        return vm.name
    number, digits = int(vm.instance_id), ""
    while True:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
        if number == 0:
            break
    return f"{prefix if isinstance(prefix, str) else scale_set.name}{digits.rjust(6, '0')}"


def _vm_profiles(scale_set: ScaleSetLike, vm: VMLike, base_id: str) -> dict[str, Any]:
    """storageProfile, osProfile and networkProfile of a VM, derived from the scale set model."""
    properties = scale_set.spec.get("properties")
    profile = properties.get("virtualMachineProfile") if isinstance(properties, dict) else None
    profile = profile if isinstance(profile, dict) else {}
    storage = profile.get("storageProfile")
    image = storage.get("imageReference") if isinstance(storage, dict) else None
    os_profile = profile.get("osProfile")
    admin = os_profile.get("adminUsername") if isinstance(os_profile, dict) else None
    storage_json: dict[str, Any] = {
        "osDisk": {
            "osType": vm.os_type,
            "name": f"{scale_set.name}_{vm.name}_OsDisk_1_{vm.vm_id.replace('-', '')}",
            "createOption": "FromImage",
        }
    }
    if isinstance(image, dict):
        storage_json["imageReference"] = json_copy(image)
    os_json: dict[str, Any] = {"computerName": _computer_name(scale_set, vm, profile)}
    if isinstance(admin, str):
        os_json["adminUsername"] = admin
    return {
        "storageProfile": storage_json,
        "osProfile": os_json,
        "networkProfile": {"networkInterfaces": [{"id": f"{base_id}/networkInterfaces/nic0"}]},
    }


def _instance_view(clock: ClockLike, vm: VMLike) -> dict[str, Any]:
    state = vm.provisioning_state
    return {
        "statuses": [
            {
                "code": f"ProvisioningState/{state.lower()}",
                "level": "Error" if state.lower() == "failed" else "Info",
                "displayStatus": f"Provisioning {state.lower()}",
                "time": iso_time(clock, vm.time_created),
            },
            {
                "code": f"PowerState/{vm.power_state}",
                "level": "Info",
                "displayStatus": f"VM {vm.power_state}",
            },
        ]
    }


def vm_json(
    scale_set: ScaleSetLike,
    vm: VMLike,
    clock: ClockLike,
    *,
    etag: bool,
    deletion_status: bool,
    instance_view: bool = False,
    user_data: bool = False,
) -> dict[str, Any]:
    """The scale set VM resource body."""
    vm_id = f"{scale_set_id(scale_set)}/virtualMachines/{vm.instance_id}"
    sku = scale_set.spec.get("sku")
    properties: dict[str, Any] = {
        "provisioningState": vm.provisioning_state,
        "latestModelApplied": vm.latest_model_applied,
        "vmId": vm.vm_id,
        "timeCreated": iso_time(clock, vm.time_created),
    }
    if isinstance(sku, dict) and isinstance(sku.get("name"), str):
        properties["hardwareProfile"] = {"vmSize": sku["name"]}
    properties.update(_vm_profiles(scale_set, vm, vm_id))
    if deletion_status:
        properties["resilientVMDeletionStatus"] = vm.deletion_status
    if instance_view:
        properties["instanceView"] = _instance_view(clock, vm)
    if user_data:
        ss_props = scale_set.spec.get("properties")
        profile = ss_props.get("virtualMachineProfile") if isinstance(ss_props, dict) else None
        if isinstance(profile, dict) and "userData" in profile:
            properties["userData"] = profile["userData"]
    body: dict[str, Any] = {
        "id": vm_id,
        "name": vm.name,
        "type": VM_TYPE,
        "location": scale_set.spec.get("location"),
        "instanceId": vm.instance_id,
    }
    if isinstance(sku, dict):
        body["sku"] = {k: v for k, v in sku.items() if k in ("name", "tier")}
    tags = scale_set.spec.get("tags")
    if isinstance(tags, dict) and tags:
        body["tags"] = dict(tags)
    if etag:
        body["etag"] = _quoted_etag(vm.etag)
    body["properties"] = properties
    return body


def vm_body_key(scale_set: ScaleSetLike, vm: VMLike) -> tuple[object, ...]:
    """Every value ``vm_json`` reads (besides the clock): equal keys serialise alike.

    The spec is compared by identity first; the backend replaces it on PUT and PATCH and bumps
    the scale set's etag whenever it edits it in place, and both are part of the key.
    """
    return (
        scale_set.subscription,
        scale_set.resource_group,
        scale_set.name,
        scale_set.etag,
        scale_set.spec,
        vm.instance_id,
        vm.name,
        vm.vm_id,
        vm.os_type,
        vm.time_created,
        vm.provisioning_state,
        vm.power_state,
        vm.latest_model_applied,
        vm.etag,
        vm.deletion_status,
    )


def operation_json(operation: OperationLike, clock: ClockLike) -> dict[str, Any]:
    """The Azure-AsyncOperation status body."""
    body: dict[str, Any] = {
        "name": operation.id,
        "status": operation.status,
        "startTime": iso_time(clock, operation.start_time),
    }
    if operation.end_time is not None:
        body["endTime"] = iso_time(clock, operation.end_time)
    if operation.error is not None and operation.status != "Succeeded":
        body["error"] = json_copy(dict(operation.error))
    return body


def feature_json(sub: str, feature: FeatureLike) -> dict[str, Any]:
    """A Microsoft.Features feature body."""
    return {
        "id": (
            f"/subscriptions/{sub}/providers/Microsoft.Features/providers/"
            f"{feature.namespace}/features/{feature.name}"
        ),
        "name": f"{feature.namespace}/{feature.name}",
        "type": FEATURE_TYPE,
        "properties": {"state": feature.state},
    }
