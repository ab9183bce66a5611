"""Hostile input at the fake's door: traversal names, huge bodies, and the garbage fault."""

from __future__ import annotations

import json

import pytest
from wire_support import BASE, SUB, S, Wire, scale_set_body

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss.errors import InvalidNameError
from fakevmss import FakeCompute
from fakevmss._http import WireRequest

#: How the fake refuses a bad name: the scale set's (Compute), an instance id's, or routing.
NAME_REFUSALS = (
    "InvalidParameter",
    "InvalidResourceName",
    "InvalidResourceType",
    "ResourceNotFound",
)
TRAVERSALS = ["..", ".", "%2e%2e", "%2E%2E", "a%2F..%2Fb", "a%2fb", "%2F", "a%5Cb", "%00", "a%0Ab"]


@pytest.mark.parametrize("name", TRAVERSALS)
async def test_fake_refuses_names_that_could_traverse(wire: Wire, name: str) -> None:
    for method, path in (("GET", f"{S}/{name}"), ("GET", f"{S}/web/virtualMachines/{name}"),
                         ("DELETE", f"{S}/{name}")):  # fmt: skip
        reply = await wire.send(method, path)
        assert reply.status in (400, 404), (method, path, reply.status)
        assert reply.code in NAME_REFUSALS
        assert reply.header("x-ms-request-id")
    put = await wire.put(name)
    assert put.status == 400
    assert put.code == "InvalidParameter"  # Compute's answer to a bad scale set name
    assert wire.fake.snapshot()["scale_sets"] == []


async def test_literal_dot_dot_segments_never_reach_another_resource(wire: Wire) -> None:
    assert (await wire.put("web")).status in (200, 201)
    for path in (f"{S}/other/../web", f"{S}/web/virtualMachines/../../web", f"{S}/./web"):
        reply = await wire.send("GET", path)
        assert reply.status in (400, 404), path
        assert reply.json["error"]["code"]


@pytest.mark.parametrize(
    "name", ["..", ".", "a/../b", "a/b", "%2e%2e", "a%2Fb", "x?y", "x#y", "a\x00b", "a\nb", ""]
)
async def test_client_refuses_the_same_names_before_sending(name: str) -> None:
    fake = FakeCompute(subscription_id=SUB)
    async with ComputeClient(StaticTokenCredential("t"), SUB, transport=fake.transport(),
                             clock=fake.clock) as client:  # fmt: skip
        with pytest.raises(InvalidNameError):
            await client.scale_sets.get("rg", name)
        with pytest.raises(InvalidNameError):
            await client.scale_set_vms.get("rg", "web", name)
        with pytest.raises(InvalidNameError):
            await client.scale_sets.begin_delete(name, "web")
    assert fake.requests == []


async def test_body_over_4_mib_is_413_and_never_parsed(wire: Wire) -> None:
    huge = b'{"location": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    reply = await wire.put("web", huge)
    assert reply.status == 413
    assert reply.code == "RequestEntityTooLarge" or reply.json["error"]["code"]
    assert reply.header("x-ms-request-id")
    assert wire.fake.snapshot()["scale_sets"] == []
    just_fits = json.dumps(scale_set_body()).encode().ljust(4 * 1024 * 1024)
    assert (await wire.put("web", just_fits)).status in (200, 201)


async def test_deeply_nested_body_is_400_not_a_crash(wire: Wire) -> None:
    deep = b'{"tags":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    reply = await wire.put("web", deep)
    assert reply.status == 400
    assert reply.code == "InvalidRequestContent"


# -- the garbage fault ----------------------------------------------------------------------


async def test_garbage_truncated_acts_then_cuts_the_body(wire: Wire) -> None:
    wire.fake.faults.garbage_body(method="PUT")
    reply = await wire.put("web")
    assert reply.status == 201  # the real status is kept
    with pytest.raises(ValueError):
        json.loads(reply.raw)
    assert reply.header("x-ms-request-id")
    assert wire.fake.scale_set("rg", "web").exists  # acted on
    assert (await wire.put("web")).json["name"] == "web"  # one time only


async def test_garbage_not_json_with_status(wire: Wire) -> None:
    handle = wire.fake.faults.garbage_body(mode="not_json", status=502, method="GET", times=None)
    reply = await wire.send("GET", f"{S}/web")
    assert reply.status == 502
    assert reply.raw.startswith(b"<html>")
    assert reply.header("Content-Type") == "text/html"
    handle.remove()
    assert (await wire.send("GET", f"{S}/web")).status == 404


async def test_garbage_on_an_empty_body_is_an_open_brace(wire: Wire) -> None:
    await wire.put("web")
    wire.fake.clock.advance(600)
    wire.fake.faults.garbage_body(method="DELETE")
    reply = await wire.send("DELETE", f"{S}/web")
    assert reply.status == 202
    assert reply.raw in (b"{", b"") or not reply.raw.endswith(b"}")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"mode": "nope"}, ValueError), ({"status": 42}, ValueError), ({"status": "502"}, TypeError),
     ({"times": 0}, ValueError)],
)  # fmt: skip
def test_garbage_fault_arguments_are_checked(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        FakeCompute().faults.garbage_body(**kwargs)  # type: ignore[arg-type]


async def test_client_retries_a_gateway_html_page() -> None:
    fake = FakeCompute(subscription_id=SUB)
    fake.create_scale_set("rg", "web", capacity=1)
    fake.faults.garbage_body(mode="not_json", status=502, method="GET", times=2)
    retry = RetryPolicy(max_attempts=3)
    async with ComputeClient(
        StaticTokenCredential("t"), SUB, transport=fake.transport(), clock=fake.clock, retry=retry
    ) as client:
        vmss = await client.scale_sets.get("rg", "web")
    assert vmss.name == "web"
    assert [r.status for r in fake.requests] == [502, 502, 200]


async def test_request_url_with_raw_unicode_and_huge_query_is_answered() -> None:
    fake = FakeCompute(subscription_id=SUB)
    url = f"{BASE}{S}/wéb?api-version=2024-07-01&{'x' * 10000}=1"
    answer = await fake.handle(WireRequest("GET", url, {"Authorization": "Bearer t"}))
    assert answer.status == 404
    assert json.loads(answer.body)["error"]["code"] == "ResourceNotFound"


async def test_garbage_fault_through_the_http_control_api() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    fake = FakeCompute(subscription_id=SUB)
    fake.create_scale_set("rg", "web", capacity=1)
    async with TestClient(TestServer(fake.aiohttp_app())) as http:
        spec = {"kind": "garbage_body", "mode": "not_json", "status": 503, "method": "GET"}
        added = await http.post("/_fake/faults", json=spec)
        assert added.status == 201
        bad = await http.post("/_fake/faults", json={"kind": "garbage_body", "mode": 3})
        assert bad.status == 400
        url = f"{S}/web?api-version=2024-07-01"
        reply = await http.get(url, headers={"Authorization": "Bearer t"})
        assert reply.status == 503
        assert (await reply.read()).startswith(b"<html>")
        again = await http.get(url, headers={"Authorization": "Bearer t"})
        assert again.status == 200
