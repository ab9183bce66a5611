"""Every operation the fake serves, declared once: the endpoint registry.

Routing, the handler, whether a body is taken and which published operation checks it, the
api-version gate, how a long-running operation answers, the Compute policies a request charges
(``throttling``, read by ``_throttle``) and the names a bad path segment is reported under all
come from the entry (``_app`` reads nothing else). Adding an operation is
one entry here, its handler and its backend method; ``tests/fakes/test_endpoints.py`` fails if
an entry lacks a handler, names an operation the published schema lacks, or disagrees with it
on the method, the path or the body.
"""

from __future__ import annotations

from dataclasses import dataclass

from fakevmss._limits import _charges as charges
from fakevmss._vm_ops import VMOp
from fakevmss._wire import _operations, _scale_sets, _views, _vms
from fakevmss._wire._actions import approve_rolling_upgrade, scale_set_action, vm_action
from fakevmss._wire._call import Body, Endpoint, Lro
from fakevmss._wire._routes import Router
from fakevmss._wire._vm_update import update_vm

__all__ = ["ENDPOINTS", "EndpointMatch", "resolve"]

_SUB = "subscriptions/{subscriptionId}"
_COMPUTE = "providers/Microsoft.Compute"
_SETS = f"{_SUB}/resourceGroups/{{resourceGroupName}}/{_COMPUTE}/virtualMachineScaleSets"
_SET = f"{_SETS}/{{vmScaleSetName}}"
_VM = f"{_SET}/virtualMachines/{{instanceId}}"
_FEATURE = (
    f"{_SUB}/providers/Microsoft.Features/providers/{{resourceProviderNamespace}}"
    "/features/{featureName}"
)
_OPERATION = f"{_SUB}/{_COMPUTE}/locations/{{location}}/operations/{{operationId}}"
_SS_OPS = "VirtualMachineScaleSets_"
_VM_OPS = "VirtualMachineScaleSetVMs_"
_VM_LOWER = f"{_SET}/virtualmachines/{{instanceId}}"  # as the published files spell four paths


def _set_action(op: VMOp, segment: str, operation: str, body: Body = Body.OPTIONAL) -> Endpoint:
    """``POST S/{name}/<segment>``: a VM operation on some or all of a scale set's VMs."""
    handler = scale_set_action(op, ids_required=body is Body.REQUIRED)
    return Endpoint(
        f"scale_sets.begin_{op.value}", "POST", f"{_SET}/{segment}", handler,
        f"{_SS_OPS}{operation}", body, lro=Lro.WITH_LOCATION,
    )  # fmt: skip


def _vm_action(op: VMOp, path: str, operation: str, body: Body = Body.NONE) -> Endpoint:
    """``POST V/<segment>``: a VM operation on one VM."""
    return Endpoint(
        f"scale_set_vms.begin_{op.value}", "POST", path, vm_action(op), f"{_VM_OPS}{operation}",
        body, lro=Lro.WITH_LOCATION,
    )  # fmt: skip


# fmt: off
ENDPOINTS: tuple[Endpoint, ...] = (
    # Scale sets.
    Endpoint(
        "scale_sets.list", "GET", _SETS, _scale_sets.list_scale_sets, f"{_SS_OPS}List",
        throttling=charges.LIST,
    ),
    Endpoint(
        "scale_sets.list_all", "GET", f"{_SUB}/{_COMPUTE}/virtualMachineScaleSets",
        _scale_sets.list_scale_sets, f"{_SS_OPS}ListAll", throttling=charges.LIST,
    ),
    Endpoint(
        "scale_sets.get", "GET", _SET, _scale_sets.get_scale_set, f"{_SS_OPS}Get",
        throttling=charges.GET_SCALE_SET,
    ),
    Endpoint(
        "scale_sets.begin_create_or_update", "PUT", _SET, _scale_sets.create_or_update,
        f"{_SS_OPS}CreateOrUpdate", Body.REQUIRED, lro=Lro.ASYNC_OPERATION,
        throttling=charges.PUT_SCALE_SET,
    ),
    Endpoint(
        "scale_sets.begin_update", "PATCH", _SET, _scale_sets.update, f"{_SS_OPS}Update",
        Body.REQUIRED, lro=Lro.WITH_LOCATION, throttling=charges.PUT_SCALE_SET,
    ),
    Endpoint(
        "scale_sets.begin_delete", "DELETE", _SET, _scale_sets.delete_scale_set,
        f"{_SS_OPS}Delete", lro=Lro.WITH_LOCATION, throttling=charges.DELETE_SCALE_SET,
    ),
    Endpoint(
        "scale_sets.begin_delete_instances", "POST", f"{_SET}/delete",
        _scale_sets.delete_instances, f"{_SS_OPS}DeleteInstances", Body.REQUIRED,
        lro=Lro.WITH_LOCATION, throttling=charges.DELETE_INSTANCES,
    ),
    Endpoint(
        "scale_sets.get_instance_view", "GET", f"{_SET}/instanceView", _views.get_instance_view,
        f"{_SS_OPS}GetInstanceView",
    ),
    Endpoint("scale_sets.list_skus", "GET", f"{_SET}/skus", _views.list_skus, f"{_SS_OPS}ListSkus"),
    # Scale set actions: a VM operation on the VMs named in the body (none named: every VM).
    _set_action(VMOp.START, "start", "Start"),
    _set_action(VMOp.POWER_OFF, "poweroff", "PowerOff"),
    _set_action(VMOp.DEALLOCATE, "deallocate", "Deallocate"),
    _set_action(VMOp.RESTART, "restart", "Restart"),
    _set_action(VMOp.REIMAGE, "reimage", "Reimage"),
    _set_action(VMOp.REIMAGE_ALL, "reimageall", "ReimageAll"),
    _set_action(VMOp.REDEPLOY, "redeploy", "Redeploy"),
    _set_action(VMOp.PERFORM_MAINTENANCE, "performMaintenance", "PerformMaintenance"),
    _set_action(VMOp.UPDATE_INSTANCES, "manualupgrade", "UpdateInstances", Body.REQUIRED),
    Endpoint(
        "scale_sets.begin_approve_rolling_upgrade", "POST", f"{_SET}/approveRollingUpgrade",
        approve_rolling_upgrade, f"{_SS_OPS}ApproveRollingUpgrade", Body.OPTIONAL,
        since="2024-07-01", lro=Lro.WITH_LOCATION,
    ),
    # Scale set VMs.
    Endpoint(
        "scale_set_vms.list", "GET", f"{_SET}/virtualMachines", _vms.list_vms, f"{_VM_OPS}List",
        throttling=charges.LIST,
    ),
    Endpoint(
        "scale_set_vms.get", "GET", _VM, _vms.get_vm, f"{_VM_OPS}Get", throttling=charges.GET_VM
    ),
    Endpoint(
        "scale_set_vms.begin_delete", "DELETE", _VM, _vms.delete_vm, f"{_VM_OPS}Delete",
        lro=Lro.WITH_LOCATION, throttling=charges.DELETE_VM,
    ),
    Endpoint(
        "scale_set_vms.begin_update", "PUT", _VM, update_vm, f"{_VM_OPS}Update", Body.REQUIRED,
        lro=Lro.ASYNC_OPERATION,
    ),
    Endpoint(
        "scale_set_vms.get_instance_view", "GET", f"{_VM}/instanceView",
        _views.get_vm_instance_view, f"{_VM_OPS}GetInstanceView",
    ),
    _vm_action(VMOp.START, f"{_VM_LOWER}/start", "Start"),
    _vm_action(VMOp.POWER_OFF, f"{_VM_LOWER}/poweroff", "PowerOff"),
    _vm_action(VMOp.DEALLOCATE, f"{_VM}/deallocate", "Deallocate"),
    _vm_action(VMOp.RESTART, f"{_VM_LOWER}/restart", "Restart"),
    _vm_action(VMOp.REIMAGE, f"{_VM}/reimage", "Reimage", Body.OPTIONAL),
    _vm_action(VMOp.REIMAGE_ALL, f"{_VM}/reimageall", "ReimageAll"),
    _vm_action(VMOp.REDEPLOY, f"{_VM_LOWER}/redeploy", "Redeploy"),
    _vm_action(VMOp.PERFORM_MAINTENANCE, f"{_VM_LOWER}/performMaintenance", "PerformMaintenance"),
    Endpoint(
        "scale_set_vms.begin_approve_rolling_upgrade", "POST", f"{_VM}/approveRollingUpgrade",
        approve_rolling_upgrade, f"{_VM_OPS}ApproveRollingUpgrade", since="2024-07-01",
        lro=Lro.WITH_LOCATION,
    ),
    # Operations and features.
    Endpoint(
        "operations.get", "GET", _OPERATION, _operations.get_operation,
        throttling=charges.GET_OPERATION,
    ),
    Endpoint("features.get", "GET", _FEATURE, _operations.get_feature, any_api_version=True),
    Endpoint(
        "features.register", "POST", f"{_FEATURE}/register", _operations.register_feature,
        any_api_version=True,
    ),
)
# fmt: on

_ROUTER: Router[Endpoint] = Router((e.template, e.method, e) for e in ENDPOINTS)


@dataclass(frozen=True, slots=True)
class EndpointMatch:
    """The endpoint a request reached, and its decoded path parameters."""

    endpoint: Endpoint
    params: dict[str, str]

    @property
    def name(self) -> str:
        """The endpoint's name (the client method it serves)."""
        return self.endpoint.name


def resolve(method: str, path: str) -> EndpointMatch:
    """The endpoint serving ``method`` on ``path``.

    Raises:
        ArmException: 404 ``InvalidResourceType`` for an unknown path, 405
            ``MethodNotAllowed`` for a known path and a method it does not serve.
    """
    endpoint, params = _ROUTER.resolve(method, path)
    return EndpointMatch(endpoint, params)
