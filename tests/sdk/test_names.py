from __future__ import annotations

import pytest
from sdk_support import ScriptedTransport

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss._names import validate_instance_ids, validate_name
from aiovmss.errors import InvalidNameError

BAD_NAMES = [
    "",
    ".",
    "..",
    "a/b",
    "a?b",
    "a#b",
    "a%2Fb",
    "a\\b",
    "a\nb",
    "a\x00b",
    "a\x7fb",
    " lead",
    "trail ",
    "\ttab",
]


@pytest.mark.parametrize("value", ["web", "my-rg_1", "0", "web_0a1b2c3d", "Rg.With.Dots", "ü"])
def test_valid_names_pass_through(value: str) -> None:
    assert validate_name("scale set name", value) == value


@pytest.mark.parametrize("value", BAD_NAMES)
def test_bad_names_raise_invalid_name_error_with_kind_and_repr(value: str) -> None:
    with pytest.raises(InvalidNameError) as info:
        validate_name("resource group", value)
    assert "resource group" in str(info.value)
    assert repr(value) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", [None, 3, b"web", ["web"]])
def test_non_str_names_raise_type_error(value: object) -> None:
    with pytest.raises(TypeError, match="instance id must be a str"):
        validate_name("instance id", value)


def _client(transport: ScriptedTransport) -> ComputeClient:
    return ComputeClient(StaticTokenCredential("t"), "sub", transport=transport)


@pytest.mark.parametrize("value", BAD_NAMES)
async def test_every_operation_checks_every_name_before_sending(value: str) -> None:
    transport = ScriptedTransport()
    client = _client(transport)
    calls = [
        lambda: client.scale_sets.get(value, "web"),
        lambda: client.scale_sets.get("rg", value),
        lambda: client.scale_sets.begin_delete(value, "web"),
        lambda: client.scale_sets.begin_delete_instances("rg", value, ["0"]),
        lambda: client.scale_sets.begin_delete_instances("rg", "web", ["0", value]),
        lambda: client.scale_set_vms.get("rg", "web", value),
        lambda: client.scale_set_vms.begin_delete("rg", value, "0"),
        lambda: client.features.get(value, "ReliableVMDeletion"),
        lambda: client.features.register("Microsoft.Compute", value),
    ]
    for call in calls:
        with pytest.raises(InvalidNameError):
            await call()
    with pytest.raises(InvalidNameError):
        client.scale_sets.list(value)
    with pytest.raises(InvalidNameError):
        client.scale_set_vms.list("rg", value)
    assert transport.requests == []


@pytest.mark.parametrize("value", ["", "a/b", "../x"])
def test_subscription_id_is_checked(value: str) -> None:
    with pytest.raises(InvalidNameError, match="subscription_id"):
        _client_with_sub(value)


def _client_with_sub(sub: str) -> ComputeClient:
    return ComputeClient(StaticTokenCredential("t"), sub, transport=ScriptedTransport())


# --- lists of instance ids: one check for every operation and waiter ----------------------------


@pytest.mark.parametrize(
    "value", [["0", "12"], ("0", "12"), iter(["0", "12"]), {"0": 1, "12": 2}.keys()]
)
def test_instance_ids_accept_any_iterable_of_str(value: object) -> None:
    assert validate_instance_ids("instance_ids", value) == ["0", "12"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12", r"instance_ids must be a list of str, not str \(one id: \['12'\]\)"),
        (b"12", r"not bytes \(one id: \['12'\]\)"),
        (12, "instance_ids must be a list of str, not int"),
        (None, "instance_ids must be a list of str, not NoneType"),
        (["0", 1], r"instance_ids\[1\] must be a str, not int"),
        ([None], r"instance_ids\[0\] must be a str, not NoneType"),
    ],
)
def test_instance_ids_refuse_a_str_and_non_str_items(value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        validate_instance_ids("instance_ids", value)


def test_instance_ids_refuse_empty_unless_allowed_and_check_each_name() -> None:
    with pytest.raises(ValueError, match="instance_ids must not be empty"):
        validate_instance_ids("instance_ids", [])
    assert validate_instance_ids("instance_ids", [], allow_empty=True) == []
    with pytest.raises(InvalidNameError, match=r"invalid instance_ids\[1\] '\.\./x'"):
        validate_instance_ids("instance_ids", ["0", "../x"])


async def test_delete_instances_refuses_a_str_with_the_shared_message() -> None:
    transport = ScriptedTransport()
    with pytest.raises(TypeError, match=r"not str \(one id: \['12'\]\)"):
        await _client(transport).scale_sets.begin_delete_instances("rg", "web", "12")
    assert transport.requests == []
