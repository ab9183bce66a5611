"""Handlers for asynchronous operation status and Microsoft.Features registrations.

The two status URLs (our reading of ARM's asynchronous operation guidance):

- ``Azure-AsyncOperation`` (no ``monitor``): always 200 with ``{name, status, startTime,
  endTime?, error?}``, plus ``Retry-After`` while the operation runs.
- ``Location`` (``monitor=true``): 202 with ``Location`` and ``Retry-After`` while it runs;
  then, when it succeeded, 200 with the resource for a create/update and 204 for a delete.
  When it failed or was canceled the answer is 409 ``Conflict``-class with the operation's own
  ARM error body (code, message, details): the failure is the platform's, not a client mistake,
  so it is never a 400, and the fake keeps 500 for its own bugs. A 200 with an error body would
  read as success to a Location poller, so that is never sent.
"""

from __future__ import annotations

from typing import Any

from fakevmss._errors import OPERATION_FAILED, ArmException
from fakevmss._http import WireResponse
from fakevmss._wire._call import Call, Env, etag_headers, json_response
from fakevmss._wire._routes import Route, split_path
from fakevmss._wire._serialize import feature_json, operation_json, scale_set_json, vm_json
from fakevmss._wire._types import OperationLike
from fakevmss._wire._validate import parse_bool_flag
from fakevmss._wire._versions import has_etag, has_vm_time_created

__all__ = ["get_feature", "get_operation", "register_feature"]

#: Status of a Location poll whose operation ended Failed or Canceled.
FAILED_OPERATION_STATUS = 409

#: The resource a create or update operation ends with, by its ARM id: a scale set or a VM.
_SCALE_SET_ID = Route(
    "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
    "/providers/Microsoft.Compute/virtualMachineScaleSets/{vmScaleSetName}"
)
_VM_ID = Route(f"{_SCALE_SET_ID.template}/virtualMachines/{{instanceId}}")


def _failure(operation: OperationLike) -> ArmException:
    error: dict[str, Any] = dict(operation.error or {})
    details = error.get("details")
    return ArmException(
        FAILED_OPERATION_STATUS,
        str(error.get("code") or OPERATION_FAILED),
        str(error.get("message") or f"The operation ended {operation.status}."),
        target=error.get("target") if isinstance(error.get("target"), str) else None,
        details=details if isinstance(details, list) else None,
    )


def _resource(env: Env, call: Call, resource_id: str) -> dict[str, Any]:
    """The body of the scale set or VM ``resource_id`` names, as GET shows it."""
    parts = split_path(resource_id)
    vm_params = _VM_ID.match(parts)
    params = vm_params or _SCALE_SET_ID.match(parts) or {}
    key = params["subscriptionId"], params["resourceGroupName"], params["vmScaleSetName"]
    scale_set = env.backend.sets.get(*key)
    etag = has_etag(call.version)
    if vm_params is None:
        return scale_set_json(scale_set, env.clock, etag=etag)
    vm = env.backend.vms.get(*key, vm_params["instanceId"])
    return vm_json(
        scale_set,
        vm,
        env.clock,
        etag=etag,
        deletion_status=False,
        time_created=has_vm_time_created(call.version),
    )


def _final_result(env: Env, call: Call, operation: OperationLike) -> WireResponse:
    """The Location poll's answer once ``operation`` has ended."""
    if operation.status != "Succeeded":
        raise _failure(operation)
    if not operation.returns_resource:
        return json_response(204)
    body = _resource(env, call, operation.resource_id)
    return json_response(200, body, etag_headers(body))


def get_operation(env: Env, call: Call) -> WireResponse:
    """``GET .../locations/{loc}/operations/{id}`` with or without ``monitor=true``."""
    monitor = parse_bool_flag("monitor", call.arg("monitor"))
    operation = env.backend.ops.get_operation(call.sub, call.params["operationId"])
    running = operation.status == "InProgress"
    if not monitor:
        headers = {"Retry-After": env.retry_after} if running else {}
        return json_response(200, operation_json(operation, env.clock), headers)
    if running:
        return json_response(202, None, env.lro_headers(call, operation, location=True))
    return _final_result(env, call, operation)


def _feature(call: Call) -> tuple[str, str]:
    return call.params["resourceProviderNamespace"], call.params["featureName"]


def register_feature(env: Env, call: Call) -> WireResponse:
    """``POST .../features/{f}/register``: 200 with the feature (``Registering`` at first)."""
    sub = call.sub
    feature = env.backend.ops.register_feature(sub, *_feature(call))
    return json_response(200, feature_json(sub, feature))


def get_feature(env: Env, call: Call) -> WireResponse:
    """``GET .../features/{f}``: 200 with the feature's registration state."""
    sub = call.sub
    feature = env.backend.ops.get_feature(sub, *_feature(call))
    return json_response(200, feature_json(sub, feature))
