"""The scale set lifecycle operations on the wire: exact method, path, query and body, at both
api-versions; how each long-running one is polled; what is refused before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sdk_support import ScriptedTransport, assert_sent, body_of, respond, scripted_client, split

from aiovmss import AsyncLROPoller
from aiovmss.errors import ApiVersionError, InvalidNameError
from aiovmss.models import (
    OSProfileProvisioningData,
    VirtualMachineScaleSetInstanceView,
    VirtualMachineScaleSetSku,
)

BASE = "https://management.azure.com"
S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
OP = f"{BASE}/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/op1"
ASYNC = f"{OP}?api-version=2024-07-01"
LOC = f"{OP}?monitor=true&api-version=2024-07-01"
VERSIONS = pytest.mark.parametrize("api_version", ["2023-07-01", "2024-07-01"])
IDS = ["0", "3"]

# (method, keyword arguments, path suffix, query beyond api-version, body or None)
ACTIONS: list[tuple[str, dict[str, Any], str, dict[str, list[str]], Any]] = [
    ("begin_start", {}, "/start", {}, None),
    ("begin_start", {"instance_ids": IDS}, "/start", {}, {"instanceIds": IDS}),
    ("begin_power_off", {}, "/poweroff", {}, None),
    ("begin_power_off", {"skip_shutdown": True}, "/poweroff", {"skipShutdown": ["true"]}, None),
    (
        "begin_power_off",
        {"instance_ids": ("1",), "skip_shutdown": False},
        "/poweroff",
        {"skipShutdown": ["false"]},
        {"instanceIds": ["1"]},
    ),
    ("begin_deallocate", {}, "/deallocate", {}, None),
    ("begin_deallocate", {"hibernate": True}, "/deallocate", {"hibernate": ["true"]}, None),
    (
        "begin_deallocate",
        {"instance_ids": IDS, "hibernate": False},
        "/deallocate",
        {"hibernate": ["false"]},
        {"instanceIds": IDS},
    ),
    ("begin_restart", {}, "/restart", {}, None),
    ("begin_restart", {"instance_ids": IDS}, "/restart", {}, {"instanceIds": IDS}),
    ("begin_redeploy", {"instance_ids": IDS}, "/redeploy", {}, {"instanceIds": IDS}),
    ("begin_perform_maintenance", {}, "/performMaintenance", {}, None),
    (
        "begin_perform_maintenance",
        {"instance_ids": IDS},
        "/performMaintenance",
        {},
        {"instanceIds": IDS},
    ),
    ("begin_reimage_all", {}, "/reimageall", {}, None),
    ("begin_reimage_all", {"instance_ids": IDS}, "/reimageall", {}, {"instanceIds": IDS}),
    ("begin_reimage", {}, "/reimage", {}, None),
    ("begin_reimage", {"instance_ids": IDS}, "/reimage", {}, {"instanceIds": IDS}),
    (
        "begin_reimage",
        {
            "instance_ids": ["2"],
            "temp_disk": True,
            "exact_version": "22.04.202407010",
            "os_profile": {"adminPassword": "N3w-pa55", "customData": "I2Nsb3VkLWNvbmZpZw=="},
        },
        "/reimage",
        {},
        {
            "instanceIds": ["2"],
            "tempDisk": True,
            "exactVersion": "22.04.202407010",
            "osProfile": {"adminPassword": "N3w-pa55", "customData": "I2Nsb3VkLWNvbmZpZw=="},
        },
    ),
]


def _accepted() -> Any:
    """ARM's answer to a POST action: 202 with both polling URLs and a Retry-After."""
    return respond(202, None, {"Azure-AsyncOperation": ASYNC, "Location": LOC, "Retry-After": "0"})


def _status(value: str) -> dict[str, Any]:
    return {"name": "op1", "status": value, "startTime": "2024-07-01T10:00:00Z"}


@VERSIONS
@pytest.mark.parametrize(("method", "kwargs", "suffix", "query", "body"), ACTIONS)
async def test_action_wire_and_polling(
    api_version: str,
    method: str,
    kwargs: dict[str, Any],
    suffix: str,
    query: dict[str, list[str]],
    body: Any,
) -> None:
    transport = ScriptedTransport(
        _accepted(), respond(200, _status("InProgress")), respond(200, _status("Succeeded"))
    )
    client = scripted_client(transport, api_version)
    poller = await getattr(client.scale_sets, method)("rg", "web", **kwargs)
    assert isinstance(poller, AsyncLROPoller)
    assert await poller.result() is None
    expected_query = {"api-version": [api_version], **query}
    assert_sent(transport.requests[0], "POST", f"{S}/web{suffix}", expected_query, body)
    # Azure-AsyncOperation is polled until terminal; no result, so no final GET
    assert [r.url for r in transport.requests[1:]] == [ASYNC, ASYNC]
    assert all(r.method == "GET" for r in transport.requests[1:])


@VERSIONS
async def test_update_instances_is_a_manual_upgrade_of_the_ids(api_version: str) -> None:
    transport = ScriptedTransport(_accepted(), respond(200, _status("Succeeded")))
    client = scripted_client(transport, api_version)
    poller = await client.scale_sets.begin_update_instances("rg", "web", ["1", "4"])
    assert await poller.result() is None
    assert split(transport.requests[0]) == (
        "POST",
        f"{S}/web/manualupgrade",
        {"api-version": [api_version]},
    )
    assert body_of(transport.requests[0]) == {"instanceIds": ["1", "4"]}


async def test_approve_rolling_upgrade_at_2024() -> None:
    transport = ScriptedTransport(respond(202, None, {"Location": LOC}), respond(200, None))
    client = scripted_client(transport, "2024-07-01")
    poller = await client.scale_sets.begin_approve_rolling_upgrade(
        "rg", "web", instance_ids=["0", "1", "2"]
    )
    assert await poller.result() is None
    assert split(transport.requests[0]) == (
        "POST",
        f"{S}/web/approveRollingUpgrade",
        {"api-version": ["2024-07-01"]},
    )
    assert body_of(transport.requests[0]) == {"instanceIds": ["0", "1", "2"]}
    assert transport.requests[1].url == LOC  # Location only: it is polled until not 202


async def test_force_update_os_disk_for_ephemeral_at_2024() -> None:
    transport = ScriptedTransport(respond(200, None))
    client = scripted_client(transport, "2024-07-01")
    poller = await client.scale_sets.begin_reimage(
        "rg", "web", temp_disk=True, force_update_os_disk_for_ephemeral=True
    )
    assert await poller.result() is None  # 200 without polling headers: done at once
    assert body_of(transport.requests[0]) == {
        "tempDisk": True,
        "forceUpdateOSDiskForEphemeral": True,
    }
    assert len(transport.requests) == 1


# --- the api-version gates: ApiVersionError, nothing sent ---------------------------------


async def test_what_2023_07_01_lacks_raises_before_sending() -> None:
    transport = ScriptedTransport()
    ops = scripted_client(transport, "2023-07-01").scale_sets
    with pytest.raises(ApiVersionError, match=r"approve_rolling_upgrade.*2024-07-01"):
        await ops.begin_approve_rolling_upgrade("rg", "web")
    with pytest.raises(ApiVersionError, match=r"forceUpdateOSDiskForEphemeral.*2024-07-01"):
        await ops.begin_reimage("rg", "web", force_update_os_disk_for_ephemeral=False)
    assert transport.requests == []


@VERSIONS
async def test_what_both_versions_have_is_not_gated(api_version: str) -> None:
    """``hibernate`` and ``exactVersion`` are in the 2023-07-01 definitions too."""
    transport = ScriptedTransport(respond(200, None), respond(200, None))
    ops = scripted_client(transport, api_version).scale_sets
    await ops.begin_deallocate("rg", "web", hibernate=True)
    await ops.begin_reimage("rg", "web", exact_version="1.0.0")
    assert split(transport.requests[0])[2]["hibernate"] == ["true"]
    assert body_of(transport.requests[1]) == {"exactVersion": "1.0.0"}


# --- reads ----------------------------------------------------------------------------------

INSTANCE_VIEW = {
    "virtualMachine": {
        "statusesSummary": [
            {"code": "ProvisioningState/succeeded", "count": 3},
            {"code": "PowerState/running", "count": 2},
            {"code": "PowerState/deallocated", "count": 1},
        ]
    },
    "extensions": [
        {
            "name": "HealthExtension",
            "statusesSummary": [{"code": "ProvisioningState/succeeded", "count": 3}],
        }
    ],
    "statuses": [
        {
            "code": "ProvisioningState/succeeded",
            "level": "Info",
            "displayStatus": "Provisioning succeeded",
            "time": "2024-07-01T10:00:00.5+00:00",
        }
    ],
    "orchestrationServices": [{"serviceName": "AutomaticRepairs", "serviceState": "NotRunning"}],
}


@VERSIONS
async def test_get_instance_view(api_version: str) -> None:
    transport = ScriptedTransport(respond(200, INSTANCE_VIEW))
    view = await scripted_client(transport, api_version).scale_sets.get_instance_view("rg", "web")
    assert split(transport.requests[0]) == (
        "GET",
        f"{S}/web/instanceView",
        {"api-version": [api_version]},
    )
    assert isinstance(view, VirtualMachineScaleSetInstanceView)
    assert view.status_counts == {
        "ProvisioningState/succeeded": 3,
        "PowerState/running": 2,
        "PowerState/deallocated": 1,
    }
    assert view.orchestration_services is not None
    assert view.orchestration_services[0].service_state == "notrunning"


def _sku(name: str, maximum: int) -> dict[str, Any]:
    return {
        "resourceType": "Microsoft.Compute/virtualMachineScaleSets",
        "sku": {"name": name, "tier": "Standard"},
        "capacity": {
            "minimum": 0,
            "maximum": maximum,
            "defaultCapacity": 1,
            "scaleType": "Automatic",
        },
    }


@VERSIONS
async def test_list_skus_follows_next_link(api_version: str) -> None:
    next_link = f"{BASE}{S}/web/skus?api-version={api_version}&$skiptoken=2"
    transport = ScriptedTransport(
        respond(200, {"value": [_sku("Standard_D2s_v3", 1000)], "nextLink": next_link}),
        respond(200, {"value": [_sku("Standard_D4s_v3", 600)]}),
    )
    skus = [
        s async for s in scripted_client(transport, api_version).scale_sets.list_skus("rg", "web")
    ]
    assert split(transport.requests[0]) == ("GET", f"{S}/web/skus", {"api-version": [api_version]})
    assert transport.requests[1].url == next_link
    assert all(isinstance(s, VirtualMachineScaleSetSku) for s in skus)
    assert [(s.sku.name if s.sku else None) for s in skus] == ["Standard_D2s_v3", "Standard_D4s_v3"]
    assert skus[1].capacity is not None and skus[1].capacity.maximum == 600
    assert skus[0].capacity is not None and skus[0].capacity.scale_type == "Automatic"


# --- bad input: refused before sending ------------------------------------------------------


BAD_IDS: list[tuple[dict[str, Any], type[Exception]]] = [
    ({"instance_ids": "0"}, TypeError),  # a bare str is not a list of one id
    ({"instance_ids": [0, 3]}, TypeError),
    ({"instance_ids": 3}, TypeError),
    ({"instance_ids": []}, ValueError),  # never "every VM" by accident
    ({"instance_ids": ["0", ""]}, InvalidNameError),
    ({"instance_ids": ["../1"]}, InvalidNameError),
]
BAD_PARAMETERS: list[tuple[str, dict[str, Any], type[Exception]]] = [
    ("begin_power_off", {"skip_shutdown": "true"}, TypeError),
    ("begin_deallocate", {"hibernate": 1}, TypeError),
    ("begin_reimage", {"temp_disk": "yes"}, TypeError),
    ("begin_reimage", {"exact_version": 1}, TypeError),
    ("begin_reimage", {"os_profile": "secret"}, TypeError),
    ("begin_reimage", {"os_profile": {"adminPassword": 5}}, ValidationError),
    ("begin_reimage", {"force_update_os_disk_for_ephemeral": "no"}, TypeError),
]


@pytest.mark.parametrize(
    ("method", "kwargs", "error"),
    [(m, kw, err) for m in sorted({m for m, *_ in ACTIONS}) for kw, err in BAD_IDS]
    + BAD_PARAMETERS,
)
async def test_bad_input_is_refused_before_sending(
    method: str, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    transport = ScriptedTransport()
    with pytest.raises(error):
        await getattr(scripted_client(transport).scale_sets, method)("rg", "web", **kwargs)
    assert transport.requests == []


@pytest.mark.parametrize(("ids", "error"), [(None, TypeError), ("1", TypeError), ([], ValueError)])
async def test_update_instances_needs_ids(ids: object, error: type[Exception]) -> None:
    transport = ScriptedTransport()
    with pytest.raises(error):
        await scripted_client(transport).scale_sets.begin_update_instances("rg", "web", ids)  # type: ignore[arg-type]
    assert transport.requests == []


@pytest.mark.parametrize("bad", ["", "a/b", "..", "x?y"])
async def test_bad_names_are_refused(bad: str) -> None:
    transport = ScriptedTransport()
    ops = scripted_client(transport).scale_sets
    with pytest.raises(InvalidNameError):
        await ops.get_instance_view("rg", bad)
    with pytest.raises(InvalidNameError):
        ops.list_skus(bad, "web")
    for method in sorted({m for m, *_ in ACTIONS}):
        with pytest.raises(InvalidNameError):
            await getattr(ops, method)(bad, "web")
    with pytest.raises(InvalidNameError):
        await ops.begin_update_instances("rg", bad, ["0"])
    assert transport.requests == []


async def test_os_profile_secrets_stay_out_of_reprs() -> None:
    profile = OSProfileProvisioningData(admin_password="N3w-pa55", custom_data="c2VjcmV0")
    assert "N3w-pa55" not in repr(profile) and "c2VjcmV0" not in repr(profile)
    assert profile.to_wire() == {"adminPassword": "N3w-pa55", "customData": "c2VjcmV0"}
