"""The table of every operation the client speaks, each declared once (``_operation.Operation``).

Paths, query parameters, bodies, results and api-version gates follow the published
Microsoft.Compute definitions for 2023-07-01 and 2024-07-01, spelling included (the spec
writes ``virtualmachines`` for four VM actions; ARM matches paths case-insensitively).
``docs/client/operations.md`` lists the same table for readers. The registry of
long-running result models, which continuation tokens name, is derived from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from aiovmss._operation import Operation, Param, Scope, action, result_registry
from aiovmss._versions import ApiVersion
from aiovmss.models import (
    ArmModel,
    FeatureResult,
    Page,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetInstanceView,
    VirtualMachineScaleSetListResult,
    VirtualMachineScaleSetListSkusResult,
    VirtualMachineScaleSetReimageParameters,
    VirtualMachineScaleSetSku,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceIDs,
    VirtualMachineScaleSetVMInstanceRequiredIDs,
    VirtualMachineScaleSetVMInstanceView,
    VirtualMachineScaleSetVMListResult,
    VirtualMachineScaleSetVMReimageParameters,
)

__all__ = [
    "ALL_OPERATIONS",
    "FEATURES_API_VERSION",
    "RESULT_MODELS",
    "FeatureOps",
    "ScaleSetOps",
    "ScaleSetVMOps",
    "result_model",
]

FEATURES_API_VERSION: Final = "2021-07-01"
"""The Microsoft.Features api-version (independent of the client's Compute api-version)."""

V2024 = ApiVersion.V2024_07_01
_SETS = "/resourceGroups/{}/providers/Microsoft.Compute/virtualMachineScaleSets"
_SET = f"{_SETS}/{{}}"
_SET_KINDS = ("resource group", "scale set name")
_VM_KINDS = (*_SET_KINDS, "instance id")

RESOURCE_GROUP = Scope(_SETS, ("resource group",), "{}")
SUBSCRIPTION = Scope("/providers/Microsoft.Compute/virtualMachineScaleSets")
SCALE_SET = Scope(_SET, _SET_KINDS, "{}/{}")
SCALE_SET_VMS = Scope(f"{_SET}/virtualMachines", _SET_KINDS, "{}/{}")
VM = Scope(f"{_SET}/virtualMachines/{{}}", _VM_KINDS, "{}/{}/virtualMachines/{}")
VM_LOWER = Scope(f"{_SET}/virtualmachines/{{}}", _VM_KINDS, "{}/{}/virtualMachines/{}")
FEATURE = Scope(
    "/providers/Microsoft.Features/providers/{}/features/{}",
    ("feature namespace", "feature name"),
    "{}/{}",
)

EXPAND = Param("$expand", "expand")
FILTER = Param("$filter", "filter")
SELECT = Param("$select", "select")
FORCE_DELETION = Param("forceDeletion", "force_deletion", bool, always=True)
IF_MATCH = Param("If-Match", "if_match", where="header", since=V2024)
IF_NONE_MATCH = Param("If-None-Match", "if_none_match", where="header", since=V2024)
SKIP_SHUTDOWN = Param("skipShutdown", "skip_shutdown", bool)
HIBERNATE = Param("hibernate", "hibernate", bool)
_FORCE_EPHEMERAL = (("forceUpdateOSDiskForEphemeral", V2024),)
_IDS = VirtualMachineScaleSetVMInstanceIDs


class ScaleSetOps:
    """``client.scale_sets``: one attribute per method, named after it."""

    begin_create_or_update = Operation(
        "scale_sets.begin_create_or_update", "PUT", SCALE_SET,
        params=(IF_MATCH, IF_NONE_MATCH), body=VirtualMachineScaleSet, body_required=True,
        result=VirtualMachineScaleSet, long_running=True,
    )  # fmt: skip
    begin_update = Operation(
        "scale_sets.begin_update", "PATCH", SCALE_SET, params=(IF_MATCH,),
        body=VirtualMachineScaleSetUpdate, body_required=True, result=VirtualMachineScaleSet,
        long_running=True,
    )  # fmt: skip
    begin_set_resiliency_policy = Operation(
        "scale_sets.begin_set_resiliency_policy", "PATCH", SCALE_SET,
        body=VirtualMachineScaleSetUpdate, body_required=True, result=VirtualMachineScaleSet,
        long_running=True,
    )  # fmt: skip
    get = Operation(
        "scale_sets.get", "GET", SCALE_SET, params=(EXPAND,), result=VirtualMachineScaleSet
    )
    list: Operation[Page[VirtualMachineScaleSet]] = Operation(
        "scale_sets.list", "GET", RESOURCE_GROUP,
        result=VirtualMachineScaleSetListResult, paged=True,
    )  # fmt: skip
    list_all: Operation[Page[VirtualMachineScaleSet]] = Operation(
        "scale_sets.list_all", "GET", SUBSCRIPTION,
        result=VirtualMachineScaleSetListResult, paged=True,
    )  # fmt: skip
    begin_delete: Operation[None] = Operation(
        "scale_sets.begin_delete", "DELETE", SCALE_SET, params=(FORCE_DELETION,),
        long_running=True,
    )  # fmt: skip
    begin_delete_instances = action(
        "scale_sets.begin_delete_instances", SCALE_SET, "/delete",
        body=VirtualMachineScaleSetVMInstanceRequiredIDs, body_required=True,
        params=(FORCE_DELETION,),
    )  # fmt: skip
    get_instance_view = Operation(
        "scale_sets.get_instance_view", "GET", SCALE_SET, "/instanceView",
        result=VirtualMachineScaleSetInstanceView,
    )  # fmt: skip
    list_skus: Operation[Page[VirtualMachineScaleSetSku]] = Operation(
        "scale_sets.list_skus", "GET", SCALE_SET, "/skus",
        result=VirtualMachineScaleSetListSkusResult, paged=True,
    )  # fmt: skip
    # The POST actions: long-running, no result; an absent instanceIds list means every VM.
    begin_start = action("scale_sets.begin_start", SCALE_SET, "/start", body=_IDS)
    begin_power_off = action(
        "scale_sets.begin_power_off", SCALE_SET, "/poweroff", body=_IDS, params=(SKIP_SHUTDOWN,)
    )
    begin_deallocate = action(
        "scale_sets.begin_deallocate", SCALE_SET, "/deallocate", body=_IDS, params=(HIBERNATE,)
    )
    begin_restart = action("scale_sets.begin_restart", SCALE_SET, "/restart", body=_IDS)
    begin_redeploy = action("scale_sets.begin_redeploy", SCALE_SET, "/redeploy", body=_IDS)
    begin_perform_maintenance = action(
        "scale_sets.begin_perform_maintenance", SCALE_SET, "/performMaintenance", body=_IDS
    )
    begin_reimage = action(
        "scale_sets.begin_reimage", SCALE_SET, "/reimage",
        body=VirtualMachineScaleSetReimageParameters, body_since=_FORCE_EPHEMERAL,
    )  # fmt: skip
    begin_reimage_all = action("scale_sets.begin_reimage_all", SCALE_SET, "/reimageall", body=_IDS)
    begin_update_instances = action(
        "scale_sets.begin_update_instances", SCALE_SET, "/manualupgrade",
        body=VirtualMachineScaleSetVMInstanceRequiredIDs, body_required=True,
    )  # fmt: skip
    begin_approve_rolling_upgrade = action(
        "scale_sets.begin_approve_rolling_upgrade", SCALE_SET, "/approveRollingUpgrade",
        body=_IDS, since=V2024,
    )  # fmt: skip


class ScaleSetVMOps:
    """``client.scale_set_vms``: one attribute per method, named after it."""

    list: Operation[Page[VirtualMachineScaleSetVM]] = Operation(
        "scale_set_vms.list", "GET", SCALE_SET_VMS, params=(EXPAND, FILTER, SELECT),
        result=VirtualMachineScaleSetVMListResult, paged=True,
    )  # fmt: skip
    get = Operation(
        "scale_set_vms.get", "GET", VM, params=(EXPAND,), result=VirtualMachineScaleSetVM
    )
    begin_delete: Operation[None] = Operation(
        "scale_set_vms.begin_delete", "DELETE", VM, params=(FORCE_DELETION,), long_running=True
    )
    get_instance_view = Operation(
        "scale_set_vms.get_instance_view", "GET", VM, "/instanceView",
        result=VirtualMachineScaleSetVMInstanceView,
    )  # fmt: skip
    begin_update = Operation(
        "scale_set_vms.begin_update", "PUT", VM, params=(IF_MATCH, IF_NONE_MATCH),
        body=VirtualMachineScaleSetVM, body_required=True, result=VirtualMachineScaleSetVM,
        long_running=True,
    )  # fmt: skip
    begin_start = action("scale_set_vms.begin_start", VM_LOWER, "/start")
    begin_power_off = action(
        "scale_set_vms.begin_power_off", VM_LOWER, "/poweroff", params=(SKIP_SHUTDOWN,)
    )
    begin_deallocate = action("scale_set_vms.begin_deallocate", VM, "/deallocate")
    begin_restart = action("scale_set_vms.begin_restart", VM_LOWER, "/restart")
    begin_redeploy = action("scale_set_vms.begin_redeploy", VM_LOWER, "/redeploy")
    begin_reimage = action(
        "scale_set_vms.begin_reimage", VM, "/reimage",
        body=VirtualMachineScaleSetVMReimageParameters, body_since=_FORCE_EPHEMERAL,
    )  # fmt: skip
    begin_reimage_all = action("scale_set_vms.begin_reimage_all", VM, "/reimageall")


class FeatureOps:
    """``client.features``: Microsoft.Features at its own api-version."""

    register = Operation(
        "features.register", "POST", FEATURE, "/register",
        result=FeatureResult, api_version=FEATURES_API_VERSION,
    )  # fmt: skip
    get = Operation(
        "features.get", "GET", FEATURE, result=FeatureResult, api_version=FEATURES_API_VERSION
    )


def _operations_of(*tables: type) -> tuple[Operation[Any], ...]:
    """Every ``Operation`` attribute of ``tables``, in declaration order."""
    return tuple(
        value for table in tables for value in vars(table).values() if isinstance(value, Operation)
    )


ALL_OPERATIONS: Final = _operations_of(ScaleSetOps, ScaleSetVMOps, FeatureOps)
"""Every operation of the client."""

RESULT_MODELS: Final[Mapping[str, type[ArmModel]]] = result_registry(ALL_OPERATIONS)
"""``{model name: class}`` of every long-running result (continuation tokens name them)."""


def result_model(name: str | None) -> type[ArmModel] | None:
    """The result model a continuation token names (None: the operation returns nothing).

    Raises:
        ValueError: no long-running operation returns a model of that name.
    """
    if name is None:
        return None
    model = RESULT_MODELS.get(name)
    if model is None:
        raise ValueError(f"unknown LRO result type {name!r}")
    return model
