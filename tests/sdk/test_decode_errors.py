"""2xx bodies that will not decode: ``ResponseDecodeError``, and GETs that send again.

A body that is not JSON (cut short, a proxy's HTML page) is transport damage: a GET is retried
under the retry policy; any other method has acted and raises at once. Valid JSON of the wrong
shape raises at once whatever the method. No message ever quotes the body.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pydantic import BaseModel
from sdk_support import ManualClock, ScriptedTransport, respond, split

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss._decode import decode_error, decoded_name, json_problem, schema_problem
from aiovmss._lro import RESOURCE, initial_state, operation_status, provisioning_state
from aiovmss._paging import model_page_parser
from aiovmss._retry import is_retryable
from aiovmss.errors import AzureError, ResponseDecodeError, ServiceResponseError
from aiovmss.models import (
    VirtualMachineScaleSet,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMListResult,
)
from aiovmss.waiters.strategies import is_transient_poll_error
from fakevmss import FakeCompute

BASE = "https://management.azure.com"
S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
VM_PATH = f"{S}/web/virtualMachines/0"
OP = f"{BASE}/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/op1"
ASYNC = f"{OP}?api-version=2024-07-01"
CANARY = "canary-s3cr3t-7f1d"
VM = {"name": "web_0", "instanceId": "0", "properties": {"provisioningState": "Succeeded"}}
SCALE_SET = {"name": "web", "location": "westus", "properties": {"provisioningState": "Creating"}}
DONE_SET = {"name": "web", "location": "westus", "properties": {"provisioningState": "Succeeded"}}
# Damaged bodies, each hiding the canary: cut short, and an HTML page from a proxy.
TRUNCATED = json.dumps({**VM, "tags": {"owner": CANARY}}).encode()[:-9]
HTML = f"<html><body>502 Bad Gateway {CANARY}</body></html>".encode()


def _client(transport: ScriptedTransport, clock: ManualClock, attempts: int = 3) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"),
        "sub",
        transport=transport,
        clock=clock,
        retry=RetryPolicy(max_attempts=attempts),
        polling_interval=5,
    )


def _assert_safe(error: BaseException, caplog: pytest.LogCaptureFixture | None = None) -> None:
    """Neither the message, the repr, the cause nor any log line carries the body."""
    assert CANARY not in str(error)
    assert CANARY not in repr(error)
    assert error.__cause__ is None
    if caplog is not None:
        assert all(CANARY not in record.getMessage() for record in caplog.records)


# --- pure decisions ------------------------------------------------------------------------


def test_json_problem_says_where_the_body_breaks() -> None:
    assert json_problem(b'{"a": [1, 2]}') is None
    assert json_problem(b"") == "empty body"
    assert json_problem(b'{"a": 1') == "invalid JSON at byte 7"
    assert json_problem(HTML) == "invalid JSON at byte 0"
    assert json_problem(b"\xff\xfe{") is not None


def test_json_problem_counts_bytes_not_characters() -> None:
    body = '{"name": "é€", x'.encode()
    assert json_problem(body) == f"invalid JSON at byte {len(body) - 1}"


class _Inner(BaseModel):
    count: int


class _Outer(BaseModel):
    items: list[_Inner]
    tags: dict[str, int] = {}


def test_schema_problem_names_the_first_location_not_the_value() -> None:
    with pytest.raises(ValueError) as caught:
        _Outer.model_validate_json(json.dumps({"items": [{"count": CANARY}]}))
    problem = schema_problem(caught.value)
    assert problem == "1 error, first at items[0].count (int_parsing)"
    assert CANARY not in problem


def test_schema_problem_hides_dict_keys_and_counts_errors() -> None:
    body = {"items": [{"count": "x"}], "tags": {f"{CANARY} key": "no"}}
    with pytest.raises(ValueError) as caught:
        _Outer.model_validate_json(json.dumps(body))
    problem = schema_problem(caught.value)
    assert problem.startswith("2 errors, first at items[0].count")
    with pytest.raises(ValueError) as again:
        _Outer.model_validate_json(json.dumps({"items": [], "tags": {f"{CANARY} key": "no"}}))
    assert schema_problem(again.value) == "1 error, first at tags[?] (int_parsing)"


def test_schema_problem_of_a_plain_value_error() -> None:
    assert schema_problem(ValueError(CANARY)) == "rejected by the decoder (ValueError)"


def test_decoded_name_of_models_page_parsers_and_functions() -> None:
    assert decoded_name(VirtualMachineScaleSetVM.from_wire) == "VirtualMachineScaleSetVM"
    page_parser = model_page_parser(VirtualMachineScaleSetVMListResult)
    assert decoded_name(page_parser) == "VirtualMachineScaleSetVMListResult"
    assert decoded_name(json.loads) == "loads"


def test_decode_error_message_and_attributes() -> None:
    headers = {"x-ms-request-id": "req-9"}
    error = decode_error(
        ValueError("x"), b'{"a": 1', status_code=200, headers=headers, what="Thing",
        operation="things.get", resource="rg/thing",
    )  # fmt: skip
    assert str(error) == (
        "things.get rg/thing: HTTP 200 response body could not be decoded as Thing: "
        "invalid JSON at byte 7 (x-ms-request-id req-9)"
    )
    assert (error.invalid_json, error.status_code, error.request_id) == (True, 200, "req-9")
    assert (error.operation, error.resource) == ("things.get", "rg/thing")
    assert isinstance(error, ServiceResponseError)


@pytest.mark.parametrize(
    ("method", "invalid_json", "expected"),
    [
        ("GET", True, True),
        ("get", True, True),
        ("HEAD", True, True),
        ("GET", False, False),
        ("PUT", True, False),
        ("DELETE", True, False),
        ("POST", True, False),
        ("PATCH", True, False),
    ],
)
def test_only_a_damaged_read_is_retryable(method: str, invalid_json: bool, expected: bool) -> None:
    error = ResponseDecodeError("m", status_code=200, invalid_json=invalid_json)
    assert is_retryable(method, exc=error) is expected


def test_waiters_ride_out_damage_but_not_a_wrong_shape() -> None:
    assert is_transient_poll_error(ResponseDecodeError("m", status_code=200, invalid_json=True))
    wrong = ResponseDecodeError("m", status_code=200, invalid_json=False)
    assert not is_transient_poll_error(wrong)


def test_lro_body_readers_are_strict_only_when_asked() -> None:
    assert provisioning_state(b"{") is None
    assert operation_status(b"<html>") == ("InProgress", None)
    with pytest.raises(ValueError):
        provisioning_state(b"{", strict=True)
    with pytest.raises(ValueError):
        operation_status(b"<html>", strict=True)
    assert operation_status(b"", strict=True) == ("InProgress", None)
    assert provisioning_state(b"", strict=True) is None


def test_initial_state_needs_a_readable_body_only_without_polling_headers() -> None:
    names: dict[str, Any] = {
        "operation": "op", "resource": "rg/web", "result_type": None, "api_version": "v"
    }  # fmt: skip
    with pytest.raises(ValueError):
        initial_state("PUT", f"{BASE}{S}/web", 201, {}, TRUNCATED, **names)
    accepted = initial_state("DELETE", f"{BASE}{S}/web", 202, {}, HTML, **names)
    assert accepted.strategy == RESOURCE
    headers = {"azure-asyncoperation": ASYNC}
    assert initial_state("PUT", f"{BASE}{S}/web", 201, headers, HTML, **names).async_url == ASYNC


# --- GET of one resource -------------------------------------------------------------------


async def test_get_with_a_truncated_body_is_retried_then_succeeds(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    transport = ScriptedTransport(respond(200, TRUNCATED), respond(200, VM))
    with caplog.at_level(logging.INFO, logger="aiovmss"):
        async with _client(transport, clock) as client:
            vm = await client.scale_set_vms.get("rg", "web", "0")
    assert vm.instance_id == "0"
    assert [split(r)[:2] for r in transport.requests] == [("GET", VM_PATH)] * 2
    assert len(clock.sleeps) == 1  # the policy's backoff, on the client's clock
    (line,) = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert "scale_set_vms.get rg/web/virtualMachines/0" in line
    assert "ResponseDecodeError" in line and "attempt 1 of 3" in line
    assert CANARY not in line


@pytest.mark.parametrize("garbage", [TRUNCATED, HTML, b""], ids=["truncated", "html", "empty"])
async def test_get_always_damaged_raises_after_max_attempts(
    clock: ManualClock, caplog: pytest.LogCaptureFixture, garbage: bytes
) -> None:
    transport = ScriptedTransport(*(respond(200, garbage) for _ in range(3)))
    with caplog.at_level(logging.DEBUG, logger="aiovmss"):
        async with _client(transport, clock) as client:
            with pytest.raises(ResponseDecodeError) as caught:
                await client.scale_set_vms.get("rg", "web", "0")
    error = caught.value
    assert len(transport.requests) == 3
    assert str(error).startswith(
        "scale_set_vms.get rg/web/virtualMachines/0: HTTP 200 response body could not be "
        "decoded as VirtualMachineScaleSetVM: "
    )
    assert error.invalid_json and error.status_code == 200 and error.request_id == "req-1"
    assert isinstance(error, AzureError)
    _assert_safe(error, caplog)


async def test_valid_json_of_the_wrong_shape_is_raised_at_once(clock: ManualClock) -> None:
    wrong = {**VM, "properties": {"provisioningState": [CANARY]}}
    transport = ScriptedTransport(respond(200, wrong))
    async with _client(transport, clock) as client:
        with pytest.raises(ResponseDecodeError) as caught:
            await client.scale_set_vms.get("rg", "web", "0")
    assert len(transport.requests) == 1 and clock.sleeps == []
    assert not caught.value.invalid_json
    assert "valid JSON that does not fit: " in str(caught.value)
    assert "properties.provisioningState" in str(caught.value)
    _assert_safe(caught.value)


async def test_a_json_array_where_an_object_belongs_is_the_wrong_shape(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(200, [1, 2]))
    async with _client(transport, clock) as client:
        with pytest.raises(ResponseDecodeError, match="first at the top level"):
            await client.scale_sets.get("rg", "web")
    assert len(transport.requests) == 1


async def test_transient_errors_and_damage_share_one_attempt_budget(clock: ManualClock) -> None:
    transport = ScriptedTransport(respond(503), respond(200, HTML), respond(200, HTML))
    async with _client(transport, clock) as client:
        with pytest.raises(ResponseDecodeError):
            await client.scale_sets.get("rg", "web")
    assert len(transport.requests) == 3
    transport.add(respond(503), respond(200, HTML), respond(200, DONE_SET))
    async with _client(transport, clock) as client:
        scale_set = await client.scale_sets.get("rg", "web")
    assert isinstance(scale_set, VirtualMachineScaleSet)
    assert len(transport.requests) == 6


async def test_features_get_retried_but_register_raised_at_once(clock: ManualClock) -> None:
    feature = {"name": "Microsoft.Compute/F", "properties": {"state": "Registering"}}
    transport = ScriptedTransport(respond(200, HTML), respond(200, feature))
    async with _client(transport, clock) as client:
        assert (await client.features.get("Microsoft.Compute", "F")).state == "Registering"
        transport.add(respond(200, HTML))
        with pytest.raises(ResponseDecodeError, match=r"features\.register Microsoft\.Compute/F"):
            await client.features.register("Microsoft.Compute", "F")
    assert [r.method for r in transport.requests] == ["GET", "GET", "POST"]


# --- requests that acted: never sent again -------------------------------------------------


async def test_put_201_with_a_damaged_body_and_no_polling_header_is_raised(
    clock: ManualClock,
) -> None:
    transport = ScriptedTransport(respond(201, TRUNCATED))
    async with _client(transport, clock) as client:
        with pytest.raises(ResponseDecodeError) as caught:
            await client.scale_sets.begin_create_or_update("rg", "web", {"location": "westus"})
    assert [r.method for r in transport.requests] == ["PUT"]
    message = str(caught.value)
    assert message.startswith("scale_sets.begin_create_or_update rg/web: HTTP 201 response")
    assert "VirtualMachineScaleSet" in message
    _assert_safe(caught.value)


async def test_put_201_with_a_damaged_body_and_a_polling_header_needs_no_body(
    clock: ManualClock,
) -> None:
    transport = ScriptedTransport(
        respond(201, HTML, {"Azure-AsyncOperation": ASYNC}),
        respond(200, {"status": "Succeeded"}),
        respond(200, DONE_SET),
    )
    async with _client(transport, clock) as client:
        poller = await client.scale_sets.begin_create_or_update("rg", "web", {"location": "x"})
        result = await poller.result()
    assert result.name == "web"
    assert [r.method for r in transport.requests] == ["PUT", "GET", "GET"]


# --- pages ---------------------------------------------------------------------------------


async def test_a_damaged_page_is_fetched_again(clock: ManualClock) -> None:
    next_link = f"{BASE}{S}/web/virtualMachines?api-version=2024-07-01&$skiptoken=2"
    page_one = {"value": [VM], "nextLink": next_link}
    page_two = {"value": [{**VM, "instanceId": "1", "name": "web_1"}]}
    transport = ScriptedTransport(
        respond(200, page_one), respond(200, HTML), respond(200, page_two)
    )
    async with _client(transport, clock) as client:
        ids = [vm.instance_id async for vm in client.scale_set_vms.list("rg", "web")]
    assert ids == ["0", "1"]
    assert [r.url for r in transport.requests][1:] == [next_link, next_link]


async def test_a_page_damaged_every_time_raises(clock: ManualClock) -> None:
    transport = ScriptedTransport(*(respond(200, TRUNCATED) for _ in range(3)))
    async with _client(transport, clock) as client:
        with pytest.raises(ResponseDecodeError, match="VirtualMachineScaleSetVMListResult"):
            async for _ in client.scale_set_vms.list("rg", "web"):
                pass
    assert len(transport.requests) == 3


# --- long-running operations ---------------------------------------------------------------


def _put_accepted() -> Any:
    return respond(201, SCALE_SET, {"Azure-AsyncOperation": ASYNC})


async def test_a_damaged_status_poll_is_retried(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        _put_accepted(),
        respond(200, {"status": "InProgress"}),
        respond(200, b'{"status": "Succ'),
        respond(200, {"status": "Succeeded"}),
        respond(200, DONE_SET),
    )
    async with _client(transport, clock) as client:
        poller = await client.scale_sets.begin_create_or_update("rg", "web", {"location": "x"})
        result = await poller.result()
    assert result.properties is not None
    assert poller.status() == "Succeeded"
    assert [r.url for r in transport.requests][1:4] == [ASYNC] * 3


async def test_a_status_poll_damaged_every_time_ends_in_the_error(clock: ManualClock) -> None:
    transport = ScriptedTransport(_put_accepted(), *(respond(200, HTML) for _ in range(3)))
    async with _client(transport, clock) as client:
        poller = await client.scale_sets.begin_create_or_update("rg", "web", {"location": "x"})
        with pytest.raises(ResponseDecodeError) as caught:
            await poller.result()
    assert "as OperationStatus: invalid JSON at byte 0" in str(caught.value)
    assert str(caught.value).startswith("scale_sets.begin_create_or_update rg/web: ")
    assert not poller.done()
    _assert_safe(caught.value)


async def test_a_damaged_final_get_is_retried(clock: ManualClock) -> None:
    transport = ScriptedTransport(
        _put_accepted(),
        respond(200, {"status": "Succeeded"}),
        respond(200, TRUNCATED),
        respond(200, DONE_SET),
    )
    async with _client(transport, clock) as client:
        poller = await client.scale_sets.begin_create_or_update("rg", "web", {"location": "x"})
        assert (await poller.result()).name == "web"
    assert [r.method for r in transport.requests] == ["PUT", "GET", "GET", "GET"]


async def test_a_damaged_resource_poll_is_not_taken_for_success(clock: ManualClock) -> None:
    # No polling header: the delete is watched on the resource, and only a 404 ends it.
    transport = ScriptedTransport(
        respond(202), respond(200, HTML), respond(200, SCALE_SET), respond(404, {})
    )
    async with _client(transport, clock) as client:
        poller = await client.scale_sets.begin_delete("rg", "web")
        await poller.result()
    assert poller.status() == "Succeeded"
    assert len(transport.requests) == 4


async def test_a_final_body_of_the_wrong_shape_is_a_decode_error(clock: ManualClock) -> None:
    wrong = {"name": "web", "sku": [CANARY], "properties": {"provisioningState": "Succeeded"}}
    transport = ScriptedTransport(respond(200, wrong))
    async with _client(transport, clock) as client:
        poller = await client.scale_sets.begin_create_or_update("rg", "web", {"location": "x"})
        with pytest.raises(ResponseDecodeError, match=r"does not fit: .* first at sku") as caught:
            await poller.result()
    assert len(transport.requests) == 1
    assert caught.value.status_code is None and not caught.value.invalid_json
    _assert_safe(caught.value)


# --- through the fake ----------------------------------------------------------------------


def _fake_client(fake: FakeCompute) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock, retry=RetryPolicy(max_attempts=3),
    )  # fmt: skip


@pytest.mark.parametrize("mode", ["truncated", "not_json"])
async def test_fake_garbage_body_on_get_vm_is_retried_once(mode: str) -> None:
    fake = FakeCompute(seed=4)
    fake.create_scale_set("rg", "web", capacity=2)
    fake.faults.garbage_body(mode=mode, method="GET", path="/virtualMachines/1", times=1)
    async with _fake_client(fake) as client:
        vm = await client.scale_set_vms.get("rg", "web", "1")
    assert vm.instance_id == "1"
    gets = [(r.method, r.path.rsplit("/", 1)[-1], r.status) for r in fake.requests]
    assert gets == [("GET", "1", 200), ("GET", "1", 200)]


async def test_fake_garbage_page_is_retried() -> None:
    fake = FakeCompute(seed=5)
    fake.create_scale_set("rg", "web", capacity=3)
    fake.faults.garbage_body(mode="truncated", method="GET", path="/virtualMachines", times=1)
    async with _fake_client(fake) as client:
        ids = [vm.instance_id async for vm in client.scale_set_vms.list("rg", "web")]
    assert ids == ["0", "1", "2"]
    assert len(fake.requests) == 2


async def test_fake_garbage_on_status_polls_and_final_get_is_ridden_out() -> None:
    fake = FakeCompute(seed=6)
    fake.faults.garbage_body(mode="not_json", method="GET", path="/operations/", times=2)
    fake.faults.garbage_body(mode="truncated", method="GET", path="virtualMachineScaleSets/web")
    body = {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "capacity": 1},
        "properties": {"orchestrationMode": "Uniform"},
    }
    async with _fake_client(fake) as client:
        poller = await client.scale_sets.begin_create_or_update("rg", "web", body)
        result = await poller.result()
    assert result.name == "web" and poller.status() == "Succeeded"
    polls = [r for r in fake.requests if "/operations/" in r.path]
    assert len(polls) >= 3  # two damaged answers, then the real ones
    final = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/web")]
    assert len(final) == 2
