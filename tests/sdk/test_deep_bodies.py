"""Bodies nested 100,000 levels deep end as the documented typed errors, never RecursionError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sdk_support import ManualClock, ScriptedTransport, respond

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss._decode import json_problem
from aiovmss._error_map import error_from_response
from aiovmss._json import loads
from aiovmss.errors import (
    MAX_DETAIL_DEPTH,
    MAX_TEXT,
    ArmError,
    HttpResponseError,
    OperationFailedError,
    ResourceNotFoundError,
    ResponseDecodeError,
)
from aiovmss.transport import HttpResponse

DEPTH = 100_000
BASE = "https://management.azure.com"
OPS = f"{BASE}/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/1"


def arrays(depth: int = DEPTH) -> bytes:
    return b"[" * depth + b"]" * depth


def objects(depth: int = DEPTH, key: bytes = b"a") -> bytes:
    return b'{"' + key + b'":' + (b'{"' + key + b'":') * (depth - 1) + b"1" + b"}" * depth


def inside(prefix: bytes, deep: bytes, suffix: bytes = b"}") -> bytes:
    return prefix + deep + suffix


DEEP_BODIES = {
    "arrays": arrays(),
    "objects": objects(),
    "deep error code": inside(b'{"error":{"code":', arrays(), b"}}"),
    "deep details": inside(b'{"error":{"code":"X","details":', arrays(), b"}}"),
    "deep status": inside(b'{"status":', objects()),
    "deep properties": inside(b'{"name":"web","properties":', objects()),
    "deep value": inside(b'{"value":', arrays()),
    "deep nextLink": inside(b'{"value":[],"nextLink":', arrays()),
}


def _client(transport: ScriptedTransport) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"), "sub", transport=transport, clock=ManualClock()
    )


def test_the_json_loader_turns_depth_into_value_error() -> None:
    for body in (arrays(), objects(), arrays().decode()):
        with pytest.raises(ValueError, match="nested too deeply"):
            loads(body)
        with pytest.raises(ValueError, match="nested too deeply"):
            HttpResponse(200, {}, body if isinstance(body, bytes) else body.encode()).json()
    assert json_problem(arrays()) is None  # JSON, only too deep: not damage in transit


# --- error bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DEEP_BODIES))
async def test_deep_error_bodies_become_http_errors(name: str) -> None:
    transport = ScriptedTransport(respond(404, DEEP_BODIES[name]))
    with pytest.raises(ResourceNotFoundError, match=r"HTTP 404 \(no ARM error body") as info:
        await _client(transport).scale_sets.get("rg", "web")
    assert info.value.error.code == "Unknown" and len(str(info.value)) < 1000


def test_error_mapping_of_a_deep_body_is_bounded() -> None:
    for body in DEEP_BODIES.values():
        error = error_from_response(HttpResponse(409, {}, body), operation="op", resource="r")
        assert isinstance(error, HttpResponseError) and error.code == "Unknown"


def _nested_details(depth: int) -> dict[str, Any]:
    error: dict[str, Any] = {"code": "Leaf", "message": "bottom"}
    for level in range(depth):
        error = {"code": f"L{level}", "message": "m", "details": [error]}
    return {"error": error}


def test_arm_errors_read_a_bounded_part_of_any_structure() -> None:
    error = ArmError.from_json(_nested_details(DEPTH))  # built in memory: no JSON parser limit
    depth = 0
    while error.details:
        (error,) = error.details
        depth += 1
    assert depth == MAX_DETAIL_DEPTH
    wide = ArmError.from_json({"error": {"code": "W", "details": [{"code": "x"}] * 10_000}})
    assert len(wide.details) == 100
    odd = ArmError.from_json({"error": {"code": {"a": [1]}, "message": ["x"], "target": 7}})
    assert (odd.code, odd.message, odd.target) == ("Unknown", "", "7")
    long = ArmError.from_json({"error": {"code": "C", "message": "m" * (MAX_TEXT * 4)}})
    assert len(long.message) == MAX_TEXT and long.message.endswith("\u2026")
    huge_int = ArmError.from_json({"code": 10**5000})  # str() refuses an int this long
    assert huge_int.code == "Unknown"


async def test_a_parseable_but_deep_error_body_keeps_its_outer_levels() -> None:
    body = json.dumps(_nested_details(300)).encode()
    transport = ScriptedTransport(respond(409, body))
    with pytest.raises(HttpResponseError) as info:
        await _client(transport).scale_sets.get("rg", "web")
    assert info.value.code == "L299"


# --- LRO status bodies -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["arrays", "objects", "deep status"])
async def test_a_deep_operation_status_is_a_decode_error(name: str) -> None:
    transport = ScriptedTransport(
        respond(202, None, {"Azure-AsyncOperation": OPS}),
        respond(200, DEEP_BODIES[name]),
    )
    poller = await _client(transport).scale_sets.begin_delete("rg", "web")
    with pytest.raises(
        ResponseDecodeError, match="OperationStatus: JSON nested too deeply"
    ) as info:
        await poller.result()
    assert not info.value.invalid_json  # JSON, only too deep: the same answer again would be
    assert len(transport.requests) == 2  # not polled again


async def test_a_failed_operation_with_a_deep_error_is_an_operation_failed_error() -> None:
    status = {"status": "Failed", "error": _nested_details(300)["error"]}
    transport = ScriptedTransport(
        respond(202, None, {"Azure-AsyncOperation": OPS}),
        respond(200, json.dumps(status).encode()),
    )
    poller = await _client(transport).scale_sets.begin_delete("rg", "web")
    with pytest.raises(OperationFailedError, match="L299"):
        await poller.result()


@pytest.mark.parametrize("name", ["arrays", "deep properties"])
async def test_a_deep_first_response_of_an_lro_is_a_decode_error(name: str) -> None:
    transport = ScriptedTransport(respond(201, DEEP_BODIES[name]))
    with pytest.raises(ResponseDecodeError, match=r"scale_sets\.begin_create_or_update rg/web"):
        await _client(transport).scale_sets.begin_create_or_update(
            "rg", "web", {"location": "westus"}
        )
    assert len(transport.requests) == 1


async def test_a_deep_resource_poll_is_a_decode_error() -> None:
    transport = ScriptedTransport(
        respond(202, None),  # no polling header: the resource itself is polled
        respond(200, DEEP_BODIES["deep properties"]),
    )
    poller = await _client(transport).scale_sets.begin_delete("rg", "web")
    with pytest.raises(ResponseDecodeError):
        await poller.result()


# --- pages and models ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["arrays", "objects", "deep value", "deep nextLink"])
async def test_deep_pages_are_decode_errors(name: str) -> None:
    transport = ScriptedTransport(respond(200, DEEP_BODIES[name]))
    with pytest.raises(
        ResponseDecodeError,
        match=r"VirtualMachineScaleSetVMListResult: JSON nested too deeply to parse",
    ) as info:
        _ = [vm async for vm in _client(transport).scale_set_vms.list("rg", "web")]
    assert not info.value.invalid_json and len(transport.requests) == 1


@pytest.mark.parametrize("name", ["arrays", "objects", "deep properties"])
async def test_deep_models_are_decode_errors(name: str) -> None:
    transport = ScriptedTransport(respond(200, DEEP_BODIES[name]))
    with pytest.raises(ResponseDecodeError, match=r"scale_sets\.get rg/web"):
        await _client(transport).scale_sets.get("rg", "web")
