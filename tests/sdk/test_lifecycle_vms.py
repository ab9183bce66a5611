"""One VM's lifecycle operations on the wire (``client.scale_set_vms``): exact method, path,
query and body at both api-versions, the VM PUT's polling and result, the gates, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sdk_support import ScriptedTransport, assert_sent, body_of, respond, scripted_client, split

from aiovmss import AsyncLROPoller
from aiovmss.errors import ApiVersionError, InvalidNameError, OperationFailedError
from aiovmss.models import (
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceView,
    VirtualMachineScaleSetVMProtectionPolicy,
)

BASE = "https://management.azure.com"
S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
VM = f"{S}/web/virtualMachines/3"
VM_LOWER = f"{S}/web/virtualmachines/3"  # the spec's spelling for four of the actions
OP = f"{BASE}/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/op1"
ASYNC = f"{OP}?api-version=2024-07-01"
LOC = f"{OP}?monitor=true&api-version=2024-07-01"
VERSIONS = pytest.mark.parametrize("api_version", ["2023-07-01", "2024-07-01"])

# (method, keyword arguments, path, query beyond api-version, body or None)
ACTIONS: list[tuple[str, dict[str, Any], str, dict[str, list[str]], Any]] = [
    ("begin_start", {}, f"{VM_LOWER}/start", {}, None),
    ("begin_power_off", {}, f"{VM_LOWER}/poweroff", {}, None),
    (
        "begin_power_off",
        {"skip_shutdown": True},
        f"{VM_LOWER}/poweroff",
        {"skipShutdown": ["true"]},
        None,
    ),
    ("begin_deallocate", {}, f"{VM}/deallocate", {}, None),
    ("begin_restart", {}, f"{VM_LOWER}/restart", {}, None),
    ("begin_redeploy", {}, f"{VM_LOWER}/redeploy", {}, None),
    ("begin_reimage_all", {}, f"{VM}/reimageall", {}, None),
    ("begin_reimage", {}, f"{VM}/reimage", {}, None),
    (
        "begin_reimage",
        {
            "temp_disk": True,
            "exact_version": "22.04.202407010",
            "os_profile": {"customData": "eA=="},
        },
        f"{VM}/reimage",
        {},
        {"tempDisk": True, "exactVersion": "22.04.202407010", "osProfile": {"customData": "eA=="}},
    ),
]


def _status(value: str, **extra: Any) -> dict[str, Any]:
    return {"name": "op1", "status": value, **extra}


@VERSIONS
@pytest.mark.parametrize(("method", "kwargs", "path", "query", "body"), ACTIONS)
async def test_action_wire_and_polling(
    api_version: str,
    method: str,
    kwargs: dict[str, Any],
    path: str,
    query: dict[str, list[str]],
    body: Any,
) -> None:
    headers = {"Azure-AsyncOperation": ASYNC, "Location": LOC}
    transport = ScriptedTransport(respond(202, None, headers), respond(200, _status("Succeeded")))
    client = scripted_client(transport, api_version)
    poller = await getattr(client.scale_set_vms, method)("rg", "web", "3", **kwargs)
    assert isinstance(poller, AsyncLROPoller)
    assert await poller.result() is None
    expected_query = {"api-version": [api_version], **query}
    assert_sent(transport.requests[0], "POST", path, expected_query, body)
    assert [r.url for r in transport.requests[1:]] == [ASYNC]  # no final GET: no result


async def test_a_failed_action_raises_with_the_arm_error() -> None:
    error = {"code": "OperationNotAllowed", "message": "the VM is being deleted"}
    transport = ScriptedTransport(
        respond(202, None, {"Azure-AsyncOperation": ASYNC}),
        respond(200, _status("Failed", error=error)),
    )
    poller = await scripted_client(transport).scale_set_vms.begin_restart("rg", "web", "3")
    with pytest.raises(OperationFailedError, match="OperationNotAllowed") as info:
        await poller.result()
    assert "scale_set_vms.begin_restart" in str(info.value) and "web" in str(info.value)


INSTANCE_VIEW = {
    "platformUpdateDomain": 0,
    "platformFaultDomain": 0,
    "rdpThumbPrint": None,
    "computerName": "web000003",
    "osName": "ubuntu",
    "osVersion": "22.04",
    "hyperVGeneration": "V2",
    "vmAgent": {
        "vmAgentVersion": "2.11.1.4",
        "statuses": [
            {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Ready"}
        ],
        "extensionHandlers": None,
    },
    "disks": [
        {
            "name": "web_web_3_OsDisk_1",
            "encryptionSettings": None,
            "statuses": [
                {
                    "code": "ProvisioningState/succeeded",
                    "level": "Info",
                    "displayStatus": "Provisioning succeeded",
                    "message": None,
                    "time": "2024-07-01T10:00:00.0882815+00:00",
                }
            ],
        }
    ],
    "extensions": None,
    "bootDiagnostics": None,
    "maintenanceRedeployStatus": {
        "isCustomerInitiatedMaintenanceAllowed": True,
        "lastOperationResultCode": "MaintenanceCompleted",
    },
    "statuses": [
        {
            "code": "ProvisioningState/succeeded",
            "level": "Info",
            "displayStatus": "Provisioning succeeded",
            "time": "2024-07-01T10:00:00.1852966+00:00",
        },
        {"code": "PowerState/running", "level": "Info", "displayStatus": "VM running"},
    ],
}


@VERSIONS
async def test_get_instance_view(api_version: str) -> None:
    transport = ScriptedTransport(respond(200, INSTANCE_VIEW))
    client = scripted_client(transport, api_version)
    view = await client.scale_set_vms.get_instance_view("rg", "web", "3")
    assert split(transport.requests[0]) == (
        "GET",
        f"{VM}/instanceView",
        {"api-version": [api_version]},
    )
    assert isinstance(view, VirtualMachineScaleSetVMInstanceView)
    assert (view.power_state, view.provisioning_state) == ("running", "succeeded")
    assert view.vm_agent is not None and view.vm_agent.vm_agent_version == "2.11.1.4"
    assert view.disks is not None and view.disks[0].statuses is not None
    assert view.maintenance_redeploy_status is not None
    assert view.maintenance_redeploy_status.last_operation_result_code == "maintenancecompleted"
    assert view.hyper_v_generation == "V2"


# --- the VM's PUT ---------------------------------------------------------------------------

VM_BODY: dict[str, Any] = {
    "id": f"{VM}",
    "name": "web_3",
    "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
    "location": "westus",
    "instanceId": "3",
    "sku": {"name": "Standard_D2s_v3", "tier": "Standard"},
    "zones": ["1"],
    "tags": {"team": "web"},
    "properties": {
        "latestModelApplied": True,
        "modelDefinitionApplied": "VirtualMachineScaleSet",
        "vmId": "42af9fdf-b906-4ad7-9905-000000000003",
        "provisioningState": "Succeeded",
        "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
        "protectionPolicy": {"protectFromScaleIn": False, "protectFromScaleSetActions": False},
        "instanceView": INSTANCE_VIEW,
    },
}


def _with(provisioning: str, *, protect: bool) -> dict[str, Any]:
    body = {**VM_BODY, "properties": {**VM_BODY["properties"], "provisioningState": provisioning}}
    body["properties"]["protectionPolicy"] = {"protectFromScaleIn": protect}
    return body


@VERSIONS
async def test_update_puts_the_vm_and_reads_it_back(api_version: str) -> None:
    transport = ScriptedTransport(
        respond(202, _with("Updating", protect=True), {"Azure-AsyncOperation": ASYNC}),
        respond(200, _status("InProgress")),
        respond(200, _status("Succeeded")),
        respond(200, _with("Succeeded", protect=True)),
    )
    vm = VirtualMachineScaleSetVM.from_wire(VM_BODY)
    assert vm.properties is not None
    vm.properties.protection_policy = VirtualMachineScaleSetVMProtectionPolicy(
        protect_from_scale_in=True
    )
    client = scripted_client(transport, api_version)
    poller = await client.scale_set_vms.begin_update("rg", "web", "3", vm)
    result = await poller.result()
    assert split(transport.requests[0]) == ("PUT", VM, {"api-version": [api_version]})
    sent = body_of(transport.requests[0])
    # read-only members of what GET returned are not sent back
    assert set(sent) == {"location", "tags", "properties"}
    assert set(sent["properties"]) == {"hardwareProfile", "protectionPolicy"}
    assert sent["properties"]["protectionPolicy"] == {"protectFromScaleIn": True}
    # polled through Azure-AsyncOperation, then the final GET of the VM itself (original-uri)
    assert [(r.method, r.url) for r in transport.requests[1:]] == [
        ("GET", ASYNC),
        ("GET", ASYNC),
        ("GET", f"{BASE}{VM}?api-version={api_version}"),
    ]
    assert isinstance(result, VirtualMachineScaleSetVM)
    assert result.properties is not None and result.properties.protection_policy is not None
    assert result.properties.protection_policy.protect_from_scale_in is True


async def test_update_done_at_once_needs_no_poll() -> None:
    transport = ScriptedTransport(respond(200, _with("Succeeded", protect=False)))
    client = scripted_client(transport)
    body = {"location": "westus", "properties": {"protectionPolicy": {"protectFromScaleIn": False}}}
    poller = await client.scale_set_vms.begin_update("rg", "web", "3", body)
    assert body_of(transport.requests[0]) == body  # a dict is validated, then sent as given
    result = await poller.result()
    assert result.instance_id == "3" and len(transport.requests) == 1


async def test_update_etag_preconditions() -> None:
    transport = ScriptedTransport(respond(200, VM_BODY))
    client = scripted_client(transport, "2024-07-01")
    await client.scale_set_vms.begin_update("rg", "web", "3", {}, if_match='"7"', if_none_match="*")
    headers = transport.requests[0].headers
    assert (headers["If-Match"], headers["If-None-Match"]) == ('"7"', "*")
    old = ScriptedTransport()
    at_2023 = scripted_client(old, "2023-07-01").scale_set_vms
    for kwargs in ({"if_match": '"7"'}, {"if_none_match": "*"}):
        with pytest.raises(ApiVersionError, match="2024-07-01"):
            await at_2023.begin_update("rg", "web", "3", {}, **kwargs)
    assert old.requests == []


# --- gates and bad input --------------------------------------------------------------------


async def test_force_update_os_disk_for_ephemeral_is_gated() -> None:
    transport = ScriptedTransport(respond(200, None))
    await scripted_client(transport, "2024-07-01").scale_set_vms.begin_reimage(
        "rg", "web", "3", force_update_os_disk_for_ephemeral=True
    )
    assert body_of(transport.requests[0]) == {"forceUpdateOSDiskForEphemeral": True}
    old = ScriptedTransport()
    with pytest.raises(ApiVersionError, match="forceUpdateOSDiskForEphemeral"):
        await scripted_client(old, "2023-07-01").scale_set_vms.begin_reimage(
            "rg", "web", "3", force_update_os_disk_for_ephemeral=True
        )
    assert old.requests == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{}", TypeError),
        (None, TypeError),
        (["vm"], TypeError),
        ({"properties": {"protectionPolicy": {"protectFromScaleIn": "maybe"}}}, ValidationError),
        ({"properties": {"protectionPolicy": "on"}}, ValidationError),
    ],
)
async def test_update_body_of_the_wrong_shape_is_refused(body: object, error: type) -> None:
    transport = ScriptedTransport()
    with pytest.raises(error):
        await scripted_client(transport).scale_set_vms.begin_update("rg", "web", "3", body)  # type: ignore[arg-type]
    assert transport.requests == []


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("begin_power_off", {"skip_shutdown": "false"}),
        ("begin_reimage", {"temp_disk": 1}),
        ("begin_reimage", {"os_profile": ["x"]}),
    ],
)
async def test_bad_parameters_are_refused(method: str, kwargs: dict[str, Any]) -> None:
    transport = ScriptedTransport()
    with pytest.raises(TypeError):
        await getattr(scripted_client(transport).scale_set_vms, method)("rg", "web", "3", **kwargs)
    assert transport.requests == []


@pytest.mark.parametrize("bad", ["", "a/b", "..", "1#2", 3])
async def test_bad_instance_ids_and_names_are_refused(bad: Any) -> None:
    transport = ScriptedTransport()
    vms = scripted_client(transport).scale_set_vms
    error = TypeError if not isinstance(bad, str) else InvalidNameError
    methods = sorted({m for m, *_ in ACTIONS})
    for method in methods:
        with pytest.raises(error):
            await getattr(vms, method)("rg", "web", bad)
        with pytest.raises(error):
            await getattr(vms, method)("rg", bad, "3")
    with pytest.raises(error):
        await vms.get_instance_view("rg", "web", bad)
    with pytest.raises(error):
        await vms.begin_update("rg", "web", bad, {})
    assert transport.requests == []
