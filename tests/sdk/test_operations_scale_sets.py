from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sdk_support import ScriptedTransport, body_of, respond, scripted_client, split

from aiovmss.errors import ApiVersionError
from aiovmss.models import (
    ResiliencyPolicy,
    ResilientVMCreationPolicy,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetUpdate,
)

S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
FIXTURES = Path(__file__).parent.parent / "fixtures"
DONE_SET = {"name": "web", "location": "westus", "properties": {"provisioningState": "Succeeded"}}
VERSIONS = pytest.mark.parametrize("api_version", ["2023-07-01", "2024-07-01"])
READ_ONLY = {"id", "name", "type", "etag"}
READ_ONLY_PROPS = {"provisioningState", "uniqueId", "timeCreated"}


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@VERSIONS
async def test_create_with_a_full_model_sends_no_read_only_fields(api_version: str) -> None:
    full = _fixture("arm/scale_set_full.json")
    transport = ScriptedTransport(respond(200, full))
    client = scripted_client(transport, api_version)
    model = VirtualMachineScaleSet.from_wire(full)
    poller = await client.scale_sets.begin_create_or_update("rg", "web", model)
    result = await poller.result()
    assert isinstance(result, VirtualMachineScaleSet) and result.name == "web"
    method, path, query = split(transport.requests[0])
    assert (method, path, query) == ("PUT", f"{S}/web", {"api-version": [api_version]})
    sent = body_of(transport.requests[0])
    assert sent == model.to_wire()
    assert not READ_ONLY & set(sent)
    assert not READ_ONLY_PROPS & set(sent["properties"])
    assert sent["properties"]["resiliencyPolicy"] == full["properties"]["resiliencyPolicy"]
    assert sent["location"] == "westus" and sent["sku"] == full["sku"]


async def test_create_with_the_spec_example_dict() -> None:
    example = _fixture(
        "spec_examples/2023-07-01/VirtualMachineScaleSet_Create_WithResilientVMCreationPolicy.json"
    )
    body = example["parameters"]["parameters"]
    transport = ScriptedTransport(respond(201, example["responses"]["201"]["body"]))
    transport.add(respond(200, DONE_SET))
    poller = await scripted_client(transport, "2023-07-01").scale_sets.begin_create_or_update(
        "rg", "web", body
    )
    assert body_of(transport.requests[0]) == body  # a dict is validated, then sent unchanged
    await poller.result()


async def test_create_dict_with_a_wrong_type_fails_before_sending() -> None:
    transport = ScriptedTransport()
    with pytest.raises(ValidationError):
        await scripted_client(transport).scale_sets.begin_create_or_update(
            "rg", "web", {"sku": {"capacity": "many"}}
        )
    assert transport.requests == []


@pytest.mark.parametrize("body", ["{}", ["a"], 3, None, VirtualMachineScaleSetUpdate()])
async def test_create_body_of_the_wrong_type_is_a_type_error(body: object) -> None:
    transport = ScriptedTransport()
    with pytest.raises(TypeError, match="VirtualMachineScaleSet or a dict"):
        await scripted_client(transport).scale_sets.begin_create_or_update("rg", "web", body)  # type: ignore[arg-type]
    assert transport.requests == []


async def test_etag_preconditions_at_2024_are_headers() -> None:
    transport = ScriptedTransport(respond(200, DONE_SET), respond(200, DONE_SET))
    client = scripted_client(transport)
    await client.scale_sets.begin_create_or_update("rg", "web", {}, if_none_match="*")
    await client.scale_sets.begin_update("rg", "web", {}, if_match='"3"')
    assert transport.requests[0].headers["If-None-Match"] == "*"
    assert "If-Match" not in transport.requests[0].headers
    assert transport.requests[1].headers["If-Match"] == '"3"'


@pytest.mark.parametrize(
    "kwargs", [{"if_match": '"1"'}, {"if_none_match": "*"}, {"if_match": "*", "if_none_match": "*"}]
)
async def test_etag_preconditions_at_2023_raise_before_sending(kwargs: dict[str, str]) -> None:
    transport = ScriptedTransport()
    client = scripted_client(transport, "2023-07-01")
    with pytest.raises(ApiVersionError, match="2024-07-01"):
        await client.scale_sets.begin_create_or_update("rg", "web", {}, **kwargs)
    if set(kwargs) == {"if_match"}:
        with pytest.raises(ApiVersionError):
            await client.scale_sets.begin_update("rg", "web", {}, **kwargs)
    assert transport.requests == []


@VERSIONS
async def test_update_is_a_patch_of_the_update_model(api_version: str) -> None:
    transport = ScriptedTransport(respond(200, DONE_SET))
    update = VirtualMachineScaleSetUpdate.from_wire(
        {"tags": {"team": "a"}, "sku": {"capacity": 5}, "properties": {"overprovision": False}}
    )
    poller = await scripted_client(transport, api_version).scale_sets.begin_update(
        "rg", "web", update
    )
    await poller.result()
    method, path, query = split(transport.requests[0])
    assert (method, path, query) == ("PATCH", f"{S}/web", {"api-version": [api_version]})
    assert body_of(transport.requests[0]) == {
        "tags": {"team": "a"},
        "sku": {"capacity": 5},
        "properties": {"overprovision": False},
    }


SEED_BODY = (
    '{"properties": {"resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": true}, '
    '"resilientVMDeletionPolicy": {"enabled": true}}}}'
)


@VERSIONS
async def test_set_resiliency_policy_sends_the_seed_body(api_version: str) -> None:
    transport = ScriptedTransport(respond(200, DONE_SET))
    client = scripted_client(transport, api_version)
    poller = await client.scale_sets.begin_set_resiliency_policy(
        "rg", "web", resilient_vm_creation=True, resilient_vm_deletion=True
    )
    assert isinstance(await poller.result(), VirtualMachineScaleSet)
    method, path, query = split(transport.requests[0])
    assert (method, path, query) == ("PATCH", f"{S}/web", {"api-version": [api_version]})
    assert body_of(transport.requests[0]) == json.loads(SEED_BODY)


@pytest.mark.parametrize(
    ("kwargs", "policy"),
    [
        ({"resilient_vm_creation": False}, {"resilientVMCreationPolicy": {"enabled": False}}),
        ({"resilient_vm_deletion": True}, {"resilientVMDeletionPolicy": {"enabled": True}}),
    ],
)
async def test_set_resiliency_policy_sends_only_the_given_policy(
    kwargs: dict[str, bool], policy: dict[str, Any]
) -> None:
    transport = ScriptedTransport(respond(200, DONE_SET))
    await scripted_client(transport).scale_sets.begin_set_resiliency_policy("rg", "web", **kwargs)
    assert body_of(transport.requests[0]) == {"properties": {"resiliencyPolicy": policy}}


async def test_set_resiliency_policy_argument_checks() -> None:
    transport = ScriptedTransport()
    client = scripted_client(transport)
    with pytest.raises(ValueError, match="resilient_vm_creation, resilient_vm_deletion"):
        await client.scale_sets.begin_set_resiliency_policy("rg", "web")
    with pytest.raises(TypeError, match="must be a bool"):
        await client.scale_sets.begin_set_resiliency_policy(
            "rg",
            "web",
            resilient_vm_creation="yes",  # type: ignore[arg-type]
        )
    assert transport.requests == []


async def test_policy_built_from_models_matches_the_helper() -> None:
    transport = ScriptedTransport(respond(200, DONE_SET))
    update = {"properties": {"resiliencyPolicy": ResiliencyPolicy(
        resilient_vm_creation_policy=ResilientVMCreationPolicy(enabled=True)
    ).to_wire()}}  # fmt: skip
    await scripted_client(transport).scale_sets.begin_update("rg", "web", update)
    assert body_of(transport.requests[0]) == {
        "properties": {"resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": True}}}
    }


@VERSIONS
@pytest.mark.parametrize("expand", [None, "userData"])
async def test_get(api_version: str, expand: str | None) -> None:
    transport = ScriptedTransport(respond(200, _fixture("arm/scale_set_full.json")))
    result = await scripted_client(transport, api_version).scale_sets.get(
        "rg", "web", expand=expand
    )
    assert isinstance(result, VirtualMachineScaleSet) and result.name == "web"
    method, path, query = split(transport.requests[0])
    expected = {"api-version": [api_version]} | ({"$expand": [expand]} if expand else {})
    assert (method, path, query) == ("GET", f"{S}/web", expected)


@VERSIONS
async def test_list_in_a_resource_group(api_version: str) -> None:
    transport = ScriptedTransport(respond(200, {"value": [DONE_SET]}))
    names = [s.name async for s in scripted_client(transport, api_version).scale_sets.list("rg")]
    assert names == ["web"]
    assert split(transport.requests[0]) == ("GET", S, {"api-version": [api_version]})


@VERSIONS
@pytest.mark.parametrize(("force", "wire"), [(False, "false"), (True, "true")])
async def test_delete_always_sends_force_deletion(api_version: str, force: bool, wire: str) -> None:
    transport = ScriptedTransport(respond(204))
    client = scripted_client(transport, api_version)
    poller = await client.scale_sets.begin_delete("rg", "web", force_deletion=force)
    assert await poller.result() is None
    method, path, query = split(transport.requests[0])
    assert (method, path) == ("DELETE", f"{S}/web")
    assert query == {"api-version": [api_version], "forceDeletion": [wire]}
    assert transport.requests[0].body in (None, b"")


@VERSIONS
@pytest.mark.parametrize(("force", "wire"), [(False, "false"), (True, "true")])
async def test_delete_instances(api_version: str, force: bool, wire: str) -> None:
    loc = "https://management.azure.com/subscriptions/sub/providers/x/operations/1?monitor=true"
    transport = ScriptedTransport(respond(202, None, {"Location": loc}), respond(200, None))
    client = scripted_client(transport, api_version)
    poller = await client.scale_sets.begin_delete_instances(
        "rg", "web", ["0", "3"], force_deletion=force
    )
    assert await poller.result() is None
    method, path, query = split(transport.requests[0])
    assert (method, path) == ("POST", f"{S}/web/delete")
    assert query == {"api-version": [api_version], "forceDeletion": [wire]}
    assert body_of(transport.requests[0]) == {"instanceIds": ["0", "3"]}
    assert transport.requests[1].url == loc


@pytest.mark.parametrize(
    ("ids", "error"),
    [
        ("0", TypeError),
        (None, TypeError),
        ([], ValueError),
        ([0], TypeError),
        (["a/b"], ValueError),
    ],
)
async def test_delete_instances_checks_instance_ids(ids: object, error: type[Exception]) -> None:
    transport = ScriptedTransport()
    with pytest.raises(error):
        await scripted_client(transport).scale_sets.begin_delete_instances("rg", "web", ids)  # type: ignore[arg-type]
    assert transport.requests == []


async def test_force_deletion_must_be_a_bool() -> None:
    transport = ScriptedTransport()
    client = scripted_client(transport)
    with pytest.raises(TypeError, match="force_deletion must be a bool"):
        await client.scale_sets.begin_delete("rg", "web", force_deletion="true")  # type: ignore[arg-type]
    assert transport.requests == []
