"""The operation table and the pure request builder: every method declared once, with the
wire the published definitions give; ``prepare`` checks and gates without an event loop."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from sdk_support import ScriptedTransport, scripted_client

from aiovmss import ApiVersion, ComputeClient
from aiovmss._catalog import (
    ALL_OPERATIONS,
    RESULT_MODELS,
    FeatureOps,
    ScaleSetOps,
    ScaleSetVMOps,
    result_model,
)
from aiovmss._operation import FinalStateVia, Operation, Param, Scope, check_param, result_registry
from aiovmss.errors import ApiVersionError
from aiovmss.models import (
    ArmModel,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceIDs,
)

TABLES = {"scale_sets": ScaleSetOps, "scale_set_vms": ScaleSetVMOps, "features": FeatureOps}


def _client() -> ComputeClient:
    return scripted_client(ScriptedTransport())


def _public_methods(group: object) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(type(group), inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("group_name", sorted(TABLES))
def test_every_method_has_exactly_its_operation(group_name: str) -> None:
    group = getattr(_client(), group_name)
    table = TABLES[group_name]
    declared = {name for name, value in vars(table).items() if isinstance(value, Operation)}
    assert _public_methods(group) == declared
    for name in declared:
        operation = getattr(table, name)
        assert operation.name == f"{group_name}.{name}" and operation.verb == name
        assert operation.long_running == name.startswith("begin_")
        assert operation.paged == name.startswith("list")


def test_operation_names_are_unique_and_results_are_classes() -> None:
    names = [op.name for op in ALL_OPERATIONS]
    assert len(names) == len(set(names))
    for op in ALL_OPERATIONS:
        assert op.result is None or issubclass(op.result, ArmModel), op.name
        assert op.body is None or issubclass(op.body, ArmModel), op.name
        assert op.long_running or op.result is not None, op.name


def test_result_registry_is_derived_from_the_table() -> None:
    assert dict(RESULT_MODELS) == {
        "VirtualMachineScaleSet": VirtualMachineScaleSet,
        "VirtualMachineScaleSetVM": VirtualMachineScaleSetVM,
    }
    assert result_model("VirtualMachineScaleSetVM") is VirtualMachineScaleSetVM
    assert result_model(None) is None
    with pytest.raises(ValueError, match="unknown LRO result type"):
        result_model("os.system")


def test_result_registry_refuses_two_classes_of_one_name() -> None:
    scope = Scope("/x")

    class VirtualMachineScaleSet(ArmModel):  # same name, another class
        pass

    ops: list[Operation[Any]] = [
        Operation("a.begin_x", "PUT", scope, result=VirtualMachineScaleSet, long_running=True),
        Operation("a.begin_y", "PUT", scope, result=VirtualMachineScaleSet, long_running=True),
    ]
    assert set(result_registry(ops)) == {"VirtualMachineScaleSet"}
    from aiovmss.models import VirtualMachineScaleSet as Real

    ops.append(Operation("a.begin_z", "PUT", scope, result=Real, long_running=True))
    with pytest.raises(ValueError, match="two LRO result models"):
        result_registry(ops)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("PUT", FinalStateVia.ORIGINAL_URI),
        ("PATCH", FinalStateVia.ORIGINAL_URI),
        ("POST", FinalStateVia.LOCATION),
    ],
)
def test_final_state_via_defaults(method: str, expected: FinalStateVia) -> None:
    op = Operation(
        "a.begin_x", method, Scope("/x"), result=VirtualMachineScaleSet, long_running=True
    )
    assert op.final_state_via is expected
    no_result: Operation[None] = Operation("a.begin_y", method, Scope("/x"), long_running=True)
    assert no_result.final_state_via is None
    explicit = Operation(
        "a.begin_z", method, Scope("/x"), result=VirtualMachineScaleSet, long_running=True,
        final_state_via=FinalStateVia.LOCATION,
    )  # fmt: skip
    assert explicit.final_state_via is FinalStateVia.LOCATION


def test_an_operation_is_not_both_paged_and_long_running() -> None:
    with pytest.raises(ValueError, match="not both"):
        Operation("a.x", "GET", Scope("/x"), paged=True, long_running=True)


@pytest.mark.parametrize(
    ("param", "value", "wire"),
    [
        (Param("b", "b", bool), True, "true"),
        (Param("b", "b", bool), False, "false"),
        (Param("b", "b", bool), None, None),
        (Param("s", "s"), "x y", "x y"),
        (Param("s", "s"), None, None),
    ],
)
def test_check_param(param: Param, value: object, wire: str | None) -> None:
    assert check_param(param, value) == wire


@pytest.mark.parametrize(
    ("param", "value"),
    [
        (Param("b", "flag", bool), "true"),
        (Param("b", "flag", bool), 1),
        (Param("s", "flag"), 3),
        (Param("b", "flag", bool, always=True), None),
    ],
)
def test_check_param_refuses_wrong_types(param: Param, value: object) -> None:
    with pytest.raises(TypeError, match="flag must be a"):
        check_param(param, value)


# --- prepare: the pure request builder ------------------------------------------------------


def _context(api_version: str) -> Any:
    client = scripted_client(ScriptedTransport(), api_version)
    return client.scale_sets._ctx


def test_prepare_builds_url_resource_and_body_without_sending() -> None:
    ctx = _context("2024-07-01")
    body = VirtualMachineScaleSetVMInstanceIDs(instance_ids=["0"])
    request = ctx.prepare(ScaleSetOps.begin_power_off, ("rg", "web"), {"skip_shutdown": True}, body)
    base = "https://management.azure.com/subscriptions/sub/resourceGroups/rg/providers"
    assert request.url == (
        f"{base}/Microsoft.Compute/virtualMachineScaleSets/web/poweroff"
        "?api-version=2024-07-01&skipShutdown=true"
    )
    assert request.resource_url == (
        f"{base}/Microsoft.Compute/virtualMachineScaleSets/web?api-version=2024-07-01"
    )
    assert request.resource == "rg/web" and request.headers is None
    assert request.json == {"instanceIds": ["0"]}


def test_prepare_percent_encodes_names_and_values() -> None:
    ctx = _context("2024-07-01")
    request = ctx.prepare(ScaleSetVMOps.list, ("rg", "wéb"), {"filter": "a eq 'b&c'"})
    assert "/virtualMachineScaleSets/w%C3%A9b/virtualMachines?" in request.url
    assert request.url.endswith("?api-version=2024-07-01&$filter=a%20eq%20%27b%26c%27")


def test_prepare_gates_before_building_anything() -> None:
    ctx = _context("2023-07-01")
    with pytest.raises(ApiVersionError, match=r"scale_sets\.begin_approve_rolling_upgrade"):
        ctx.prepare(ScaleSetOps.begin_approve_rolling_upgrade, ("rg", "web"), {})
    with pytest.raises(ApiVersionError, match="If-Match"):
        ctx.prepare(ScaleSetVMOps.begin_update, ("rg", "web", "0"), {"if_match": "*"}, {})
    body = {"forceUpdateOSDiskForEphemeral": False}
    with pytest.raises(ApiVersionError, match="forceUpdateOSDiskForEphemeral"):
        ctx.prepare(ScaleSetVMOps.begin_reimage, ("rg", "web", "0"), {}, body)
    # the same calls pass at 2024-07-01
    new = _context("2024-07-01")
    new.prepare(ScaleSetOps.begin_approve_rolling_upgrade, ("rg", "web"), {})
    new.prepare(ScaleSetVMOps.begin_reimage, ("rg", "web", "0"), {}, body)


def test_prepare_features_use_their_own_api_version() -> None:
    request = _context("2023-07-01").prepare(FeatureOps.get, ("Microsoft.Compute", "F"), {})
    assert request.url.endswith("/features/F?api-version=2021-07-01")
    assert request.resource == "Microsoft.Compute/F"


def test_api_version_ordering() -> None:
    assert ApiVersion.V2024_07_01.at_least(ApiVersion.V2023_07_01)
    assert not ApiVersion.V2023_07_01.at_least(ApiVersion.V2024_07_01)
    ApiVersion.V2023_07_01.require_since(None, "anything")
    with pytest.raises(ApiVersionError, match="x needs api-version 2024-07-01 or later"):
        ApiVersion.V2023_07_01.require_since(ApiVersion.V2024_07_01, "x")
