"""Every ARM error the wire layer answers, each provoked by a real bad request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from wire_support import BASE, RG, Reply, S, Wire, scale_set_body

from fakevmss._clock import VirtualClock
from fakevmss._http import RequestRecord, WireRequest
from fakevmss._wire import WireApp


def assert_arm_error(reply: Reply, status: int, code: str, target: str | None = None) -> None:
    assert reply.status == status, (reply.status, reply.raw)
    error = reply.json["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    if target is not None:
        assert error["target"] == target
    assert reply.header("x-ms-request-id")
    assert reply.header("Content-Type") == "application/json; charset=utf-8"


async def test_not_found(wire: Wire) -> None:
    assert_arm_error(await wire.send("GET", f"{S}/nope"), 404, "ResourceNotFound")
    assert_arm_error(await wire.send("GET", f"{S}/nope/virtualMachines/0"), 404, "ResourceNotFound")


async def test_unknown_path_and_wrong_method(wire: Wire) -> None:
    assert_arm_error(await wire.send("GET", "/subscriptions/x/foo"), 404, "InvalidResourceType")
    assert_arm_error(await wire.send("POST", f"{S}/web"), 405, "MethodNotAllowed")
    assert_arm_error(
        await wire.send("PATCH", f"{S}/web/virtualMachines/0"), 405, "MethodNotAllowed"
    )


@pytest.mark.parametrize(
    ("body", "target"),
    [
        (scale_set_body(sku={"name": "x", "capacity": "2"}), "sku.capacity"),
        (scale_set_body(sku={"name": "x", "capacity": 5000}), "sku.capacity"),
        (scale_set_body(location=None), "location"),
        (scale_set_body(zones="1"), "zones"),
        (
            {
                **scale_set_body(),
                "properties": {"resiliencyPolicy": {"resilientVMDeletionPolicy": {"enabled": "y"}}},
            },
            "properties.resiliencyPolicy.resilientVMDeletionPolicy.enabled",
        ),
    ],
)
async def test_invalid_parameter_names_the_field(
    wire: Wire, body: dict[str, Any], target: str
) -> None:
    assert_arm_error(await wire.put("web", body), 400, "InvalidParameter", target)
    assert_arm_error(await wire.send("GET", f"{S}/web"), 404, "ResourceNotFound")


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"location": NaN}', b"\xc3\x28"])
async def test_unparseable_body(wire: Wire, raw: bytes) -> None:
    assert_arm_error(await wire.put("web", raw), 400, "InvalidRequestContent")


async def test_api_version_errors(wire: Wire) -> None:
    assert_arm_error(await wire.send("GET", S, api=None), 400, "MissingApiVersionParameter")
    reply = await wire.send("GET", S, api="2019-03-01")
    assert_arm_error(reply, 400, "NoRegisteredProviderFound")
    assert "2024-07-01" in reply.json["error"]["message"]
    reply = await wire.send("GET", S, api="2025-04-01")  # strict by default
    assert_arm_error(reply, 400, "NoRegisteredProviderFound")


@pytest.mark.parametrize("auth", [None, "", "Bearer", "Bearer   ", "Basic dXNlcg=="])
async def test_authentication(wire: Wire, auth: str | None) -> None:
    headers = {} if auth is None else {"Authorization": auth}
    url = f"{BASE}{S}?api-version=2024-07-01"
    answer = await wire.fake.handle(WireRequest("GET", url, headers))
    assert answer.status == 401
    assert b"AuthenticationFailed" in answer.body


async def test_invalid_names(wire: Wire) -> None:
    reply = await wire.put("a" * 65)
    assert_arm_error(reply, 400, "InvalidParameter", "vmScaleSetName")
    reply = await wire.send("GET", f"{S}/we%2Fb")
    assert_arm_error(reply, 400, "InvalidParameter", "vmScaleSetName")
    bad_rg = S.replace(f"/resourceGroups/{RG}/", "/resourceGroups/%00/")
    assert_arm_error(
        await wire.send("GET", bad_rg), 400, "InvalidResourceGroup", "resourceGroupName"
    )


async def test_bad_query_flags_and_expand(wire: Wire) -> None:
    assert (await wire.put("web")).status == 201
    reply = await wire.send("DELETE", f"{S}/web", forceDeletion="yes")
    assert_arm_error(reply, 400, "InvalidParameter", "forceDeletion")
    reply = await wire.send("GET", f"{S}/web", query={"$expand": "everything"})
    assert_arm_error(reply, 400, "InvalidParameter", "$expand")
    reply = await wire.send("GET", S, query={"$skiptoken": "garbage"})
    assert_arm_error(reply, 400, "InvalidParameter", "$skiptoken")


async def test_delete_instances_body(wire: Wire) -> None:
    assert (await wire.put("web")).status == 201
    bodies: list[dict[str, Any]] = [{}, {"instanceIds": []}, {"instanceIds": [0]}]
    for body in bodies:
        reply = await wire.send("POST", f"{S}/web/delete", body)
        assert reply.status == 400 and reply.json["error"]["target"].startswith("instanceIds")


async def test_resiliency_view_needs_2024(wire: Wire) -> None:
    assert (await wire.put("web")).status == 201
    path = f"{S}/web/virtualMachines/0"
    reply = await wire.send("GET", path, api="2023-07-01", query={"$expand": "resiliencyView"})
    assert_arm_error(reply, 400, "InvalidParameter", "$expand")


async def test_list_vms_of_flexible_is_operation_not_allowed(wire: Wire) -> None:
    assert (await wire.put("flex", scale_set_body(mode="Flexible"))).status == 201
    reply = await wire.send("GET", f"{S}/flex/virtualMachines")
    assert_arm_error(reply, 400, "OperationNotAllowed")


async def test_precondition_failed(wire: Wire) -> None:
    assert (await wire.put("web")).status == 201
    reply = await wire.put("web", headers={"If-Match": '"999"'})
    assert_arm_error(reply, 412, "PreconditionFailed")
    reply = await wire.put("web", headers={"If-None-Match": "*"})
    assert_arm_error(reply, 412, "PreconditionFailed")


async def test_conflict_while_the_scale_set_is_being_deleted(wire: Wire) -> None:
    assert (await wire.put("web", scale_set_body(1))).status == 201
    wire.fake.clock.advance(1800)
    assert (await wire.send("DELETE", f"{S}/web")).status == 202
    reply = await wire.send("PATCH", f"{S}/web", {"sku": {"capacity": 3}})
    assert_arm_error(reply, 409, "OperationNotAllowed")
    assert_arm_error(await wire.put("web"), 409, "OperationNotAllowed")


async def test_orchestration_mode_cannot_change(wire: Wire) -> None:
    assert (await wire.put("web")).status == 201
    reply = await wire.put("web", scale_set_body(mode="Flexible"))
    assert_arm_error(reply, 400, "OperationNotAllowed", "properties.orchestrationMode")


async def test_throttle_fault(wire: Wire) -> None:
    wire.fake.faults.throttle(retry_after=7.0, method="GET", path="/virtualMachineScaleSets")
    reply = await wire.send("GET", S)
    assert_arm_error(reply, 429, "TooManyRequests")
    assert reply.header("Retry-After") == "7"
    assert (await wire.send("GET", S)).status == 200


async def test_http_error_fault(wire: Wire) -> None:
    wire.fake.faults.http_error(503, "ServerBusy", method="PUT", times=2)
    assert_arm_error(await wire.put("web"), 503, "ServerBusy")
    assert_arm_error(await wire.put("web"), 503, "ServerBusy")
    assert (await wire.put("web")).status == 201


async def test_body_too_large(wire: Wire) -> None:
    reply = await wire.put("web", b"{" + b" " * (4 * 1024 * 1024) + b"}")
    assert_arm_error(reply, 413, "RequestEntityTooLarge")


class BrokenComponent:
    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise KeyError("a bug in the backend")

        return fail


class BrokenBackend:
    """Every component's every method raises."""

    def __getattr__(self, name: str) -> Any:
        return BrokenComponent()


class NoFaults:
    def take_http_fault(self, method: str, path: str) -> None:
        return None


async def test_internal_errors_are_500_without_traceback() -> None:
    records: list[RequestRecord] = []
    app = WireApp(
        BrokenBackend(),
        clock=VirtualClock(auto_advance=False),
        faults=NoFaults(),
        records=records,
        api_versions=("2023-07-01", "2024-07-01"),
        lenient_api_versions=False,
        page_size=10,
        location="westus",
    )
    url = f"{BASE}{S}/web?api-version=2024-07-01"
    answer = await app.handle(WireRequest("GET", url, {"Authorization": "Bearer t"}))
    assert answer.status == 500
    assert b"InternalServerError" in answer.body and b"KeyError" in answer.body
    assert b"Traceback" not in answer.body and b"a bug" not in answer.body
    assert [r.status for r in records] == [500]


async def test_every_response_carries_ids(wire: Wire) -> None:
    client_id = str(uuid.uuid4())
    ok = await wire.send("GET", S, headers={"x-ms-client-request-id": client_id})
    bad = await wire.send("GET", f"{S}/nope")
    assert ok.header("x-ms-client-request-id") == client_id
    ids = {ok.header("x-ms-request-id"), bad.header("x-ms-request-id")}
    assert len(ids) == 2 and None not in ids
    assert ok.header("x-ms-correlation-request-id")
    assert wire.fake.requests[-2].client_request_id == client_id
