"""Every JSON fixture (ours and the REST spec's examples) parses into its model, losslessly."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from aiovmss.models import (
    ArmModel,
    ErrorResponse,
    FeatureResult,
    FeatureState,
    InstanceViewStatus,
    OperatingSystemTypes,
    OperationStatus,
    OperationStatusValue,
    OrchestrationMode,
    Page,
    ProvisioningState,
    ResilientVMDeletionStatus,
    StatusLevelTypes,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetListResult,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceRequiredIDs,
    VirtualMachineScaleSetVMListResult,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
ARM = FIXTURES / "arm"
SPEC = FIXTURES / "spec_examples"
# SHA-256 of every file as copied from the REST spec repository (see SOURCES.md): a fixture
# edited by hand would no longer be the service's own example.
SPEC_SUMS = FIXTURES / "spec_examples.sha256"


def load(path: Path) -> Any:
    return json.loads(path.read_text())


_DATETIME = TypeAdapter(datetime)


def _same_leaf(original: Any, dumped: Any) -> bool:
    """Leaves differ only where the model normalises: datetimes and enum spellings."""
    if original == dumped:
        return True
    if isinstance(original, str) and isinstance(dumped, str):
        if original.replace(" ", "").casefold() == dumped.casefold():
            return True
        try:
            return _DATETIME.validate_python(original) == _DATETIME.validate_python(dumped)
        except ValidationError:
            return False
    return False


def assert_lossless(original: Any, dumped: Any, path: str = "$") -> None:
    """``dumped`` holds every key and value of ``original`` (modulo normalisation)."""
    if isinstance(original, dict):
        assert isinstance(dumped, dict), path
        assert set(original) == set(dumped), f"{path}: {set(original) ^ set(dumped)}"
        for key, value in original.items():
            assert_lossless(value, dumped[key], f"{path}.{key}")
    elif isinstance(original, list):
        assert isinstance(dumped, list) and len(original) == len(dumped), path
        for i, (a, b) in enumerate(zip(original, dumped, strict=True)):
            assert_lossless(a, b, f"{path}[{i}]")
    else:
        assert _same_leaf(original, dumped), f"{path}: {original!r} != {dumped!r}"


def parse_lossless(model: type[ArmModel], body: Any) -> Any:
    """Parse ``body`` from bytes and from a dict; both agree and lose nothing."""
    from_bytes = model.from_wire(json.dumps(body).encode())
    assert model.from_wire(body) == from_bytes
    dumped = from_bytes.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert_lossless(body, dumped)
    return from_bytes


# --- the REST spec examples ----------------------------------------------------------------

SPEC_FILES = sorted(SPEC.glob("*/*.json"))


def test_spec_examples_match_their_sources() -> None:
    sources = (SPEC / "SOURCES.md").read_text()
    listed = sorted(line.split(" ")[1] for line in sources.splitlines() if line.startswith("- "))
    assert listed == sorted(str(p.relative_to(SPEC)) for p in SPEC_FILES)
    assert len(SPEC_FILES) == 12


def test_spec_examples_are_a_verbatim_copy() -> None:
    sums = dict(reversed(line.split("  ", 1)) for line in SPEC_SUMS.read_text().splitlines())
    assert sorted(sums) == sorted(
        ["SOURCES.md", *(p.relative_to(SPEC).as_posix() for p in SPEC_FILES)]
    )
    for rel, digest in sums.items():
        assert hashlib.sha256((SPEC / rel).read_bytes()).hexdigest() == digest, rel


def models_for(name: str, is_list: bool) -> tuple[type[ArmModel] | None, type[ArmModel]]:
    """(request model, response model) of a spec example, by its operation name."""
    if name.startswith("VirtualMachineScaleSetVM_"):
        return None, VirtualMachineScaleSetVMListResult if is_list else VirtualMachineScaleSetVM
    if name.startswith("VirtualMachineScaleSet_Update"):
        return VirtualMachineScaleSetUpdate, VirtualMachineScaleSet
    if name.startswith("VirtualMachineScaleSet_"):
        return VirtualMachineScaleSet, (
            VirtualMachineScaleSetListResult if is_list else VirtualMachineScaleSet
        )
    raise AssertionError(f"no model for {name}")


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_spec_example_body_parses(path: Path) -> None:
    example = load(path)
    params = example["parameters"]
    is_list = "_List_" in path.stem
    request_model, response_model = models_for(path.stem, is_list)
    parsed = 0
    if "parameters" in params:
        assert request_model is not None
        parse_lossless(request_model, params["parameters"])
        parsed += 1
    if "vmInstanceIDs" in params:
        parse_lossless(VirtualMachineScaleSetVMInstanceRequiredIDs, params["vmInstanceIDs"])
        parsed += 1
    for status, response in example["responses"].items():
        if "body" not in response:
            assert status in {"200", "202", "204"}
            continue
        model = parse_lossless(response_model, response["body"])
        if is_list:
            assert isinstance(model, Page) and model.value
        parsed += 1
    assert parsed or "Delete" in path.stem


def test_spec_quirks() -> None:
    vm_get = load(SPEC / "2024-07-01/VirtualMachineScaleSetVM_Get_WithUserData.json")
    vm = VirtualMachineScaleSetVM.from_wire(vm_get["responses"]["200"]["body"])
    assert vm.type == "Microsoft.Compute/virtualMachines"
    assert vm.provisioning_state is ProvisioningState.SUCCEEDED
    assert vm.properties is not None and vm.properties.user_data == "RXhhbXBsZSBVc2VyRGF0YQ=="
    disk = vm.properties.storage_profile.os_disk  # type: ignore[union-attr]
    assert disk is not None and disk.os_type is OperatingSystemTypes.WINDOWS
    assert disk.disk_size_gb == 127

    listing = load(SPEC / "2024-07-01/VirtualMachineScaleSet_List_MaximumSet_Gen.json")
    page = VirtualMachineScaleSetListResult.from_wire(listing["responses"]["200"]["body"])
    assert page.next_link == "foo://example.com/aaaaaaaaaaaaaaaaaaa"
    first = page.value[0]
    assert first.properties is not None
    assert first.properties.provisioning_state is ProvisioningState.SUCCEEDED  # was "succeeded"
    assert first.properties.orchestration_mode is OrchestrationMode.UNIFORM


@pytest.mark.parametrize(
    "name",
    [
        "VirtualMachineScaleSetVM_Get_WithResilientVMDeletionStatus",
        "VirtualMachineScaleSetVM_List_WithResiliencyView",
    ],
)
def test_spec_resilient_deletion_status(name: str) -> None:
    body = load(SPEC / f"2025-04-01/{name}.json")["responses"]["200"]["body"]
    vms = [VirtualMachineScaleSetVM.from_wire(v) for v in body.get("value", [body])]
    assert vms
    for vm in vms:
        assert vm.resilient_vm_deletion_status is ResilientVMDeletionStatus.ENABLED
        assert vm.properties is not None and vm.properties.time_created is not None


def test_spec_create_resiliency_policies() -> None:
    for which in ("Creation", "Deletion"):
        example = load(
            SPEC / f"2023-07-01/VirtualMachineScaleSet_Create_WithResilientVM{which}Policy.json"
        )
        request = VirtualMachineScaleSet.from_wire(example["parameters"]["parameters"])
        # a request body survives to_wire exactly (it has no read-only fields)
        assert request.to_wire() == example["parameters"]["parameters"]
        policy = request.properties.resiliency_policy  # type: ignore[union-attr]
        assert policy is not None
        enabled = (
            policy.resilient_vm_creation_policy
            if which == "Creation"
            else policy.resilient_vm_deletion_policy
        )
        assert enabled is not None and enabled.enabled is True
        response = VirtualMachineScaleSet.from_wire(example["responses"]["201"]["body"])
        assert response.properties is not None
        assert response.properties.provisioning_state is ProvisioningState.CREATING
        assert set(response.to_wire()) == {"sku", "location", "properties"}
        assert "provisioningState" not in response.to_wire()["properties"]
        assert "uniqueId" not in response.to_wire()["properties"]


# --- our fixtures ---------------------------------------------------------------------------

ARM_MODELS: dict[str, type[ArmModel]] = {
    "scale_set_full": VirtualMachineScaleSet,
    "scale_sets_page1": VirtualMachineScaleSetListResult,
    "scale_sets_page2": VirtualMachineScaleSetListResult,
    "vm_instance_view": VirtualMachineScaleSetVM,
    "vm_deletion_in_progress": VirtualMachineScaleSetVM,
    "vm_deletion_in_progress_spaced": VirtualMachineScaleSetVM,
    "vm_deletion_failed": VirtualMachineScaleSetVM,
    "vms_page1": VirtualMachineScaleSetVMListResult,
    "vms_page2": VirtualMachineScaleSetVMListResult,
    "operation_in_progress": OperationStatus,
    "operation_succeeded": OperationStatus,
    "operation_failed": OperationStatus,
    "operation_canceled": OperationStatus,
    "error_not_found": ErrorResponse,
    "error_invalid_parameter": ErrorResponse,
    "error_throttled": ErrorResponse,
    "error_feature_not_registered": ErrorResponse,
    "feature_registered": FeatureResult,
    "feature_registering": FeatureResult,
}


def test_every_arm_fixture_has_a_model() -> None:
    assert {p.stem for p in ARM.glob("*.json")} == set(ARM_MODELS)


@pytest.mark.parametrize("stem", sorted(ARM_MODELS))
def test_arm_fixture_parses_losslessly(stem: str) -> None:
    parse_lossless(ARM_MODELS[stem], load(ARM / f"{stem}.json"))


def test_full_scale_set_fixture() -> None:
    vmss = VirtualMachineScaleSet.from_wire((ARM / "scale_set_full.json").read_bytes())
    props = vmss.properties
    assert props is not None and props.resiliency_policy is not None
    assert props.resiliency_policy.resilient_vm_deletion_policy is not None
    assert props.resiliency_policy.resilient_vm_deletion_policy.enabled is True
    profile = props.virtual_machine_profile
    assert profile is not None and profile.storage_profile is not None
    assert profile.storage_profile.os_disk is not None
    assert profile.storage_profile.os_disk.os_type is OperatingSystemTypes.LINUX
    assert profile.network_profile is not None
    nics = profile.network_profile.network_interface_configurations
    assert nics is not None and nics[0].name == "web-nic"
    wire = vmss.to_wire()
    assert not {"id", "name", "type", "etag"} & set(wire)
    assert not {"provisioningState", "uniqueId", "timeCreated"} & set(wire["properties"])
    assert wire["identity"]["type"] == "SystemAssigned"


def test_vm_instance_view_fixture() -> None:
    vm = VirtualMachineScaleSetVM.from_wire((ARM / "vm_instance_view.json").read_text())
    assert vm.instance_id == "0"
    assert vm.properties is not None and vm.properties.instance_view is not None
    statuses = vm.properties.instance_view.statuses
    assert statuses is not None
    assert [s.code for s in statuses] == ["ProvisioningState/succeeded", "PowerState/running"]
    assert isinstance(statuses[0], InstanceViewStatus)
    assert statuses[0].level is StatusLevelTypes.INFO
    assert statuses[0].time is not None and statuses[0].time.microsecond == 123456
    assert statuses[1].time is None


@pytest.mark.parametrize(
    ("stem", "state", "status"),
    [
        ("vm_deletion_in_progress", "Deleting", ResilientVMDeletionStatus.IN_PROGRESS),
        ("vm_deletion_in_progress_spaced", "Failed", ResilientVMDeletionStatus.IN_PROGRESS),
        ("vm_deletion_failed", "Failed", ResilientVMDeletionStatus.FAILED),
    ],
)
def test_vm_deletion_fixtures(stem: str, state: str, status: ResilientVMDeletionStatus) -> None:
    vm = VirtualMachineScaleSetVM.from_wire((ARM / f"{stem}.json").read_bytes())
    assert vm.provisioning_state is ProvisioningState(state)
    assert vm.resilient_vm_deletion_status is status


def test_vm_pages_fixture() -> None:
    first = VirtualMachineScaleSetVMListResult.from_wire((ARM / "vms_page1.json").read_bytes())
    second = Page[VirtualMachineScaleSetVM].from_wire((ARM / "vms_page2.json").read_bytes())
    assert first.next_link is not None and first.next_link.startswith("https://")
    assert "api-version=2024-07-01" in first.next_link
    assert second.next_link is None
    ids = [vm.instance_id for vm in first.value + second.value]
    assert ids == ["0", "1", "2", "3", "4"]
    statuses = [vm.resilient_vm_deletion_status for vm in first.value + second.value]
    assert statuses == ["Enabled", "InProgress", "InProgress", "Failed", "Disabled"]


def test_scale_set_pages_fixture() -> None:
    first = VirtualMachineScaleSetListResult.from_wire((ARM / "scale_sets_page1.json").read_bytes())
    second = VirtualMachineScaleSetListResult.from_wire(
        (ARM / "scale_sets_page2.json").read_bytes()
    )
    assert [s.name for s in first.value + second.value] == ["web", "api", "batch"]
    assert first.next_link and not second.next_link


def test_operation_fixtures() -> None:
    running = OperationStatus.from_wire((ARM / "operation_in_progress.json").read_bytes())
    assert running.status is OperationStatusValue.IN_PROGRESS and not running.done
    assert running.end_time is None
    done = OperationStatus.from_wire((ARM / "operation_succeeded.json").read_bytes())
    assert done.done and done.end_time is not None and done.start_time is not None
    assert done.end_time > done.start_time
    failed = OperationStatus.from_wire((ARM / "operation_failed.json").read_bytes())
    assert failed.status is OperationStatusValue.FAILED
    assert failed.error is not None and failed.error.code == "OSProvisioningTimedOut"
    assert failed.error.details[0].target == "0"


def test_error_fixtures() -> None:
    err = ErrorResponse.from_wire((ARM / "error_invalid_parameter.json").read_bytes()).error
    assert err is not None
    assert (err.code, err.target) == ("InvalidParameter", "$expand")
    assert err.details[0].code == "InvalidParameter"
    feature = ErrorResponse.from_wire((ARM / "error_feature_not_registered.json").read_bytes())
    assert feature.error is not None and feature.error.model_extra == {
        "innererror": {"internalErrorCode": "x"}
    }


def test_feature_fixtures() -> None:
    registered = FeatureResult.from_wire((ARM / "feature_registered.json").read_bytes())
    assert registered.state is FeatureState.REGISTERED
    assert registered.name == "Microsoft.Compute/ResilientVMScaleSetVMCreation"
    registering = FeatureResult.from_wire((ARM / "feature_registering.json").read_bytes())
    assert registering.state is FeatureState.REGISTERING
