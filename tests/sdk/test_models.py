"""Unit tests of aiovmss.models: enums, to_wire, read-only fields, secrets, conveniences."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import get_type_hints

import pytest
from pydantic import ValidationError

import aiovmss.models as models
from aiovmss.models import (
    ErrorResponse,
    FeatureResult,
    FeatureState,
    ImageReference,
    NetworkProfile,
    OperatingSystemTypes,
    OperationStatus,
    OperationStatusValue,
    OrchestrationMode,
    OSDisk,
    OSProfile,
    Page,
    ProvisioningState,
    ResiliencyPolicy,
    ResilientVMCreationPolicy,
    ResilientVMDeletionPolicy,
    ResilientVMDeletionStatus,
    Sku,
    StorageProfile,
    UpgradeMode,
    UpgradePolicy,
    VirtualMachineProfile,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetProperties,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetUpdateProperties,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceRequiredIDs,
    VirtualMachineScaleSetVMProperties,
)

CANARY = "Canary-S3cret-9f1b7c"
SEED_BODY = {
    "properties": {
        "overprovision": False,
        "resiliencyPolicy": {
            "resilientVMCreationPolicy": {"enabled": True},
            "resilientVMDeletionPolicy": {"enabled": True},
        },
    }
}


def test_all_is_sorted_and_importable() -> None:
    assert models.__all__ == sorted(models.__all__)
    for name in models.__all__:
        assert getattr(models, name).__doc__, name


# --- enums -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "member"),
    [
        ("Succeeded", ProvisioningState.SUCCEEDED),
        ("succeeded", ProvisioningState.SUCCEEDED),
        ("SUCCEEDED", ProvisioningState.SUCCEEDED),
        ("deleting", ProvisioningState.DELETING),
    ],
)
def test_provisioning_state_parses_case_insensitively(raw: str, member: ProvisioningState) -> None:
    assert ProvisioningState(raw) is member
    props = VirtualMachineScaleSetVMProperties.from_wire({"provisioningState": raw})
    assert props.provisioning_state is member


@pytest.mark.parametrize("raw", ["InProgress", "In Progress", "in progress", "IN_PROGRESS"])
def test_deletion_status_spellings_parse_to_in_progress(raw: str) -> None:
    assert ResilientVMDeletionStatus(raw) is ResilientVMDeletionStatus.IN_PROGRESS
    vm = VirtualMachineScaleSetVM.from_wire({"properties": {"resilientVMDeletionStatus": raw}})
    assert vm.resilient_vm_deletion_status is ResilientVMDeletionStatus.IN_PROGRESS


def test_enum_values_and_string_comparison() -> None:
    assert ResilientVMDeletionStatus.IN_PROGRESS == "InProgress"
    assert ResilientVMDeletionStatus.IN_PROGRESS == "In Progress"
    assert ProvisioningState.SUCCEEDED == "succeeded"
    assert ProvisioningState.SUCCEEDED != "Failed"
    ne = ProvisioningState.SUCCEEDED.__ne__("SUCCEEDED")  # != must agree with ==
    assert ne is False
    assert isinstance(ProvisioningState.SUCCEEDED, str)
    assert {"Succeeded": 1}[ProvisioningState.SUCCEEDED] == 1
    by_member: dict[str, int] = {ProvisioningState.SUCCEEDED: 1}
    assert by_member["Succeeded"] == 1
    assert str(ResilientVMDeletionStatus.IN_PROGRESS) == "InProgress"
    assert ProvisioningState.SUCCEEDED != 3


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (
            ProvisioningState,
            "Creating Updating Succeeded Failed Deleting Canceled Running Migrating",
        ),
        (ResilientVMDeletionStatus, "Enabled Disabled InProgress Failed"),
        (OrchestrationMode, "Uniform Flexible"),
        (OperatingSystemTypes, "Windows Linux"),
        (UpgradeMode, "Automatic Manual Rolling"),
        (OperationStatusValue, "InProgress Succeeded Failed Canceled"),
        (
            FeatureState,
            "Registered Registering NotRegistered Unregistering Unregistered Pending",
        ),
    ],
)
def test_enum_members(enum: type[models.ArmEnum], values: str) -> None:
    assert [m.value for m in enum] == values.split()
    for member in enum:
        assert member.name == member.name.upper()


def test_unknown_enum_value_is_kept_as_plain_string() -> None:
    vm = VirtualMachineScaleSetVM.from_wire(
        {"properties": {"provisioningState": "Hibernating", "resilientVMDeletionStatus": "Paused"}}
    )
    assert vm.provisioning_state == "Hibernating"
    assert type(vm.provisioning_state) is str
    assert type(vm.resilient_vm_deletion_status) is str
    assert vm.model_dump(by_alias=True, exclude_unset=True, mode="json") == {
        "properties": {"provisioningState": "Hibernating", "resilientVMDeletionStatus": "Paused"}
    }


def test_unknown_enum_value_is_sent_back_unchanged() -> None:
    disk = OSDisk.from_wire({"osType": "Plan9", "caching": "readwrite", "createOption": "Mystery"})
    assert disk.to_wire() == {"osType": "Plan9", "caching": "ReadWrite", "createOption": "Mystery"}


def test_known_enum_value_serialises_canonically() -> None:
    props = VirtualMachineScaleSetUpdateProperties.from_wire({"upgradePolicy": {"mode": "manual"}})
    assert props.to_wire() == {"upgradePolicy": {"mode": "Manual"}}
    assert props.upgrade_policy is not None
    assert props.upgrade_policy.mode is UpgradeMode.MANUAL


def test_non_string_enum_input_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        UpgradePolicy.from_wire({"mode": 3})


# --- to_wire -----------------------------------------------------------------------------


def test_seed_rest_body_from_models() -> None:
    body = VirtualMachineScaleSetUpdate(
        properties=VirtualMachineScaleSetUpdateProperties(
            overprovision=False,
            resiliency_policy=ResiliencyPolicy(
                resilient_vm_creation_policy=ResilientVMCreationPolicy(enabled=True),
                resilient_vm_deletion_policy=ResilientVMDeletionPolicy(enabled=True),
            ),
        )
    )
    assert body.to_wire() == SEED_BODY
    assert json.dumps(body.to_wire()) == json.dumps(SEED_BODY)
    full = VirtualMachineScaleSet(
        properties=VirtualMachineScaleSetProperties(
            overprovision=False,
            resiliency_policy=ResiliencyPolicy(
                resilient_vm_creation_policy=ResilientVMCreationPolicy(enabled=True),
                resilient_vm_deletion_policy=ResilientVMDeletionPolicy(enabled=True),
            ),
        )
    )
    assert json.dumps(full.to_wire()) == json.dumps(SEED_BODY)


def test_seed_body_parses_and_round_trips() -> None:
    vmss = VirtualMachineScaleSet.from_wire(json.dumps(SEED_BODY))
    assert vmss.properties is not None
    policy = vmss.properties.resiliency_policy
    assert policy is not None and policy.resilient_vm_creation_policy is not None
    assert policy.resilient_vm_creation_policy.enabled is True
    assert vmss.to_wire() == SEED_BODY


def test_to_wire_omits_unset_fields_but_keeps_explicit_none() -> None:
    assert Sku(name="Standard_D2s_v3").to_wire() == {"name": "Standard_D2s_v3"}
    assert Sku(name="x", capacity=None).to_wire() == {"name": "x", "capacity": None}
    assert VirtualMachineScaleSet().to_wire() == {}


def test_to_wire_omits_read_only_fields_at_every_level() -> None:
    vmss = VirtualMachineScaleSet(
        id="/subscriptions/s/x",
        name="web",
        type="Microsoft.Compute/virtualMachineScaleSets",
        etag='"1"',
        location="westus",
        properties=VirtualMachineScaleSetProperties(
            provisioning_state=ProvisioningState.SUCCEEDED,
            unique_id="u",
            time_created=datetime(2024, 7, 1, tzinfo=UTC),
            overprovision=True,
        ),
    )
    assert vmss.to_wire() == {"location": "westus", "properties": {"overprovision": True}}
    # the read-only values are still there for the reader
    assert vmss.model_dump(by_alias=True, exclude_unset=True)["name"] == "web"


def test_vm_read_only_fields_never_serialised() -> None:
    vm = VirtualMachineScaleSetVM.from_wire(
        {
            "id": "i",
            "name": "n",
            "type": "t",
            "etag": "e",
            "instanceId": "0",
            "location": "westus",
            "sku": {"name": "Standard_D2s_v3", "tier": "Standard"},
            "zones": ["1"],
            "resources": [{"id": "ext"}],
            "properties": {
                "modelDefinitionApplied": "VirtualMachineScaleSet",
                "provisioningState": "Succeeded",
                "latestModelApplied": True,
                "vmId": "v",
                "timeCreated": "2024-07-01T10:00:00Z",
                "instanceView": {"statuses": []},
                "resilientVMDeletionStatus": "Enabled",
                "userData": "dXNlcg==",
            },
        }
    )
    assert vm.to_wire() == {"location": "westus", "properties": {"userData": "dXNlcg=="}}
    assert VirtualMachineScaleSetVMProperties.read_only_fields() == {
        "provisioning_state",
        "latest_model_applied",
        "vm_id",
        "time_created",
        "instance_view",
        "resilient_vm_deletion_status",
        "model_definition_applied",
    }
    # sku, zones and resources are read-only on a VM (the spec): a VM PUT never sends them
    assert VirtualMachineScaleSetVM.read_only_fields() == {
        "id",
        "name",
        "type",
        "etag",
        "instance_id",
        "sku",
        "zones",
        "resources",
    }


def test_read_only_marker_is_visible_in_json_schema() -> None:
    schema = VirtualMachineScaleSetProperties.model_json_schema(by_alias=True)
    assert schema["properties"]["provisioningState"]["readOnly"] is True
    assert "readOnly" not in schema["properties"]["overprovision"]


def test_extras_kept_under_wire_names_and_sent_back() -> None:
    vmss = VirtualMachineScaleSet.from_wire(
        {
            "location": "westus",
            "futureTopLevel": {"a": [1, 2]},
            "properties": {
                "resiliencyPolicy": {
                    "automaticZoneRebalancingPolicy": {"enabled": False},
                    "resilientVMCreationPolicy": {"enabled": True, "maxAttempts": 5},
                },
                "priorityMixPolicy": {"baseRegularPriorityCount": 1},
            },
        }
    )
    assert vmss.model_extra == {"futureTopLevel": {"a": [1, 2]}}
    wire = vmss.to_wire()
    assert wire["futureTopLevel"] == {"a": [1, 2]}
    policy = wire["properties"]["resiliencyPolicy"]
    assert policy["automaticZoneRebalancingPolicy"] == {"enabled": False}
    assert policy["resilientVMCreationPolicy"] == {"enabled": True, "maxAttempts": 5}
    assert wire["properties"]["priorityMixPolicy"] == {"baseRegularPriorityCount": 1}


@pytest.mark.parametrize(
    ("model", "attr", "wire"),
    [
        (ResiliencyPolicy, "resilient_vm_creation_policy", "resilientVMCreationPolicy"),
        (ResiliencyPolicy, "resilient_vm_deletion_policy", "resilientVMDeletionPolicy"),
        (
            VirtualMachineScaleSetVMProperties,
            "resilient_vm_deletion_status",
            "resilientVMDeletionStatus",
        ),
        (VirtualMachineProfile, "os_profile", "osProfile"),
        (OSDisk, "os_type", "osType"),
        (OSDisk, "disk_size_gb", "diskSizeGB"),
        (VirtualMachineScaleSetVMProperties, "vm_id", "vmId"),
        (VirtualMachineScaleSetVM, "instance_id", "instanceId"),
        (Page, "next_link", "nextLink"),
        (VirtualMachineScaleSetVMInstanceRequiredIDs, "instance_ids", "instanceIds"),
        (
            models.VirtualMachineScaleSetNetworkConfigurationProperties,
            "enable_ip_forwarding",
            "enableIPForwarding",
        ),
        (StorageProfile, "image_reference", "imageReference"),
        (ImageReference, "exact_version", "exactVersion"),
        (NetworkProfile, "network_interface_configurations", "networkInterfaceConfigurations"),
        (OperationStatus, "start_time", "startTime"),
        (
            VirtualMachineScaleSetProperties,
            "do_not_run_extensions_on_overprovisioned_vms",
            "doNotRunExtensionsOnOverprovisionedVMs",
        ),
    ],
)
def test_irregular_aliases(model: type[models.ArmModel], attr: str, wire: str) -> None:
    # The models defer their build; pydantic before 2.12 fills generated aliases in only then.
    model.model_rebuild(force=True)
    assert model.model_fields[attr].alias == wire


def test_accepts_snake_case_names_and_wire_names() -> None:
    by_name = ResiliencyPolicy.model_validate({"resilient_vm_creation_policy": {"enabled": True}})
    by_alias = ResiliencyPolicy.from_wire({"resilientVMCreationPolicy": {"enabled": True}})
    assert by_name == by_alias
    assert by_name.to_wire() == {"resilientVMCreationPolicy": {"enabled": True}}


def test_delete_instances_body() -> None:
    body = VirtualMachineScaleSetVMInstanceRequiredIDs(instance_ids=["0", "3"])
    assert body.to_wire() == {"instanceIds": ["0", "3"]}


def test_network_configuration_accepts_dicts() -> None:
    profile = NetworkProfile(
        network_interface_configurations=[
            {"name": "nic", "properties": {"primary": True, "enableIPForwarding": True}}
        ]
    )
    nic = profile.network_interface_configurations
    assert nic is not None and nic[0].properties is not None
    assert nic[0].properties.enable_ip_forwarding is True
    assert profile.to_wire() == {
        "networkInterfaceConfigurations": [
            {"name": "nic", "properties": {"primary": True, "enableIPForwarding": True}}
        ]
    }


# --- from_wire ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "str", "dict"])
def test_from_wire_accepts_bytes_str_and_mappings(kind: str) -> None:
    data = {"name": "Standard_D2s_v3", "capacity": 2}
    raw = json.dumps(data)
    sources: dict[str, bytes | bytearray | str | dict[str, object]] = {
        "bytes": raw.encode(),
        "bytearray": bytearray(raw.encode()),
        "str": raw,
        "dict": data,
    }
    source = sources[kind]
    assert Sku.from_wire(source) == Sku(name="Standard_D2s_v3", capacity=2)


def test_datetimes_parse_with_seven_fraction_digits() -> None:
    props = VirtualMachineScaleSetProperties.from_wire(
        {"timeCreated": "2021-06-27T01:02:38.3138469+00:00"}
    )
    assert props.time_created == datetime(2021, 6, 27, 1, 2, 38, 313846, tzinfo=UTC)
    status = OperationStatus.from_wire(
        {"status": "succeeded", "startTime": "2024-07-01T10:00:00Z", "endTime": None}
    )
    assert status.start_time == datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert status.status is OperationStatusValue.SUCCEEDED
    assert status.done


@pytest.mark.parametrize(
    ("status", "done"),
    [
        ("InProgress", False),
        ("Succeeded", True),
        ("failed", True),
        ("Canceled", True),
        ("Weird", False),
    ],
)
def test_operation_status_done(status: str, done: bool) -> None:
    assert OperationStatus.from_wire({"status": status}).done is done


def test_error_response_nested_details() -> None:
    err = ErrorResponse.from_wire(
        b'{"error": {"code": "InvalidParameter", "message": "m", "target": "t",'
        b' "details": [{"code": "Inner", "message": "i", "details": []}]}}'
    )
    assert err.error is not None
    assert err.error.code == "InvalidParameter"
    assert err.error.details[0].code == "Inner"
    assert ErrorResponse.from_wire({"error": {"code": "X"}}).error.details == []  # type: ignore[union-attr]


def test_feature_state() -> None:
    feature = FeatureResult.from_wire({"name": "n", "properties": {"state": "registered"}})
    assert feature.state is FeatureState.REGISTERED
    assert FeatureResult().state is None


def test_vm_shortcuts_are_none_safe() -> None:
    vm = VirtualMachineScaleSetVM()
    assert vm.provisioning_state is None
    assert vm.resilient_vm_deletion_status is None
    vm = VirtualMachineScaleSetVM.from_wire({"properties": {}})
    assert vm.provisioning_state is None
    vm = VirtualMachineScaleSetVM.from_wire({"properties": {"provisioningState": "Deleting"}})
    assert vm.provisioning_state is ProvisioningState.DELETING


# --- secrets -----------------------------------------------------------------------------


def _scale_set_with_secrets() -> VirtualMachineScaleSet:
    return VirtualMachineScaleSet(
        location="westus",
        properties=VirtualMachineScaleSetProperties(
            virtual_machine_profile=VirtualMachineProfile(
                os_profile=OSProfile(
                    computer_name_prefix="web",
                    admin_username="azureuser",
                    admin_password=CANARY,
                    custom_data=CANARY + "-cd",
                )
            )
        ),
    )


def test_secrets_never_in_repr_or_str() -> None:
    vmss = _scale_set_with_secrets()
    for text in (repr(vmss), str(vmss), repr(vmss.properties), f"{vmss}"):
        assert CANARY not in text
    assert "azureuser" in repr(vmss)


def test_secrets_are_sent_by_to_wire() -> None:
    os_profile = _scale_set_with_secrets().to_wire()["properties"]["virtualMachineProfile"][
        "osProfile"
    ]
    assert os_profile["adminPassword"] == CANARY
    assert os_profile["customData"] == CANARY + "-cd"


def test_secrets_in_extras_and_plain_dicts_are_redacted_in_repr() -> None:
    profile = VirtualMachineProfile.from_wire(
        {
            "extensionProfile": {"extensions": [{"properties": {"protectedSettings": CANARY}}]},
            "osProfile": {"windowsConfiguration": {"password": CANARY}},
        }
    )
    assert CANARY not in repr(profile)
    stray = VirtualMachineScaleSetVMProperties.from_wire({"adminPassword": CANARY})
    assert CANARY not in repr(stray)
    assert stray.to_wire() == {"adminPassword": CANARY}


@pytest.mark.parametrize(
    "bad",
    [
        {"adminPassword": [CANARY]},
        {"customData": {"x": CANARY}},
        {"adminUsername": CANARY, "allowExtensionOperations": CANARY},
    ],
)
def test_secrets_never_in_validation_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        OSProfile.from_wire(bad)
    assert CANARY not in str(caught.value)
    assert CANARY not in repr(caught.value)
    with pytest.raises(ValidationError) as caught_json:
        OSProfile.from_wire(json.dumps(bad))
    assert CANARY not in str(caught_json.value)


def test_invalid_json_error_hides_input() -> None:
    with pytest.raises(ValidationError) as caught:
        OSProfile.from_wire('{"adminPassword": "' + CANARY + '", ')
    assert CANARY not in str(caught.value)


def test_nested_model_error_names_the_location() -> None:
    with pytest.raises(ValidationError) as caught:
        VirtualMachineScaleSet.from_wire({"sku": {"capacity": "many"}})
    assert ("sku", "capacity") in [tuple(e["loc"]) for e in caught.value.errors()]


def test_get_modify_put_sends_only_writable_fields() -> None:
    got = VirtualMachineScaleSet.from_wire(
        {
            "id": "/subscriptions/s/x",
            "name": "web",
            "location": "westus",
            "properties": {"provisioningState": "Succeeded", "overprovision": True},
        }
    )
    assert got.properties is not None
    got.properties.overprovision = False
    got.properties.resiliency_policy = ResiliencyPolicy(
        resilient_vm_deletion_policy=ResilientVMDeletionPolicy(enabled=True)
    )
    assert got.to_wire() == {
        "location": "westus",
        "properties": {
            "overprovision": False,
            "resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": True}},
        },
    }


def test_instance_id_is_a_plain_str_and_never_sent() -> None:
    # mypy --strict callers read it as str, no None check: the service always sends it.
    assert get_type_hints(VirtualMachineScaleSetVM)["instance_id"] is str
    vm = VirtualMachineScaleSetVM.from_wire({"instanceId": "7", "location": "westus"})
    assert vm.instance_id == "7"
    assert vm.to_wire() == {"location": "westus"}  # read-only: never in a request body
    built = VirtualMachineScaleSetVM(location="westus")
    assert built.instance_id == "" and "instanceId" not in built.to_wire()
