from __future__ import annotations

import asyncio
import json

import pytest
from sdk_support import ManualClock, ScriptedTransport, respond, split

from aiovmss import AsyncLROPoller, ComputeClient, StaticTokenCredential
from aiovmss._lro import (
    ASYNC_OPERATION,
    DONE,
    LOCATION,
    RESOURCE,
    PollingSettings,
    canonical_status,
    initial_state,
    poll_delay,
)
from aiovmss.errors import OperationFailedError, UntrustedUrlError, WaitTimeoutError
from aiovmss.models import VirtualMachineScaleSet
from aiovmss.transport import Headers

BASE = "https://management.azure.com"
S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
OP = f"{BASE}/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/op1"
LOC = f"{OP}?monitor=true&api-version=2024-07-01"
ASYNC = f"{OP}?api-version=2024-07-01"
SCALE_SET = {"name": "web", "location": "westus", "properties": {"provisioningState": "Creating"}}
DONE_SET = {"name": "web", "location": "westus", "properties": {"provisioningState": "Succeeded"}}
NAMES = {"operation": "op", "resource": "rg/web", "result_type": None, "api_version": "v"}


def _client(transport: ScriptedTransport, clock: ManualClock, **kwargs: object) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("secret-token"), "sub", transport=transport, clock=clock, **kwargs
    )


def _status(value: str, **extra: object) -> dict[str, object]:
    return {"name": "op1", "status": value, **extra}


# --- pure decisions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "body", "strategy", "state"),
    [
        (204, {}, b"", DONE, "Succeeded"),
        (
            201,
            {"Azure-AsyncOperation": ASYNC, "Location": LOC},
            b"{}",
            ASYNC_OPERATION,
            "InProgress",
        ),
        (202, {"Location": LOC}, b"", LOCATION, "InProgress"),
        (200, {}, json.dumps(SCALE_SET).encode(), RESOURCE, "InProgress"),
        (200, {}, json.dumps(DONE_SET).encode(), DONE, "Succeeded"),
        (200, {}, b'{"properties": {"provisioningState": "failed"}}', DONE, "Failed"),
        (200, {}, b"", DONE, "Succeeded"),
        (202, {}, b"", RESOURCE, "InProgress"),
    ],
)
def test_initial_state_picks_the_arm_strategy(
    status: int, headers: dict[str, str], body: bytes, strategy: str, state: str
) -> None:
    lro = initial_state("PUT", f"{BASE}{S}/web", status, Headers(headers), body, **NAMES)
    assert (lro.strategy, lro.status) == (strategy, state)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("succeeded", "Succeeded"), ("FAILED", "Failed"), ("Cancelled", "Canceled"),
     ("In Progress", "InProgress"), ("Weird", "Weird")],
)  # fmt: skip
def test_canonical_status(raw: str, canonical: str) -> None:
    assert canonical_status(raw) == canonical


@pytest.mark.parametrize(
    ("headers", "delay"),
    [({}, 30.0), ({"Retry-After": "5"}, 5.0), ({"Retry-After": "0"}, 1.0),
     ({"Retry-After": "600"}, 60.0), ({"retry-after-ms": "2500"}, 2.5),
     ({"Retry-After": "soon"}, 30.0)],
)  # fmt: skip
def test_poll_delay_clamps_retry_after_only(headers: dict[str, str], delay: float) -> None:
    assert poll_delay(Headers(headers), PollingSettings()) == delay


def test_polling_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        PollingSettings(min_interval=10, max_interval=5)
    with pytest.raises(ValueError):
        PollingSettings(interval=-1)


# --- the poller against scripted responses -------------------------------------------------


async def test_put_201_async_operation_then_final_get(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(201, SCALE_SET, {"Azure-AsyncOperation": ASYNC}),
        respond(200, _status("InProgress")),
        respond(200, _status("InProgress")),
        respond(200, _status("Succeeded")),
        respond(200, DONE_SET),
    )
    client = _client(transport, clock)
    poller = await client.scale_sets.begin_create_or_update("rg", "web", {"location": "westus"})
    assert poller.status() == "InProgress" and not poller.done()
    result = await poller.result()
    assert isinstance(result, VirtualMachineScaleSet)
    assert result.properties is not None and result.properties.provisioning_state == "Succeeded"
    assert poller.status() == "Succeeded" and poller.done()
    assert [r.url for r in transport.requests[1:4]] == [ASYNC] * 3
    assert split(transport.requests[4])[:2] == ("GET", f"{S}/web")
    assert clock.sleeps == [30.0, 30.0, 30.0]
    assert await poller.result() is result  # cached, no more requests
    assert len(transport.requests) == 5


async def test_patch_200_location_then_final_get(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(200, SCALE_SET, {"Location": LOC}),
        respond(202, None, {"Location": LOC}),
        respond(200, DONE_SET),
        respond(200, DONE_SET),
    )
    client = _client(transport, clock)
    poller = await client.scale_sets.begin_update("rg", "web", {"tags": {"a": "b"}})
    result = await poller.result()
    assert result.name == "web"
    assert [r.method for r in transport.requests] == ["PATCH", "GET", "GET", "GET"]
    assert [r.url for r in transport.requests[1:3]] == [LOC, LOC]
    assert transport.requests[3].url == f"{BASE}{S}/web?api-version=2024-07-01"


async def test_delete_202_location_only(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(202, None, {"Location": LOC}),
        respond(202, None),
        respond(202, None),
        respond(200, None),
    )
    poller = await _client(transport, clock).scale_sets.begin_delete("rg", "web")
    assert await poller.result() is None
    assert poller.status() == "Succeeded"
    assert [r.url for r in transport.requests[1:]] == [LOC] * 3


async def test_delete_204_is_done_at_once(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(204))
    poller = await _client(transport, clock).scale_set_vms.begin_delete("rg", "web", "0")
    assert poller.done() and poller.status() == "Succeeded"
    assert await poller.result() is None
    assert len(transport.requests) == 1 and clock.sleeps == []


async def test_put_200_succeeded_without_headers_uses_the_body(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(200, DONE_SET))
    poller = await _client(transport, clock).scale_sets.begin_create_or_update("rg", "web", {})
    assert poller.done()
    assert (await poller.result()).name == "web"
    assert len(transport.requests) == 1


async def test_put_provisioning_state_polls_the_resource(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(201, SCALE_SET), respond(200, SCALE_SET), respond(200, DONE_SET)
    )
    poller = await _client(transport, clock).scale_sets.begin_create_or_update("rg", "web", {})
    assert (await poller.result()).name == "web"
    assert len(transport.requests) == 3  # the last poll is the result: no extra GET


async def test_provisioning_state_failed_raises(clock: ManualClock) -> None:
    failed = {"name": "web", "properties": {"provisioningState": "Failed"}}
    transport = ScriptedTransport(respond(201, SCALE_SET), respond(200, failed))
    poller = await _client(transport, clock).scale_sets.begin_create_or_update("rg", "web", {})
    with pytest.raises(OperationFailedError) as info:
        await poller.result()
    assert info.value.status == "Failed" and poller.status() == "Failed"
    assert info.value.code == "OperationFailed" and "rg/web" in str(info.value)


@pytest.mark.parametrize("final", ["Failed", "Canceled", "failed"])
async def test_async_operation_failed_raises_with_arm_error(clock: ManualClock, final: str) -> None:
    error = {"code": "OSProvisioningTimedOut", "message": "VM did not start in time"}
    transport = ScriptedTransport(
        respond(201, SCALE_SET, {"Azure-AsyncOperation": ASYNC}),
        respond(200, _status(final, error=error)),
    )
    poller = await _client(transport, clock).scale_sets.begin_create_or_update("rg", "web", {})
    with pytest.raises(OperationFailedError) as info:
        await poller.result()
    exc = info.value
    assert exc.code == "OSProvisioningTimedOut"
    assert exc.error.message == "VM did not start in time"
    assert exc.status == final.capitalize()
    assert exc.operation == "scale_sets.begin_create_or_update" and exc.resource == "rg/web"
    for part in ("scale_sets.begin_create_or_update", "rg/web", "OSProvisioningTimedOut"):
        assert part in str(exc)
    with pytest.raises(OperationFailedError):
        await poller.result()  # the same outcome again, no more requests
    assert len(transport.requests) == 2


async def test_location_error_status_is_an_operation_failure(clock: ManualClock) -> None:
    error = {"error": {"code": "InternalExecutionError", "message": "boom"}}
    transport = ScriptedTransport(respond(202, None, {"Location": LOC}), respond(400, error))
    poller = await _client(transport, clock).scale_sets.begin_delete_instances("rg", "web", ["0"])
    with pytest.raises(OperationFailedError) as info:
        await poller.result()
    assert info.value.code == "InternalExecutionError"


async def test_retry_after_is_honoured_and_clamped(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(202, None, {"Location": LOC, "Retry-After": "10"}),
        respond(202, None, {"Retry-After": "0"}),
        respond(202, None, {"Retry-After": "3600"}),
        respond(202, None),
        respond(200, None),
    )
    client = _client(transport, clock, polling_interval=15.0, max_polling_interval=120.0)
    poller = await client.scale_sets.begin_delete("rg", "web")
    await poller.wait()
    assert clock.sleeps == [10.0, 1.0, 120.0, 15.0]


async def test_timeout_raises_then_result_resumes(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(202, None, {"Location": LOC}),
        respond(202, None),
        respond(202, None),
        respond(200, None),
    )
    poller = await _client(transport, clock).scale_sets.begin_delete("rg", "web")
    with pytest.raises(WaitTimeoutError, match=r"scale_sets\.begin_delete rg/web"):
        await poller.result(timeout=45)
    assert clock.time == 45.0 and len(transport.requests) == 2  # one poll at t=30
    assert poller.status() == "InProgress" and not poller.done()
    await poller.result()
    assert clock.sleeps == [30.0, 15.0, 15.0, 30.0]  # resumed on the original schedule
    assert len(transport.requests) == 4


async def test_concurrent_results_share_one_polling_run(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        respond(202, None, {"Location": LOC}), respond(202, None), respond(200, None)
    )
    poller = await _client(transport, clock).scale_sets.begin_delete("rg", "web")
    assert await asyncio.gather(poller.result(), poller.result(), poller.wait()) == [None] * 3
    assert len(transport.requests) == 3


# --- continuation tokens -------------------------------------------------------------------


async def test_continuation_token_round_trip_on_a_new_client(clock: ManualClock) -> None:
    first = ScriptedTransport(
        respond(201, SCALE_SET, {"Azure-AsyncOperation": ASYNC, "Location": LOC}),
    )
    poller = await _client(first, clock).scale_sets.begin_create_or_update("rg", "web", {})
    token = poller.continuation_token()
    assert isinstance(token, str) and "secret-token" not in token and "Bearer" not in token
    data = json.loads(token)
    assert data["async_url"] == ASYNC and data["result_type"] == "VirtualMachineScaleSet"
    assert data["method"] == "PUT" and data["operation"] == "scale_sets.begin_create_or_update"

    second = ScriptedTransport(respond(200, _status("Succeeded")), respond(200, DONE_SET))
    other_clock = ManualClock()
    resumed = AsyncLROPoller.from_continuation_token(_client(second, other_clock), token)
    result = await resumed.result()
    assert isinstance(result, VirtualMachineScaleSet) and result.name == "web"
    assert [r.url for r in second.requests] == [ASYNC, f"{BASE}{S}/web?api-version=2024-07-01"]
    assert other_clock.sleeps == []  # a resumed poller polls at once
    assert len(first.requests) == 1


async def test_delete_token_resumes_to_none(clock: ManualClock) -> None:
    first = ScriptedTransport(respond(202, None, {"Location": LOC}))
    poller = await _client(first, clock).scale_set_vms.begin_delete("rg", "web", "3")
    second = ScriptedTransport(respond(200, None))
    client = _client(second, ManualClock())
    resumed = AsyncLROPoller.from_continuation_token(client, poller.continuation_token())
    assert await resumed.result() is None
    assert second.requests[0].url == LOC


@pytest.mark.parametrize(
    "token",
    [
        "not json",
        "[]",
        '{"version": 2}',
        '{"version": 1, "method": "PUT"}',
        "",
    ],
)
def test_malformed_tokens_raise_value_error(clock: ManualClock, token: str) -> None:
    client = _client(ScriptedTransport(), clock)
    with pytest.raises(ValueError, match="invalid continuation token"):
        AsyncLROPoller.from_continuation_token(client, token)


async def test_token_pointing_at_another_host_is_refused(clock: ManualClock) -> None:
    first = ScriptedTransport(respond(202, None, {"Location": LOC}))
    poller = await _client(first, clock).scale_sets.begin_delete("rg", "web")
    data = json.loads(poller.continuation_token())
    data["location_url"] = "https://attacker.example/steal"
    with pytest.raises(UntrustedUrlError, match="continuation token's Location URL leads to"):
        AsyncLROPoller.from_continuation_token(_client(first, clock), json.dumps(data))
    data = json.loads(poller.continuation_token())
    data["result_type"] = "os.system"
    with pytest.raises(ValueError, match="unknown LRO result type"):
        AsyncLROPoller.from_continuation_token(_client(first, clock), json.dumps(data))
