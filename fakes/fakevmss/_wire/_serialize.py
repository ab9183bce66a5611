"""State objects to ARM JSON, shaped like the REST spec's examples.

Secrets the real service never returns (``SECRET_PATHS``: ``adminPassword``, ``customData``,
extensions' ``protectedSettings``) are dropped here; ``userData`` appears only when asked for
with ``$expand=userData``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC
from typing import Any, NamedTuple

from fakevmss._wire._instance_views import vm_instance_view
from fakevmss._wire._types import (
    ClockLike,
    FeatureLike,
    OperationLike,
    ScaleSetLike,
    VMLike,
)

__all__ = [
    "SCALE_SET_TYPE",
    "SECRET_PATHS",
    "VM_TYPE",
    "VMBodies",
    "feature_json",
    "iso_time",
    "json_copy",
    "operation_json",
    "quoted_etag",
    "scale_set_id",
    "scale_set_json",
    "vm_body_key",
    "vm_json",
]

SCALE_SET_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
VM_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"
FEATURE_TYPE = "Microsoft.Features/providers/features"
#: Where a scale set body holds members the service never returns (``*``: every item of an
#: array), under ``properties.virtualMachineProfile``. The schema's ``secret`` flags say the
#: same (a test keeps the two equal); spelled out here so serialising loads no schema.
SECRET_PATHS: tuple[tuple[str, ...], ...] = (
    ("osProfile", "adminPassword"),
    ("osProfile", "customData"),
    ("extensionProfile", "extensions", "*", "properties", "protectedSettings"),
    ("securityPostureReference", "excludeExtensions", "*", "properties", "protectedSettings"),
)
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


def quoted_etag(etag: int) -> str:
    """An etag counter as ARM shows it, in the body's ``etag`` and the ``ETag`` header."""
    return f'"{etag}"'


def _strip(value: Any, path: tuple[str, ...]) -> None:
    """Remove the member at ``path`` from ``value`` in place (``*`` walks every array item)."""
    step, rest = path[0], path[1:]
    if step == "*":
        for item in value if isinstance(value, list) else ():
            _strip(item, rest)
    elif isinstance(value, dict):
        if not rest:
            value.pop(step, None)
        elif step in value:
            _strip(value[step], rest)


def _scrub_profile(profile: Any, *, user_data: bool) -> None:
    """Remove secrets (and ``userData`` unless asked for) from a VM profile, in place."""
    if not isinstance(profile, dict):
        return
    if not user_data:
        profile.pop("userData", None)
    for path in SECRET_PATHS:
        _strip(profile, path)


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
        body["etag"] = quoted_etag(scale_set.etag)
    body["properties"] = properties
    return body


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
        if number == 0:
            return digits


def _dict_at(doc: Any, key: str) -> dict[str, Any]:
    value = doc.get(key) if isinstance(doc, dict) else None
    return value if isinstance(value, dict) else {}


class _ModelParts(NamedTuple):
    """What a VM body takes from the model the VM runs (its size, image and user data)."""

    sku: dict[str, Any] | None
    hardware: dict[str, Any] | None
    image: dict[str, Any] | None
    user_data: tuple[bool, Any]


def _model_parts(spec: Mapping[str, Any]) -> _ModelParts:
    profile = _dict_at(spec.get("properties"), "virtualMachineProfile")
    sku = spec.get("sku")
    image = _dict_at(profile, "storageProfile").get("imageReference")
    vm_size = sku.get("name") if isinstance(sku, dict) else None
    return _ModelParts(
        {k: v for k, v in sku.items() if k in ("name", "tier")} if isinstance(sku, dict) else None,
        {"vmSize": vm_size} if isinstance(vm_size, str) else None,
        json_copy(image) if isinstance(image, dict) else None,
        ("userData" in profile, profile.get("userData")),
    )


class VMBodies:
    """Builds the VM bodies of one scale set; what comes from a model is read once.

    ``vm_json`` builds one body; a list page builds all of its bodies with one ``VMBodies``
    (the parts taken from the scale set are then shared between the page's bodies). A VM that
    does not run the latest model shows the size and image of the model it runs.
    """

    def __init__(
        self,
        scale_set: ScaleSetLike,
        clock: ClockLike,
        *,
        etag: bool,
        deletion_status: bool,
        instance_view: bool = False,
        user_data: bool = False,
        time_created: bool = True,
    ) -> None:
        spec = scale_set.spec
        profile = _dict_at(spec.get("properties"), "virtualMachineProfile")
        os_profile = _dict_at(profile, "osProfile")
        prefix, admin = os_profile.get("computerNamePrefix"), os_profile.get("adminUsername")
        tags = spec.get("tags")
        self._clock = clock
        self._scale_set_name = scale_set.name
        self._base_id = f"{scale_set_id(scale_set)}/virtualMachines/"
        self._location = spec.get("location")
        self._spec = spec
        self._latest = _model_parts(spec)
        self._older: dict[int, tuple[Mapping[str, Any], _ModelParts]] = {}
        self._prefix = prefix if isinstance(prefix, str) else scale_set.name
        self._admin = admin if isinstance(admin, str) else None
        self._tags = dict(tags) if isinstance(tags, dict) and tags else None
        self._etag, self._deletion_status = etag, deletion_status
        self._instance_view = instance_view
        self._time_created = time_created
        self._user_data = user_data
        self._times: dict[float, str] = {}

    def _parts(self, vm: VMLike) -> _ModelParts:
        """The parts of the model ``vm`` runs (the latest one unless it lags behind)."""
        model = vm.model
        if model is self._spec:
            return self._latest
        found = self._older.get(id(model))
        if found is None:
            found = self._older[id(model)] = (model, _model_parts(model))
        return found[1]

    def _time(self, t: float) -> str:
        """``iso_time`` of ``t``, once per distinct time (a scale-out shares one)."""
        text = self._times.get(t)
        if text is None:
            text = self._times[t] = iso_time(self._clock, t)
        return text

    def _computer_name(self, vm: VMLike) -> str:
        """Uniform: the prefix plus the instance id in base 36 (6 digits); Flexible: the name."""
        if not vm.instance_id.isdigit() or len(vm.instance_id) > 12:
            return vm.name
        return f"{self._prefix}{_base36(int(vm.instance_id)).rjust(6, '0')}"

    def _properties(self, vm: VMLike, vm_id: str, parts: _ModelParts) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "provisioningState": vm.provisioning_state,
            "latestModelApplied": vm.latest_model_applied,
            "vmId": vm.vm_id,
        }
        if self._time_created:
            properties["timeCreated"] = self._time(vm.time_created)
        if parts.hardware is not None:
            properties["hardwareProfile"] = parts.hardware
        os_disk = f"{self._scale_set_name}_{vm.name}_OsDisk_1_{vm.vm_id.replace('-', '')}"
        storage: dict[str, Any] = {
            "osDisk": {"osType": vm.os_type, "name": os_disk, "createOption": "FromImage"}
        }
        if parts.image is not None:
            storage["imageReference"] = parts.image
        os_json: dict[str, Any] = {"computerName": self._computer_name(vm)}
        if self._admin is not None:
            os_json["adminUsername"] = self._admin
        properties["storageProfile"] = storage
        properties["osProfile"] = os_json
        nic = {"id": f"{vm_id}/networkInterfaces/nic0"}
        properties["networkProfile"] = {"networkInterfaces": [nic]}
        protection = vm.protection
        if protection is not None:
            properties["protectionPolicy"] = dict(protection)
        if self._deletion_status:
            properties["resilientVMDeletionStatus"] = vm.deletion_status
        if self._instance_view:
            properties["instanceView"] = self.instance_view(vm)
        if self._user_data and parts.user_data[0]:
            properties["userData"] = parts.user_data[1]
        return properties

    def instance_view(self, vm: VMLike) -> dict[str, Any]:
        """The VM's instance view (its statuses as of its last state change)."""
        return vm_instance_view(vm, self._computer_name(vm), self._time(vm.status_time))

    def body(self, vm: VMLike) -> dict[str, Any]:
        """The scale set VM resource body of ``vm``."""
        vm_id = self._base_id + vm.instance_id
        body: dict[str, Any] = {
            "id": vm_id,
            "name": vm.name,
            "type": VM_TYPE,
            "location": self._location,
            "instanceId": vm.instance_id,
        }
        parts = self._parts(vm)
        if parts.sku is not None:
            body["sku"] = parts.sku
        if self._tags is not None:
            body["tags"] = self._tags
        if self._etag:
            body["etag"] = quoted_etag(vm.etag)
        body["properties"] = self._properties(vm, vm_id, parts)
        return body


def vm_json(
    scale_set: ScaleSetLike,
    vm: VMLike,
    clock: ClockLike,
    *,
    etag: bool,
    deletion_status: bool,
    instance_view: bool = False,
    user_data: bool = False,
    time_created: bool = True,
) -> dict[str, Any]:
    """The scale set VM resource body."""
    bodies = VMBodies(
        scale_set,
        clock,
        etag=etag,
        deletion_status=deletion_status,
        instance_view=instance_view,
        user_data=user_data,
        time_created=time_created,
    )
    return bodies.body(vm)


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
        vm.status_time,
        vm.protection,
        vm.last_error,
        vm.model,
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
