"""The aiohttp server adapter and its /_fake/ control API, against a stand-in fake."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer

from fakevmss import PathPattern
from fakevmss._clock import RealClock, VirtualClock
from fakevmss._errors import ArmException
from fakevmss._http import DroppedConnection, RequestRecord, WireRequest, WireResponse
from fakevmss.adapters.server import add_fault, aiohttp_app


class RecordingFaults:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> str:
            if name == "fail_delete" and kwargs.get("fallback_state") not in (None, "Failed"):
                raise ValueError("fallback_state must be Failed or Running")
            self.calls.append((name, args, kwargs))
            return f"handle-{len(self.calls)}"

        return record


class StandIn:
    """Just enough of FakeCompute for the adapter: handle, clock, faults, state."""

    def __init__(self, clock: Any = None) -> None:
        self.clock = clock or VirtualClock(auto_advance=False)
        self.faults = RecordingFaults()
        self.seen: list[WireRequest] = []
        self.drop: bool | None = None
        self.resets = 0
        self.requests = [RequestRecord(1.5, "GET", "/x", {"a": "b"}, 200, "2024-07-01")]

    async def handle(self, request: WireRequest) -> WireResponse:
        self.seen.append(request)
        if self.drop is not None:
            raise DroppedConnection(sent=self.drop)
        body = json.dumps({"url": request.url, "len": len(request.body)}).encode()
        headers = {"Content-Type": "application/json", "Content-Length": "999", "x-ms-a": "1"}
        return WireResponse(202, headers, body)

    def reset(self) -> None:
        self.resets += 1

    def snapshot(self) -> dict[str, Any]:
        return {"scale_sets": [], "now": self.clock.now()}


@pytest.fixture
def fake() -> Any:
    return StandIn()


@pytest.fixture
async def client(fake: Any) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = aiohttp_app(fake, max_body_bytes=1024)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


def assert_arm_error(body: Any, code: str, target: str | None = None) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    if target is not None:
        assert body["error"]["target"] == target


async def test_arm_requests_go_to_the_fake_with_the_absolute_url(client: Any, fake: Any) -> None:
    path = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
    response = await client.put(
        f"{path}/web?api-version=2024-07-01", json={"a": 1}, headers={"Authorization": "Bearer t"}
    )
    assert response.status == 202
    assert response.headers["x-ms-a"] == "1"
    body = await response.json()
    base = f"http://127.0.0.1:{client.port}"
    assert body == {
        "url": f"{base}{path}/web?api-version=2024-07-01",
        "len": len(json.dumps({"a": 1})),
    }
    seen = fake.seen[0]
    assert seen.method == "PUT"
    assert seen.header("authorization") == "Bearer t"
    assert json.loads(seen.body) == {"a": 1}


async def test_escaped_path_is_passed_raw(client: Any, fake: Any) -> None:
    await client.get("/subscriptions/s/resourceGroups/a%2Fb?api-version=1")
    assert fake.seen[0].url.endswith("/resourceGroups/a%2Fb?api-version=1")


async def test_oversized_body_is_an_arm_413_without_reaching_the_fake(
    client: Any, fake: Any
) -> None:
    response = await client.put("/subscriptions/s", data=b"x" * 2048)
    assert response.status == 413
    assert_arm_error(await response.json(), "RequestEntityTooLarge")
    assert response.headers["x-ms-request-id"]
    assert fake.seen == []


@pytest.mark.parametrize("sent", [False, True])
async def test_dropped_connection_closes_without_an_answer(
    client: Any, fake: Any, sent: bool
) -> None:
    fake.drop = sent
    with pytest.raises(Exception) as caught:
        await client.get("/subscriptions/s?api-version=2024-07-01")
    assert "ServerDisconnected" in type(caught.value).__name__ or isinstance(
        caught.value, ConnectionError
    )
    fake.drop = None
    response = await client.get("/subscriptions/s?api-version=2024-07-01")
    assert response.status == 202


async def test_post_fault_calls_the_python_api(client: Any, fake: Any) -> None:
    spec = {"kind": "fail_create", "code": "OSProvisioningTimeout", "scale_set": "web",
            "instances": ["0"], "attempts": 2}  # fmt: skip
    response = await client.post("/_fake/faults", json=spec)
    assert response.status == 201
    assert await response.json() == {"id": "fault-1", "kind": "fail_create"}
    assert fake.faults.calls == [
        ("fail_create", ("OSProvisioningTimeout",), {"scale_set": "web", "instances": ["0"],
                                                     "attempts": 2}),
    ]  # fmt: skip
    spec = {"kind": "http_error", "status": 503, "code": "Busy", "method": "GET"}
    response = await client.post("/_fake/faults", json=spec)
    assert (await response.json())["id"] == "fault-2"
    assert fake.faults.calls[1] == ("http_error", (503, "Busy"), {"method": "GET"})


async def test_operation_faults_over_http(client: Any, fake: Any) -> None:
    spec = {"kind": "fail_operation", "operation": "restart", "code": "InternalExecutionError",
            "instances": ["1"], "attempts": 1}  # fmt: skip
    response = await client.post("/_fake/faults", json=spec)
    assert response.status == 201
    assert fake.faults.calls == [
        ("fail_operation", ("restart", "InternalExecutionError"),
         {"instances": ["1"], "attempts": 1}),
    ]  # fmt: skip


async def test_an_unknown_operation_fault_is_400() -> None:
    from fakevmss import FakeCompute

    with pytest.raises(ArmException) as caught:
        add_fault(FakeCompute(), {"kind": "fail_operation", "operation": "reboot", "code": "X"})
    assert caught.value.status == 400 and caught.value.target == "fail_operation"
    assert "start, power_off" in caught.value.message


async def test_path_regex_becomes_a_linear_time_pattern(fake: Any) -> None:
    add_fault(fake, {"kind": "throttle", "path_regex": "virtualMachines$", "retry_after": 5})
    _, _, kwargs = fake.faults.calls[0]
    assert isinstance(kwargs["path"], PathPattern)
    assert kwargs["path"].search("/X/VIRTUALMACHINES")
    assert kwargs["retry_after"] == 5


@pytest.mark.parametrize(
    ("spec", "target"),
    [
        ({"kind": "explode"}, "kind"),
        ({"code": "X"}, "kind"),
        ([1, 2], "fault"),
        ({"kind": "fail_create"}, "code"),
        ({"kind": "fail_create", "code": 5}, "code"),
        ({"kind": "fail_create", "code": "X", "attempts": "2"}, "attempts"),
        ({"kind": "fail_create", "code": "X", "attempts": True}, "attempts"),
        ({"kind": "fail_create", "code": "X", "instances": "0"}, "instances"),
        ({"kind": "fail_create", "code": "X", "bogus": 1}, "bogus"),
        ({"kind": "http_error", "code": "X"}, "status"),
        ({"kind": "slow_response", "seconds": "1"}, "seconds"),
        ({"kind": "drop_connection", "after_send": 1}, "after_send"),
        ({"kind": "throttle", "path_regex": "("}, "path_regex"),
        ({"kind": "fail_delete", "code": "X", "fallback_state": "Gone"}, "fail_delete"),
        ({"kind": "fail_operation", "code": "X"}, "operation"),
        ({"kind": "fail_operation", "operation": 3, "code": "X"}, "operation"),
    ],
)
async def test_bad_fault_objects_are_arm_400s(client: Any, spec: Any, target: str) -> None:
    response = await client.post("/_fake/faults", json=spec)
    assert response.status == 400
    assert_arm_error(await response.json(), "InvalidParameter", target)


async def test_unparseable_control_body_is_400(client: Any) -> None:
    headers = {"Content-Type": "application/json"}
    response = await client.post("/_fake/faults", data=b"{nope", headers=headers)
    assert response.status == 400
    assert_arm_error(await response.json(), "InvalidRequestContent")


async def test_clear_faults_and_reset(client: Any, fake: Any) -> None:
    response = await client.delete("/_fake/faults")
    assert response.status == 200
    assert fake.faults.calls == [("clear", (), {})]
    response = await client.post("/_fake/reset")
    assert response.status == 200
    assert fake.resets == 1


async def test_advance_moves_a_virtual_clock(client: Any, fake: Any) -> None:
    response = await client.post("/_fake/clock/advance", json={"seconds": 90})
    assert response.status == 200
    body = await response.json()
    assert body["now"] == 90.0
    assert body["utcnow"].startswith("2026-01-01T00:01:30")
    assert fake.clock.now() == 90.0
    assert (await (await client.get("/_fake/clock")).json())["now"] == 90.0


@pytest.mark.parametrize("seconds", [-1, "5", None, True])
async def test_advance_refuses_bad_seconds(client: Any, seconds: Any) -> None:
    response = await client.post("/_fake/clock/advance", json={"seconds": seconds})
    assert response.status == 400
    assert_arm_error(await response.json(), "InvalidParameter", "seconds")


async def test_advance_on_a_real_clock_is_409() -> None:
    fake: Any = StandIn(clock=RealClock(speed=60))
    async with TestClient(TestServer(aiohttp_app(fake))) as client:
        response = await client.post("/_fake/clock/advance", json={"seconds": 1})
        assert response.status == 409
        assert_arm_error(await response.json(), "OperationNotAllowed")


async def test_state_and_requests(client: Any) -> None:
    state = await (await client.get("/_fake/state")).json()
    assert state == {"scale_sets": [], "now": 0.0}
    records = await (await client.get("/_fake/requests")).json()
    assert records == {
        "value": [
            {"time": 1.5, "method": "GET", "path": "/x", "query": {"a": "b"}, "status": 200,
             "api_version": "2024-07-01", "client_request_id": None}
        ]
    }  # fmt: skip


async def test_unknown_control_path_and_wrong_method(client: Any, fake: Any) -> None:
    response = await client.get("/_fake/nothing")
    assert response.status == 404
    assert_arm_error(await response.json(), "ResourceNotFound")
    response = await client.get("/_fake/faults")
    assert response.status == 405
    assert response.headers["Allow"] == "DELETE, POST"
    assert_arm_error(await response.json(), "MethodNotAllowed")
    assert fake.seen == []


async def test_served_on_a_real_socket(fake: Any) -> None:
    runner = web.AppRunner(aiohttp_app(fake))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        url = f"http://{host}:{port}/anything?x=1"
        async with ClientSession() as session, session.get(url) as response:
            assert response.status == 202
            assert (await response.json())["url"] == url
    finally:
        await runner.cleanup()


def test_add_fault_raises_arm_exception(fake: Any) -> None:
    with pytest.raises(ArmException) as caught:
        add_fault(fake, {"kind": "slow_response"})
    assert caught.value.status == 400
    assert caught.value.target == "seconds"
