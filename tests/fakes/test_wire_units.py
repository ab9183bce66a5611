"""The wire layer's pure parts without a backend: routing, versions, parsing, validation, paging."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fakevmss._errors import ArmException
from fakevmss._wire._endpoints import resolve
from fakevmss._wire._json import MAX_DEPTH, parse_json_object
from fakevmss._wire._links import Origin, decode_skiptoken, encode_skiptoken, page_after
from fakevmss._wire._names import check_name
from fakevmss._wire._serialize import feature_json, operation_json, scale_set_json, vm_json
from fakevmss._wire._validate import (
    parse_bool_flag,
    validate_instance_ids,
    validate_scale_set_body,
)
from fakevmss._wire._versions import has_resiliency_view, resolve_api_version

S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
VERSIONS = ("2023-07-01", "2024-07-01")


def raises(exc_info: pytest.ExceptionInfo[ArmException], status: int, code: str) -> ArmException:
    assert (exc_info.value.status, exc_info.value.code) == (status, code)
    return exc_info.value


# Routing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "name", "params"),
    [
        ("GET", S, "scale_sets.list", {"subscriptionId": "sub", "resourceGroupName": "rg"}),
        ("PUT", f"{S}/web", "scale_sets.begin_create_or_update", {"vmScaleSetName": "web"}),
        ("POST", f"{S}/web/delete", "scale_sets.begin_delete_instances", {"subscriptionId": "sub"}),
        ("GET", f"{S}/web/virtualmachines/3", "scale_set_vms.get", {"instanceId": "3"}),
        (
            "DELETE",
            f"{S.upper()}/WEB/VIRTUALMACHINES/3/",
            "scale_set_vms.begin_delete",
            {"vmScaleSetName": "WEB"},
        ),
        (
            "GET",
            "/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/abc",
            "operations.get",
            {"location": "westus", "operationId": "abc"},
        ),
        (
            "POST",
            "/subscriptions/s/providers/Microsoft.Features/providers/Microsoft.Compute/features/F/register",
            "features.register",
            {"resourceProviderNamespace": "Microsoft.Compute", "featureName": "F"},
        ),
    ],
)
def test_routes_match_case_insensitively(
    method: str, path: str, name: str, params: dict[str, str]
) -> None:
    match = resolve(method, path)
    assert match.name == name
    assert params.items() <= match.params.items()


def test_unknown_path_is_404_and_wrong_method_405() -> None:
    with pytest.raises(ArmException) as info:
        resolve("GET", "/subscriptions/sub/providers/Microsoft.Network/things")
    raises(info, 404, "InvalidResourceType")
    with pytest.raises(ArmException) as info:
        resolve("POST", f"{S}/web")
    raises(info, 405, "MethodNotAllowed")


def test_encoded_slash_stays_in_one_segment_and_fails_name_check() -> None:
    match = resolve("GET", f"{S}/we%2Fb")
    assert match.params["vmScaleSetName"] == "we/b"
    with pytest.raises(ArmException) as info:
        check_name("vmScaleSetName", match.params["vmScaleSetName"])
    assert raises(info, 400, "InvalidParameter").target == "vmScaleSetName"


@pytest.mark.parametrize("bad", ["", ".", "..", "a\x00b", "x" * 65, "a?b", "50%"])
def test_bad_scale_set_names(bad: str) -> None:
    with pytest.raises(ArmException) as info:
        check_name("vmScaleSetName", bad)
    raises(info, 400, "InvalidParameter")


def test_name_limits_differ_per_parameter() -> None:
    assert check_name("resourceGroupName", "r" * 90) == "r" * 90
    assert check_name("vmScaleSetName", "s" * 64) == "s" * 64
    assert check_name("instanceId", "i" * 256) == "i" * 256


# Api-versions --------------------------------------------------------------------------------


def test_api_version_rules() -> None:
    assert resolve_api_version("2023-07-01", VERSIONS, lenient=False) == "2023-07-01"
    with pytest.raises(ArmException) as info:
        resolve_api_version(None, VERSIONS, lenient=False)
    raises(info, 400, "MissingApiVersionParameter")
    with pytest.raises(ArmException) as info:
        resolve_api_version("2025-04-01", VERSIONS, lenient=False)
    assert "2023-07-01, 2024-07-01" in raises(info, 400, "NoRegisteredProviderFound").message


def test_lenient_serves_newer_versions_as_the_newest() -> None:
    assert resolve_api_version("2025-04-01", VERSIONS, lenient=True) == "2024-07-01"
    assert resolve_api_version("2025-04-01-preview", VERSIONS, lenient=True) == "2024-07-01"
    for older_or_bad in ("2024-03-01", "2025-13-01", "latest"):
        with pytest.raises(ArmException):
            resolve_api_version(older_or_bad, VERSIONS, lenient=True)


def test_features_accept_any_well_formed_version() -> None:
    assert resolve_api_version("2021-07-01", VERSIONS, lenient=False, any_well_formed=True)
    with pytest.raises(ArmException):
        resolve_api_version("v1", VERSIONS, lenient=False, any_well_formed=True)
    assert has_resiliency_view("2024-07-01") and not has_resiliency_view("2023-07-01")


# JSON bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"  ",
        b"\xff\xfe",
        b"{",
        b"[1, 2]",
        b'"text"',
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1e400}',
        b'{"a": ' + b"9" * 40 + b"}",
        b'{"a": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_bad_bodies_are_invalid_request_content(body: bytes) -> None:
    with pytest.raises(ArmException) as info:
        parse_json_object(body)
    raises(info, 400, "InvalidRequestContent")


def test_good_body_parses() -> None:
    assert parse_json_object(b'{"a": [1, 2.5, "x", null, true]}') == {
        "a": [1, 2.5, "x", None, True]
    }


# Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ({}, "location"),
        ({"location": 3}, "location"),
        ({"location": "w", "sku": {"capacity": "2"}}, "sku.capacity"),
        ({"location": "w", "sku": {"capacity": 1001}}, "sku.capacity"),
        ({"location": "w", "sku": {"capacity": True}}, "sku.capacity"),
        ({"location": "w", "sku": []}, "sku"),
        ({"location": "w", "tags": {"a": 1}}, "tags.a"),
        ({"location": "w", "zones": ["1", 2]}, "zones[1]"),
        ({"location": "w", "properties": {"orchestrationMode": "Mixed"}}, None),
        ({"location": "w", "properties": {"overprovision": "yes"}}, "properties.overprovision"),
        (
            {"location": "w", "properties": {"upgradePolicy": {"mode": "Sometimes"}}},
            "properties.upgradePolicy.mode",
        ),
        (
            {
                "location": "w",
                "properties": {"resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": 1}}},
            },
            "properties.resiliencyPolicy.resilientVMCreationPolicy.enabled",
        ),
        (
            {
                "location": "w",
                "properties": {
                    "virtualMachineProfile": {"storageProfile": {"osDisk": {"osType": "BeOS"}}}
                },
            },
            "properties.virtualMachineProfile.storageProfile.osDisk.osType",
        ),
    ],
)
def test_scale_set_body_errors_name_the_field(body: dict[str, Any], target: str | None) -> None:
    with pytest.raises(ArmException) as info:
        validate_scale_set_body(body, put=True)
    exc = raises(info, 400, "InvalidParameter")
    assert exc.target == (target or "properties.orchestrationMode")


def test_validation_normalises_strips_read_only_and_keeps_unknown() -> None:
    body: dict[str, Any] = {
        "id": "x",
        "name": "y",
        "etag": '"3"',
        "location": "westus",
        "tags": None,
        "custom": {"kept": [1]},
        "properties": {
            "orchestrationMode": "flexible",
            "provisioningState": "Succeeded",
            "uniqueId": "u",
            "upgradePolicy": {"mode": "MANUAL"},
        },
    }
    doc = validate_scale_set_body(body, put=True)
    assert doc == {
        "location": "westus",
        "custom": {"kept": [1]},
        "properties": {"orchestrationMode": "Flexible", "upgradePolicy": {"mode": "Manual"}},
    }
    assert body["properties"]["orchestrationMode"] == "flexible"  # the input is not changed
    assert validate_scale_set_body({"sku": {"capacity": 0}}, put=False) == {"sku": {"capacity": 0}}


def test_instance_ids_and_flags() -> None:
    assert validate_instance_ids({"instanceIds": ["0", "3", "0"]}) == ["0", "3"]
    bad_bodies: list[dict[str, Any]] = [
        {},
        {"instanceIds": []},
        {"instanceIds": "0"},
        {"instanceIds": [0]},
    ]
    for bad in bad_bodies:
        with pytest.raises(ArmException) as info:
            validate_instance_ids(bad)
        assert str(raises(info, 400, "InvalidParameter").target).startswith("instanceIds")
    assert parse_bool_flag("forceDeletion", "TRUE") is True
    assert parse_bool_flag("forceDeletion", None) is False
    with pytest.raises(ArmException) as info:
        parse_bool_flag("forceDeletion", "yes")
    assert raises(info, 400, "InvalidParameter").target == "forceDeletion"


# Links and paging ----------------------------------------------------------------------------


def test_urls_are_absolute_with_the_request_version() -> None:
    origin = Origin.of("http://127.0.0.1:8080/subscriptions/s?api-version=2025-01-01", "2025-01-01")
    url = origin.operation_url("s", "westus", "op1", monitor=True)
    assert url == (
        "http://127.0.0.1:8080/subscriptions/s/providers/Microsoft.Compute/locations/westus"
        "/operations/op1?api-version=2025-01-01&monitor=true"
    )
    link = origin.next_link("/p", {"api-version": "x", "$skiptoken": "old", "$filter": "a b"}, "T")
    assert link == "http://127.0.0.1:8080/p?api-version=2025-01-01&$filter=a+b&$skiptoken=T"


def test_keyset_paging_survives_deletes_between_pages() -> None:
    items = [str(i) for i in range(7)]

    def key(item: str) -> tuple[str]:
        return (item,)

    first, last = page_after(items, key, None, 3)
    assert first == ["0", "1", "2"] and last == ("2",)
    token = encode_skiptoken(last)
    items.remove("3")
    second, last = page_after(items, key, decode_skiptoken(token, 1), 3)
    assert second == ["4", "5", "6"] and last is None


@pytest.mark.parametrize("token", ["", "!!!", "bm90IGpzb24", encode_skiptoken(("a", "b"))])
def test_bad_skiptokens(token: str) -> None:
    with pytest.raises(ArmException) as info:
        decode_skiptoken(token, 1)
    assert raises(info, 400, "InvalidParameter").target == "$skiptoken"


# Serialisation with hand-built state ---------------------------------------------------------


class StubClock:
    speed = 1.0

    def now(self) -> float:
        return 0.0

    def to_datetime(self, t: float) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=t)

    async def sleep(self, seconds: float) -> None:
        raise AssertionError("not used")


@dataclass
class StubScaleSet:
    subscription: str = "sub"
    resource_group: str = "rg"
    name: str = "web"
    spec: dict[str, Any] = field(default_factory=dict)
    orchestration_mode: str = "Uniform"
    provisioning_state: str = "Succeeded"
    unique_id: str = "u-1"
    time_created: float = 1.5
    etag: int = 3
    state_time: float = 1.5


@dataclass
class StubVM:
    instance_id: str = "37"
    name: str = "web_37"
    vm_id: str = "aaaa-bbbb"
    os_type: str = "Linux"
    provisioning_state: str = "Deleting"
    deletion_status: str = "InProgress"
    time_created: float = 0.0
    etag: int = 2
    power_state: str = "running"
    latest_model_applied: bool = True
    last_error: dict[str, Any] | None = None
    index: int = 37
    status_time: float = 0.0
    protection: dict[str, bool] | None = None
    model: dict[str, Any] = field(default_factory=dict)


SPEC: dict[str, Any] = {
    "location": "westus",
    "tags": {"team": "a"},
    "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": 2},
    "extra": {"echo": True},
    "properties": {
        "virtualMachineProfile": {
            "userData": "dXNlcg==",
            "osProfile": {
                "computerNamePrefix": "web",
                "adminUsername": "azure",
                "adminPassword": "secret!",
                "customData": "c2VjcmV0",
            },
            "storageProfile": {"imageReference": {"publisher": "canonical"}},
        }
    },
}


def test_scale_set_json_hides_secrets_and_gates_etag() -> None:
    scale_set = StubScaleSet(spec=SPEC)
    body = scale_set_json(scale_set, StubClock(), etag=True)
    text = json.dumps(body)
    assert "secret" not in text and "c2VjcmV0" not in text and "userData" not in text
    assert body["id"] == f"{S}/web" and body["type"] == "Microsoft.Compute/virtualMachineScaleSets"
    assert body["etag"] == '"3"' and body["extra"] == {"echo": True}
    assert body["properties"]["timeCreated"] == "2026-01-01T00:00:01.500000+00:00"
    assert body["properties"]["orchestrationMode"] == "Uniform"
    assert "etag" not in scale_set_json(scale_set, StubClock(), etag=False)
    with_user_data = scale_set_json(scale_set, StubClock(), etag=False, user_data=True)
    assert with_user_data["properties"]["virtualMachineProfile"]["userData"] == "dXNlcg=="
    assert SPEC["properties"]["virtualMachineProfile"]["osProfile"]["adminPassword"] == "secret!"


def test_vm_json_shape() -> None:
    body = vm_json(
        StubScaleSet(spec=SPEC),
        StubVM(model=SPEC),
        StubClock(),
        etag=True,
        deletion_status=True,
        instance_view=True,
    )
    props = body["properties"]
    assert body["id"] == f"{S}/web/virtualMachines/37"
    assert body["type"] == "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"
    assert body["sku"] == {"name": "Standard_D2s_v3", "tier": "Standard"}
    assert props["resilientVMDeletionStatus"] == "InProgress"
    assert props["osProfile"] == {"computerName": "web000011", "adminUsername": "azure"}
    assert props["storageProfile"]["osDisk"]["osType"] == "Linux"
    codes = [s["code"] for s in props["instanceView"]["statuses"]]
    assert codes == ["ProvisioningState/deleting", "PowerState/running"]
    plain = vm_json(
        StubScaleSet(spec=SPEC), StubVM(model=SPEC), StubClock(), etag=False, deletion_status=False
    )
    assert "resilientVMDeletionStatus" not in plain["properties"] and "etag" not in plain


@dataclass
class StubOperation:
    id: str = "op"
    status: str = "Failed"
    start_time: float = 0.0
    end_time: float | None = 60.0
    error: dict[str, Any] | None = field(
        default_factory=lambda: {"code": "InternalExecutionError", "message": "boom"}
    )
    location: str = "westus"
    resource_id: str = f"{S}/web"
    returns_resource: bool = False


@dataclass
class StubFeature:
    namespace: str = "Microsoft.Compute"
    name: str = "ReliableVMDeletion"
    state: str = "Registering"


def test_operation_and_feature_json() -> None:
    body = operation_json(StubOperation(), StubClock())
    assert body == {
        "name": "op",
        "status": "Failed",
        "startTime": "2026-01-01T00:00:00.000000+00:00",
        "endTime": "2026-01-01T00:01:00.000000+00:00",
        "error": {"code": "InternalExecutionError", "message": "boom"},
    }
    running = operation_json(
        StubOperation(status="InProgress", end_time=None, error=None), StubClock()
    )
    assert set(running) == {"name", "status", "startTime"}
    feature = feature_json("sub", StubFeature())
    assert feature["name"] == "Microsoft.Compute/ReliableVMDeletion"
    assert feature["type"] == "Microsoft.Features/providers/features"
    assert feature["properties"] == {"state": "Registering"}
