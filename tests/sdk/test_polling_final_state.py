"""Where a long-running operation's result is read (final-state-via), and continuation tokens
naming result models by name: new ones, and ones written before final-state-via was recorded."""

from __future__ import annotations

import json

import pytest
from sdk_support import ManualClock, ScriptedTransport, respond, scripted_client

from aiovmss import AsyncLROPoller
from aiovmss._lro import LroState, default_final_state, final_get_url, initial_state
from aiovmss._lro_tokens import state_from_token
from aiovmss._origin import AllowedOrigins
from aiovmss.models import VirtualMachineScaleSetVM, VirtualMachineScaleSetVMInstanceView

BASE = "https://management.azure.com"
S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
VM_URL = f"{BASE}{S}/web/virtualMachines/3?api-version=2024-07-01"
OP = f"{BASE}/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/op1"
ASYNC = f"{OP}?api-version=2024-07-01"
LOC = f"{OP}?monitor=true&api-version=2024-07-01"
VM = {"name": "web_3", "instanceId": "3", "properties": {"provisioningState": "Succeeded"}}
VIEW = {"statuses": [{"code": "PowerState/running"}]}
NAMES = {"operation": "op", "resource": "rg/web", "api_version": "2024-07-01"}


@pytest.mark.parametrize(
    ("method", "result_type", "expected"),
    [
        ("PUT", "VirtualMachineScaleSetVM", "original-uri"),
        ("patch", "VirtualMachineScaleSet", "original-uri"),
        ("POST", "VirtualMachineScaleSetVM", "location"),
        ("POST", None, None),
        ("DELETE", None, None),
    ],
)
def test_default_final_state(method: str, result_type: str | None, expected: str | None) -> None:
    assert default_final_state(method, result_type) == expected


def _state(final_state_via: str | None, location: str | None = LOC) -> LroState:
    state = initial_state(
        "POST", VM_URL, 202, {"location": location} if location else {}, b"",
        result_type="X", final_state_via=final_state_via, **NAMES,
    )  # fmt: skip
    return state


def test_final_get_url_follows_final_state_via() -> None:
    assert final_get_url(_state("original-uri")) == VM_URL
    assert final_get_url(_state("location")) == LOC
    assert final_get_url(_state("location", location=None)) is None
    no_result = initial_state("POST", VM_URL, 202, {}, b"", result_type=None, **NAMES)
    assert no_result.final_state_via is None and final_get_url(no_result) is None


async def test_location_final_state_reads_the_result_from_the_location_url(
    clock: ManualClock,
) -> None:
    transport = ScriptedTransport(respond(202, None), respond(200, VIEW))
    client = scripted_client(transport)
    first = respond(202, None, {"Location": LOC})
    poller: AsyncLROPoller[VirtualMachineScaleSetVMInstanceView] = AsyncLROPoller.from_response(
        client.pipeline, client.polling_settings, first, method="POST", url=VM_URL,
        result=VirtualMachineScaleSetVMInstanceView, final_state_via="location", **NAMES,
    )  # fmt: skip
    result = await poller.result()
    assert isinstance(result, VirtualMachineScaleSetVMInstanceView)
    assert result.power_state == "running"
    assert [r.url for r in transport.requests] == [LOC, LOC]  # 202, then the result
    assert json.loads(poller.continuation_token())["final_state_via"] == "location"


async def test_location_final_state_after_an_async_operation(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(200, {"status": "Succeeded"}), respond(200, VIEW))
    client = scripted_client(transport)
    first = respond(202, None, {"Azure-AsyncOperation": ASYNC, "Location": LOC})
    poller: AsyncLROPoller[VirtualMachineScaleSetVMInstanceView] = AsyncLROPoller.from_response(
        client.pipeline, client.polling_settings, first, method="POST", url=VM_URL,
        result=VirtualMachineScaleSetVMInstanceView, final_state_via="location", **NAMES,
    )  # fmt: skip
    assert not poller.done()
    result = await poller.result()
    assert result.power_state == "running" and poller.done()
    assert [r.url for r in transport.requests] == [ASYNC, LOC]


async def test_vm_update_token_names_its_model_and_resumes(clock: ManualClock) -> None:
    first = ScriptedTransport(respond(202, VM, {"Azure-AsyncOperation": ASYNC}))
    poller = await scripted_client(first).scale_set_vms.begin_update("rg", "web", "3", {})
    token = poller.continuation_token()
    data = json.loads(token)
    assert data["result_type"] == "VirtualMachineScaleSetVM"
    assert data["final_state_via"] == "original-uri"
    second = ScriptedTransport(respond(200, {"status": "Succeeded"}), respond(200, VM))
    resumed = AsyncLROPoller.from_continuation_token(scripted_client(second), token)
    result = await resumed.result()
    assert isinstance(result, VirtualMachineScaleSetVM) and result.instance_id == "3"
    assert [r.url for r in second.requests] == [ASYNC, VM_URL]


OLD_TOKEN = {  # what continuation_token() wrote before final_state_via was recorded
    "method": "PUT",
    "resource_url": VM_URL,
    "operation": "scale_set_vms.begin_update",
    "resource": "rg/web/virtualMachines/3",
    "result_type": "VirtualMachineScaleSetVM",
    "api_version": "2024-07-01",
    "strategy": "azure-async-operation",
    "async_url": ASYNC,
    "location_url": None,
    "version": 1,
}


async def test_an_old_token_still_resumes_to_its_model() -> None:
    transport = ScriptedTransport(respond(200, {"status": "Succeeded"}), respond(200, VM))
    poller = AsyncLROPoller.from_continuation_token(
        scripted_client(transport), json.dumps(OLD_TOKEN)
    )
    result = await poller.result()
    assert isinstance(result, VirtualMachineScaleSetVM)
    assert transport.requests[-1].url == VM_URL  # PUT: the final GET of the resource itself
    old_delete = {**OLD_TOKEN, "method": "DELETE", "result_type": None}
    state = state_from_token(json.dumps(old_delete), AllowedOrigins.of(BASE))
    assert state.final_state_via is None


def test_a_token_with_an_unknown_final_state_is_refused() -> None:
    token = json.dumps({**OLD_TOKEN, "final_state_via": "somewhere-else"})
    with pytest.raises(ValueError, match="final_state_via"):
        state_from_token(token, AllowedOrigins.of(BASE))
