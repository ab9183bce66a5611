"""The waiters' lean listings: the same requests, paging, origin checks and retries as ``list``.

``client.scale_set_vms._list_states`` and ``client.scale_sets._list_states`` parse each page
into ``ResourceState`` (three fields, unknown ones ignored) instead of the full models.
"""

from __future__ import annotations

import pytest
from sdk_support import ScriptedTransport, respond, scripted_client, split

from aiovmss._states import ResourceState
from aiovmss.errors import ResponseDecodeError, UntrustedUrlError
from aiovmss.models import VirtualMachineScaleSetVM

BASE = "https://management.azure.com"
SETS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
VMS = f"{SETS}/web/virtualMachines"


def vm(iid: str, state: str, status: str | None = "Enabled") -> dict[str, object]:
    props: dict[str, object] = {
        "provisioningState": state,
        "storageProfile": {"osDisk": {"osType": "Linux"}},
        "vmId": f"id-{iid}",
    }
    if status is not None:
        props["resilientVMDeletionStatus"] = status
    return {"id": f"{VMS}/{iid}", "instanceId": iid, "name": f"web_{iid}", "properties": props}


async def test_vm_states_follow_pages_and_retry_like_the_full_listing() -> None:
    second = f"{BASE}{VMS}?api-version=2024-07-01&$skiptoken=2"
    transport = ScriptedTransport(
        respond(200, {"value": [vm("0", "Creating"), vm("1", "Failed")], "nextLink": second}),
        respond(503, {"error": {"code": "ServiceUnavailable", "message": "busy"}}),
        respond(200, {"value": [vm("2", "Deleting", "InProgress")], "extra": {"x": 1}}),
    )
    async with scripted_client(transport) as client:
        states = [s async for s in client.scale_set_vms._list_states("rg", "web")]
    assert states == [
        ResourceState.model_validate(vm("0", "Creating")),
        ResourceState.model_validate(vm("1", "Failed")),
        ResourceState.model_validate(vm("2", "Deleting", "InProgress")),
    ]
    third = states[2]
    assert (third.instance_id, third.name) == ("2", "web_2")
    assert (third.provisioning_state, third.resilient_vm_deletion_status) == (
        "Deleting",
        "InProgress",
    )
    assert not hasattr(third, "vm_id") and third.model_extra in (None, {})
    assert [split(r)[:2] for r in transport.requests] == [("GET", VMS)] * 3  # 503 retried


async def test_vm_states_read_what_the_full_models_read() -> None:
    page = {"value": [vm("0", "Succeeded"), vm("7", "Deleting", None)]}
    transport = ScriptedTransport(respond(200, page), respond(200, page))
    async with scripted_client(transport) as client:
        lean = [s async for s in client.scale_set_vms._list_states("rg", "web")]
        full = [v async for v in client.scale_set_vms.list("rg", "web")]
    assert transport.requests[0].url == transport.requests[1].url
    assert all(isinstance(v, VirtualMachineScaleSetVM) for v in full)
    assert [
        (s.instance_id, s.provisioning_state, s.resilient_vm_deletion_status) for s in lean
    ] == [(v.instance_id, v.provisioning_state, v.resilient_vm_deletion_status) for v in full]


async def test_a_foreign_next_link_is_refused_as_for_the_full_listing() -> None:
    transport = ScriptedTransport(
        respond(200, {"value": [vm("0", "Creating")], "nextLink": "https://evil.example/x"})
    )
    async with scripted_client(transport) as client:
        with pytest.raises(UntrustedUrlError):
            [s async for s in client.scale_set_vms._list_states("rg", "web")]
    assert len(transport.requests) == 1


async def test_a_wrongly_typed_field_fails_to_decode() -> None:
    transport = ScriptedTransport(respond(200, {"value": [{"instanceId": ["0"]}]}))
    async with scripted_client(transport) as client:
        with pytest.raises(ResponseDecodeError):
            [s async for s in client.scale_set_vms._list_states("rg", "web")]


async def test_scale_set_states_of_a_resource_group() -> None:
    body = {"value": [{"name": "web", "properties": {"provisioningState": "Deleting"}}]}
    transport = ScriptedTransport(respond(200, body))
    async with scripted_client(transport) as client:
        states = [s async for s in client.scale_sets._list_states("rg")]
    assert [(s.name, s.provisioning_state) for s in states] == [("web", "Deleting")]
    assert split(transport.requests[0])[:2] == ("GET", SETS)
