from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sdk_support import ScriptedTransport, respond, scripted_client, split

from aiovmss.errors import ApiVersionError, ResourceNotFoundError
from aiovmss.models import ResilientVMDeletionStatus, VirtualMachineScaleSetVM

S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
VMS = f"{S}/web/virtualMachines"
FIXTURES = Path(__file__).parent.parent / "fixtures"
VERSIONS = pytest.mark.parametrize("api_version", ["2023-07-01", "2024-07-01"])
VM = {"name": "web_3", "instanceId": "3", "properties": {"provisioningState": "Succeeded"}}


def _example(name: str) -> Any:
    return json.loads((FIXTURES / "spec_examples" / name).read_text())


@VERSIONS
@pytest.mark.parametrize("expand", [None, "instanceView", "userData"])
async def test_get_vm(api_version: str, expand: str | None) -> None:
    transport = ScriptedTransport(respond(200, VM))
    vm = await scripted_client(transport, api_version).scale_set_vms.get(
        "rg", "web", "3", expand=expand
    )
    assert isinstance(vm, VirtualMachineScaleSetVM) and vm.instance_id == "3"
    expected = {"api-version": [api_version]} | ({"$expand": [expand]} if expand else {})
    assert split(transport.requests[0]) == ("GET", f"{VMS}/3", expected)


@pytest.mark.parametrize(
    "expand", ["resiliencyView", "ResiliencyView", "instanceView,RESILIENCYVIEW"]
)
async def test_resiliency_view_at_2024_reads_the_deletion_status(expand: str) -> None:
    example = _example("2025-04-01/VirtualMachineScaleSetVM_Get_WithResilientVMDeletionStatus.json")
    transport = ScriptedTransport(respond(200, example["responses"]["200"]["body"]))
    vm = await scripted_client(transport).scale_set_vms.get("rg", "web", "0", expand=expand)
    assert vm.resilient_vm_deletion_status is not None
    assert split(transport.requests[0])[2]["$expand"] == [expand]


@pytest.mark.parametrize(
    "expand", ["resiliencyView", "resiliencyview", "instanceView, ResiliencyView"]
)
async def test_resiliency_view_at_2023_raises_before_any_request(expand: str) -> None:
    transport = ScriptedTransport()
    client = scripted_client(transport, "2023-07-01")
    with pytest.raises(ApiVersionError, match="2024-07-01"):
        await client.scale_set_vms.get("rg", "web", "0", expand=expand)
    with pytest.raises(ApiVersionError):
        client.scale_set_vms.list("rg", "web", expand=expand)
    assert transport.requests == []


async def test_get_vm_not_found() -> None:
    transport = ScriptedTransport(
        respond(404, {"error": {"code": "ResourceNotFound", "message": "gone"}})
    )
    with pytest.raises(ResourceNotFoundError) as info:
        await scripted_client(transport).scale_set_vms.get("rg", "web", "3")
    assert info.value.operation == "scale_set_vms.get"
    assert info.value.resource == "rg/web/virtualMachines/3"
    assert "ResourceNotFound" in str(info.value)


@VERSIONS
async def test_list_vms_with_filter_select_expand(api_version: str) -> None:
    transport = ScriptedTransport(respond(200, {"value": [VM]}))
    paged = scripted_client(transport, api_version).scale_set_vms.list(
        "rg",
        "web",
        expand="instanceView",
        filter="properties/latestModelApplied eq true",
        select="properties/provisioningState",
    )
    assert [vm.instance_id async for vm in paged] == ["3"]
    method, path, query = split(transport.requests[0])
    assert (method, path) == ("GET", VMS)
    assert query == {
        "api-version": [api_version],
        "$expand": ["instanceView"],
        "$filter": ["properties/latestModelApplied eq true"],
        "$select": ["properties/provisioningState"],
    }
    assert "%20eq%20" in transport.requests[0].url  # values are percent-encoded


async def test_list_vms_at_2024_carries_the_status_without_expand() -> None:
    example = _example("2025-04-01/VirtualMachineScaleSetVM_List_WithResiliencyView.json")
    transport = ScriptedTransport(respond(200, example["responses"]["200"]["body"]))
    vms = [vm async for vm in scripted_client(transport).scale_set_vms.list("rg", "web")]
    assert vms and all(isinstance(vm, VirtualMachineScaleSetVM) for vm in vms)
    assert split(transport.requests[0])[2] == {"api-version": ["2024-07-01"]}


async def test_list_parses_the_in_progress_status() -> None:
    page = {"value": [{**VM, "properties": {"resilientVMDeletionStatus": "InProgress"}}]}
    client = scripted_client(ScriptedTransport(respond(200, page)))
    vms = [vm async for vm in client.scale_set_vms.list("rg", "web")]
    assert vms[0].resilient_vm_deletion_status == ResilientVMDeletionStatus.IN_PROGRESS


@VERSIONS
@pytest.mark.parametrize(("force", "wire"), [(False, "false"), (True, "true")])
async def test_delete_vm(api_version: str, force: bool, wire: str) -> None:
    loc = "https://management.azure.com/subscriptions/sub/providers/x/operations/1?monitor=true"
    transport = ScriptedTransport(respond(202, None, {"Location": loc}), respond(200, None))
    client = scripted_client(transport, api_version)
    poller = await client.scale_set_vms.begin_delete("rg", "web", "3", force_deletion=force)
    assert await poller.result() is None
    method, path, query = split(transport.requests[0])
    assert (method, path) == ("DELETE", f"{VMS}/3")
    assert query == {"api-version": [api_version], "forceDeletion": [wire]}


async def test_delete_vm_without_poll_headers_polls_until_404() -> None:
    gone = respond(404, {"error": {"code": "ResourceNotFound", "message": "gone"}})
    deleting = {**VM, "properties": {"provisioningState": "Deleting"}}
    transport = ScriptedTransport(respond(202), respond(200, deleting), gone)
    poller = await scripted_client(transport).scale_set_vms.begin_delete("rg", "web", "3")
    assert await poller.result() is None
    assert [split(r)[2] for r in transport.requests[1:]] == [{"api-version": ["2024-07-01"]}] * 2


async def test_flexible_instance_ids_are_path_segments() -> None:
    transport = ScriptedTransport(respond(200, {**VM, "instanceId": "web_0a1b2c3d"}))
    await scripted_client(transport).scale_set_vms.get("rg", "web", "web_0a1b2c3d")
    assert split(transport.requests[0])[1] == f"{VMS}/web_0a1b2c3d"


async def test_wrong_argument_types() -> None:
    transport = ScriptedTransport()
    client = scripted_client(transport)
    with pytest.raises(TypeError, match="expand"):
        await client.scale_set_vms.get("rg", "web", "3", expand=["instanceView"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="instance id must be a str"):
        await client.scale_set_vms.get("rg", "web", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="filter"):
        client.scale_set_vms.list("rg", "web", filter=1)  # type: ignore[arg-type]
    assert transport.requests == []
