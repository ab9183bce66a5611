"""The VM's PUT (``scale_set_vms.begin_update``): the rules it is checked by, and its handler.

The body is checked against ``VirtualMachineScaleSetVM`` of its api-version first (unknown
members 400 ``InvalidRequestContent``, read-only members dropped). Then (docs/fake/lifecycle.md):

- ``location`` is required, as the published definition says;
- ``properties.protectionPolicy`` is the one member that changes: ``protectFromScaleSetActions``
  with ``protectFromScaleIn: false`` is refused (Microsoft's instance protection page: "You can't
  specify protectFromScaleIn: false when setting protectFromScaleSetActions: true"), and so is
  any protection of a Flexible scale set's VM before api-version 2023-09-01;
- every other writable member must equal what the VM shows (the fake derives those from the
  scale set's model): a different value is 400 ``PropertyChangeNotAllowed`` naming it, so a
  GET-modify-PUT round-trips and nothing changes silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fakevmss._errors import PROPERTY_CHANGE_NOT_ALLOWED, ArmException, invalid_parameter
from fakevmss._http import WireResponse
from fakevmss._wire._call import Call, Env, etag_headers, json_response
from fakevmss._wire._serialize import VMBodies
from fakevmss._wire._types import ScaleSetLike, VMLike
from fakevmss._wire._versions import has_etag, has_flexible_protection, has_vm_time_created

__all__ = ["OPERATION_ID", "protection_of", "unchanged_or_refuse", "update_vm"]

#: The published operation of the VM's PUT (its body definition is the VM's).
OPERATION_ID = "VirtualMachineScaleSetVMs_Update"

_POLICY = "properties.protectionPolicy"


def protection_of(body: Mapping[str, Any], mode: str, version: str) -> dict[str, bool] | None:
    """The protection policy a VM PUT sets (None: none), both flags resolved.

    Raises:
        ArmException: 400 ``InvalidParameter`` (see the module docstring).
    """
    properties = body.get("properties")
    policy = properties.get("protectionPolicy") if isinstance(properties, Mapping) else None
    if not isinstance(policy, Mapping):
        return None
    scale_in = policy.get("protectFromScaleIn")
    actions = policy.get("protectFromScaleSetActions") is True
    if actions and scale_in is False:
        raise invalid_parameter(
            f"{_POLICY}.protectFromScaleIn",
            "protectFromScaleIn cannot be false when protectFromScaleSetActions is true: "
            "protecting a VM from scale set actions protects it from scale-in too.",
        )
    if mode == "Flexible" and not has_flexible_protection(version):
        raise invalid_parameter(
            _POLICY,
            f"Instance protection of a VM in a Flexible scale set needs api-version "
            f"2023-09-01 or later, not '{version}'.",
        )
    return {
        "protectFromScaleIn": scale_in is True or actions,
        "protectFromScaleSetActions": actions,
    }


def _changed(path: str) -> ArmException:
    return ArmException(
        400,
        PROPERTY_CHANGE_NOT_ALLOWED,
        f"Changing property '{path}' is not allowed: the fake takes a scale set VM's "
        "profiles from the scale set's model; only properties.protectionPolicy changes.",
        target=path,
    )


def _same_location(given: Any, shown: Any) -> bool:
    def norm(value: Any) -> str:
        return str(value).replace(" ", "").lower()

    return norm(given) == norm(shown)


def unchanged_or_refuse(body: Mapping[str, Any], shown: Mapping[str, Any]) -> None:
    """Refuse a writable member of ``body`` (but the protection policy) that ``shown`` lacks.

    ``shown`` is the VM's body, normalised as a request body would be.

    Raises:
        ArmException: 400 ``InvalidParameter`` without ``location``, 400
            ``PropertyChangeNotAllowed`` naming the first member that differs.
    """
    if "location" not in body:
        raise invalid_parameter("location", "Required parameter 'location' is missing.")
    for key, value in body.items():
        if key == "location":
            if not _same_location(value, shown.get("location")):
                raise _changed("location")
        elif key != "properties" and value != shown.get(key):
            raise _changed(key)
    properties = body.get("properties") or {}
    now = shown.get("properties") or {}
    for key, value in properties.items():
        if key != "protectionPolicy" and value != now.get(key):
            raise _changed(f"properties.{key}")


def _shown(env: Env, call: Call, scale_set: ScaleSetLike, vm: VMLike) -> dict[str, Any]:
    """The VM's body as a PUT of it would read after the schema check."""
    body = VMBodies(
        scale_set,
        env.clock,
        etag=False,
        deletion_status=False,
        user_data=True,
        time_created=has_vm_time_created(call.version),
    )
    return env.body_checker.check(OPERATION_ID, call.version, body.body(vm), b"", strict=False)


def update_vm(env: Env, call: Call) -> WireResponse:
    """``PUT S/{name}/virtualMachines/{id}``: 200, the VM (``Updating``) and the LRO header."""
    assert call.body is not None
    scale_set = env.backend.sets.get(*call.key)
    vm = env.backend.vms.get(*call.key, call.instance_id)
    protection = protection_of(call.body, scale_set.orchestration_mode, call.version)
    unchanged_or_refuse(call.body, _shown(env, call, scale_set, vm))
    etag = has_etag(call.version)
    vm, operation = env.backend.vms.put(
        *call.key,
        call.instance_id,
        protection,
        if_match=call.request.header("If-Match") if etag else None,
        if_none_match=call.request.header("If-None-Match") if etag else None,
    )
    body = VMBodies(
        scale_set,
        env.clock,
        etag=etag,
        deletion_status=False,
        time_created=has_vm_time_created(call.version),
    ).body(vm)
    return json_response(200, body, etag_headers(body, env.lro_headers(call, operation)))
