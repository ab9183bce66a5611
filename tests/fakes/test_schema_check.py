"""The body checker on its own: pure functions, no event loop (docs/fake/strictness.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakevmss._errors import ArmException
from fakevmss._wire._json_position import value_position
from fakevmss._wire._schema_check import BodyChecker, json_path

PUT = "VirtualMachineScaleSets_CreateOrUpdate"
PATCH = "VirtualMachineScaleSets_Update"
DELETE_INSTANCES = "VirtualMachineScaleSets_DeleteInstances"
NEW, OLD = "2024-07-01", "2023-07-01"


def check(
    body: dict[str, Any], op: str = PUT, api: str = NEW, *, strict: bool = True, indent: Any = None
) -> dict[str, Any]:
    raw = json.dumps(body, indent=indent).encode()
    return BodyChecker(strict=strict).check(op, api, json.loads(raw), raw)


def refusal(body: dict[str, Any], op: str = PUT, api: str = NEW, **kw: Any) -> ArmException:
    with pytest.raises(ArmException) as info:
        check(body, op, api, **kw)
    assert info.value.status == 400
    return info.value


def osdisk(**members: Any) -> dict[str, Any]:
    profile = {"storageProfile": {"osDisk": {"createOption": "FromImage", **members}}}
    return {"location": "w", "properties": {"virtualMachineProfile": profile}}


def test_unknown_member_message_names_member_type_path_and_position() -> None:
    error = refusal({"location": "w", "sku": {"capacty": 5}})
    assert error.code == "InvalidRequestContent"
    assert error.target == "sku.capacty"
    assert error.message == (
        "The request content was invalid and could not be deserialized: 'Could not find member "
        "'capacty' on object of type 'Sku'. Path 'sku.capacty', line 1, position 37.'"
    )


def test_the_top_level_is_arms_resource_definition_and_lines_count() -> None:
    error = refusal({"location": "w", "skuu": {}}, indent=2)
    assert "on object of type 'ResourceDefinition'. Path 'skuu', line 3, position 10." in (
        error.message
    )
    error = refusal({"instanceIds": ["0"], "force": True}, DELETE_INSTANCES)
    assert "type 'VirtualMachineScaleSetVMInstanceRequiredIDs'. Path 'force'" in error.message


def test_deep_and_array_paths() -> None:
    error = refusal(osdisk(osTyp="Linux"))
    assert error.target == "properties.virtualMachineProfile.storageProfile.osDisk.osTyp"
    assert "type 'VirtualMachineScaleSetOSDisk'" in error.message
    nic = {"name": "n", "properties": {"ipConfigurations": [{"name": "a"}, {"nmae": "b"}]}}
    body = {
        "location": "w",
        "properties": {
            "virtualMachineProfile": {"networkProfile": {"networkInterfaceConfigurations": [nic]}}
        },
    }
    error = refusal(body)
    assert error.target == (
        "properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0]"
        ".properties.ipConfigurations[1].nmae"
    )


def test_members_match_case_insensitively_and_are_stored_in_wire_spelling() -> None:
    doc = check(
        {"Location": "w", "SKU": {"CAPACITY": 2}, "properties": {"OrchestrationMode": "uniform"}}
    )
    assert doc == {
        "location": "w",
        "sku": {"capacity": 2},
        "properties": {"orchestrationMode": "Uniform"},
    }
    assert check({"location": "w", "sku": {"capacity": 1, "Capacity": 3}}) == {
        "location": "w",
        "sku": {"capacity": 3},  # the last one wins, as a deserialiser setting it twice
    }


def test_read_only_members_and_nulls_are_dropped_at_every_depth() -> None:
    body = {
        "id": "/x",
        "name": "x",
        "type": "t",
        "etag": '"1"',
        "location": "w",
        "tags": None,
        "identity": {
            "type": "UserAssigned",
            "principalId": "p",
            "userAssignedIdentities": {"/id": {"principalId": "p", "clientId": "c"}},
        },
        "properties": {
            "provisioningState": "Succeeded",
            "uniqueId": "u",
            "timeCreated": "2024-01-01T00:00:00Z",
            "virtualMachineProfile": {"timeCreated": "x", "userData": None},
        },
    }
    assert check(body) == {
        "location": "w",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/id": {}}},
        "properties": {"virtualMachineProfile": {}},
    }


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ({"location": 3}, "location"),
        ({"location": "w", "sku": {"capacity": "2"}}, "sku.capacity"),
        ({"location": "w", "sku": {"capacity": True}}, "sku.capacity"),
        ({"location": "w", "sku": []}, "sku"),
        ({"location": "w", "tags": {"a b": 1}}, "tags['a b']"),
        ({"location": "w", "zones": ["1", 2]}, "zones[1]"),
        ({"location": "w", "properties": {"overprovision": "yes"}}, "properties.overprovision"),
        (
            {"location": "w", "properties": {"orchestrationMode": "Mixed"}},
            "properties.orchestrationMode",
        ),
        (
            {"location": "w", "properties": {"upgradePolicy": {"mode": "Sometimes"}}},
            "properties.upgradePolicy.mode",
        ),
        (
            {
                "location": "w",
                "properties": {
                    "upgradePolicy": {"rollingUpgradePolicy": {"maxBatchInstancePercent": 101}}
                },
            },
            "properties.upgradePolicy.rollingUpgradePolicy.maxBatchInstancePercent",
        ),
        (osdisk(osType="BeOS"), "properties.virtualMachineProfile.storageProfile.osDisk.osType"),
    ],
)
def test_wrong_values_are_invalid_parameter_naming_the_path(
    body: dict[str, Any], target: str
) -> None:
    error = refusal(body)
    assert (error.code, error.target) == ("InvalidParameter", target)
    assert target in error.message


def test_closed_enums_are_normalised_and_extensible_ones_kept_as_sent() -> None:
    doc = check(osdisk(osType="LINUX", caching="readonly", deleteOption="Whatever"))
    disk = doc["properties"]["virtualMachineProfile"]["storageProfile"]["osDisk"]
    assert disk == {
        "createOption": "FromImage",
        "osType": "Linux",  # closed: checked and spelled canonically
        "caching": "ReadOnly",
        "deleteOption": "Whatever",  # extensible (modelAsString): any string
    }


def test_free_form_members_are_kept_as_sent() -> None:
    extension = {
        "name": "e",
        "properties": {"settings": {"any": ["thing", {"deep": None}]}, "protectedSettings": {}},
    }
    body = {
        "location": "w",
        "properties": {"virtualMachineProfile": {"extensionProfile": {"extensions": [extension]}}},
    }
    assert check(body) == body


def test_lenient_bodies_keep_unknown_members_but_still_check_known_ones() -> None:
    doc = check({"location": "w", "sku": {"capacty": 5}, "newThing": {"x": 1}}, strict=False)
    assert doc == {"location": "w", "sku": {"capacty": 5}, "newThing": {"x": 1}}
    assert refusal({"location": 1, "newThing": 1}, strict=False).code == "InvalidParameter"


def test_each_api_version_has_its_own_members_and_the_overlay() -> None:
    policy = {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": True}}}
    for api in (OLD, NEW):  # the Resilient page's policy at both versions
        assert check({"location": "w", "properties": policy}, api=api)["properties"] == policy
        assert check({"zones": ["1"]}, PATCH, api) == {"zones": ["1"]}  # wider than the files
        app = {"virtualMachineProfile": {"applicationProfile": {"galleryApplications": []}}}
        assert check({"properties": app}, PATCH, api) == {"properties": app}
    newer = {"location": "w", "properties": {"upgradePolicy": {"automaticOSUpgradePolicy": {}}}}
    newer["properties"]["upgradePolicy"]["automaticOSUpgradePolicy"]["osRollingUpgradeDeferral"] = (
        True
    )
    assert check(newer, api=NEW)
    assert refusal(newer, api=OLD).code == "InvalidRequestContent"


def test_a_version_without_a_schema_is_left_to_the_service_rules() -> None:
    body = {"anything": {"goes": 1}}
    assert BodyChecker().check(PUT, "2022-08-01", body, b"{}") is body


def test_json_paths_as_the_deserialiser_writes_them() -> None:
    assert json_path(["a", "b", 0, "c"]) == "a.b[0].c"
    assert json_path(["tags", "a b", "x.y", "it's"]) == "tags['a b']['x.y']['it\\'s']"
    assert json_path([0]) == "[0]"


def test_value_positions() -> None:
    assert value_position('{"x":1}', ["x"]) == (1, 5)
    assert value_position('{\r\n  "AccountType": "StandardLRS"\r\n}', ["AccountType"]) == (2, 17)
    text = '{"a": [1, {"b": {"c": 2}}], "a": [0]}'
    assert value_position(text, ["a"]) == (1, 6)  # a deserialiser stops at the first
    assert value_position(text, ["a", 0]) == (1, 34)  # deeper paths run through the kept one
    assert value_position('{"a": [1, {"b": 2}]}', ["a", 1, "b"]) == (1, 16)
    assert value_position('{"a": 1}', ["b"]) is None
    assert value_position('{"a": [1]}', ["a", 3]) is None
    assert value_position("not json", ["a"]) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["location", "sku", "properties", "capacity", "tags", "x", "Zones"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(body=st.dictionaries(st.sampled_from(["location", "sku", "properties", "zones", "x"]), JSON))
def test_any_body_is_accepted_or_a_400_never_another_exception(body: dict[str, Any]) -> None:
    for strict in (True, False):
        try:
            check(body, strict=strict)
        except ArmException as exc:
            assert exc.status == 400 and exc.code in ("InvalidRequestContent", "InvalidParameter")
