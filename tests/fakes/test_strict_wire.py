"""Strictness at the fake's door: path names, unknown members, ETag headers, the lenient switch."""

from __future__ import annotations

import pytest
from wire_support import RG, SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute
from fakevmss._cli import _make_fake, build_parser
from fakevmss._wire._names import check_name

GROUPS = f"/subscriptions/{SUB}/resourceGroups"
VMSS = "providers/Microsoft.Compute/virtualMachineScaleSets"


@pytest.mark.parametrize("sub", ["my-sub", "sub", "00000000-0000-0000-0000-00000000000", "{guid}"])
async def test_a_subscription_id_that_is_no_guid_is_invalid_subscription_id(
    wire: Wire, sub: str
) -> None:
    for method in ("GET", "PUT"):
        reply = await wire.send(method, f"/subscriptions/{sub}/resourceGroups/rg/{VMSS}/web")
        assert (reply.status, reply.code) == (400, "InvalidSubscriptionId")
        assert f"'{sub}' is malformed or invalid" in reply.json["error"]["message"]


@pytest.mark.parametrize("group", ["rg", "Rg.(1)_x-y", "grupo-año", "组", "r" * 90])
async def test_resource_group_names_arm_accepts(wire: Wire, group: str) -> None:
    reply = await wire.send("PUT", f"{GROUPS}/{group}/{VMSS}/web", scale_set_body(1))
    assert reply.status == 201, reply.raw


@pytest.mark.parametrize(
    ("group", "shown"),
    [("my rg", "' '"), ("rg!", "'!'"), ("a%2Fb", "'/'"), ("rg.", "ends with a period"),
     ("r" * 91, "longer than 90")],
)  # fmt: skip
async def test_resource_group_names_arm_refuses(wire: Wire, group: str, shown: str) -> None:
    reply = await wire.send("GET", f"{GROUPS}/{group}/{VMSS}/web")
    assert (reply.status, reply.code) == (400, "InvalidResourceGroup")
    assert shown in reply.json["error"]["message"]


@pytest.mark.parametrize("name", ["web", "a", "web_1", "web-1.b", "Wéb", "s" * 64, "1st"])
def test_scale_set_names_compute_accepts(name: str) -> None:
    assert check_name("vmScaleSetName", name) == name


@pytest.mark.parametrize("name", ["_web", "web-", "web.", "we b", "web!", "s" * 65, "-web"])
async def test_scale_set_names_compute_refuses(wire: Wire, name: str) -> None:
    reply = await wire.put(name)
    assert (reply.status, reply.code) == (400, "InvalidParameter")
    assert reply.json["error"]["target"] == "vmScaleSetName"
    assert "is invalid according to its validation rule" in reply.json["error"]["message"]


async def test_unknown_member_is_refused_and_nothing_is_stored(wire: Wire) -> None:
    reply = await wire.put("web", scale_set_body(sku_typo={"capacity": 1}))
    assert (reply.status, reply.code) == (400, "InvalidRequestContent")
    assert reply.json["error"]["target"] == "sku_typo"
    assert wire.fake.snapshot()["scale_sets"] == []


async def test_lenient_bodies_keep_and_echo_unknown_members() -> None:
    wire = Wire(FakeCompute(subscription_id=SUB, strict_bodies=False))
    created = await wire.put("web", scale_set_body(1, newField={"x": 1}))
    assert created.status == 201
    assert created.json["newField"] == {"x": 1}
    patched = await wire.send("PATCH", f"{S}/web", {"sku": {"capacty": 2}})
    assert patched.status == 200 and patched.json["sku"]["capacty"] == 2


async def test_a_client_newer_than_the_fake_may_send_newer_members() -> None:
    wire = Wire(FakeCompute(subscription_id=SUB, lenient_api_versions=True))
    body = scale_set_body(1, fromTheFuture=True)
    assert (await wire.put("web", body, api="2030-01-01")).status == 201
    assert (await wire.put("web", body, api="2024-07-01")).code == "InvalidRequestContent"


async def test_etag_header_wherever_the_body_has_one(wire: Wire) -> None:
    created = await wire.put("web", scale_set_body(1))
    assert created.header("ETag") == created.json["etag"]
    wire.fake.clock.advance(600)
    got = await wire.send("GET", f"{S}/web")
    assert got.header("ETag") == got.json["etag"]
    patched = await wire.send("PATCH", f"{S}/web", {"tags": {"a": "b"}})
    assert patched.header("ETag") == patched.json["etag"] != got.json["etag"]
    vm = await wire.send("GET", f"{S}/web/virtualMachines/0")
    assert vm.header("ETag") == vm.json["etag"]
    listed = await wire.send("GET", S)
    assert listed.header("ETag") is None  # a list has no etag of its own
    old = await wire.send("GET", f"{S}/web", api="2023-07-01")
    assert old.header("ETag") is None and "etag" not in old.json


async def test_patch_honours_if_none_match_like_put(wire: Wire) -> None:
    created = await wire.put("web", scale_set_body(1))
    etag = created.json["etag"]
    for value in ("*", etag):
        reply = await wire.send("PATCH", f"{S}/web", {"tags": {}}, headers={"If-None-Match": value})
        assert (reply.status, reply.code) == (412, "PreconditionFailed")
    reply = await wire.send("PATCH", f"{S}/web", {"tags": {}}, headers={"If-None-Match": '"999"'})
    assert reply.status == 200
    put = await wire.put("web", scale_set_body(1), headers={"If-None-Match": "*"})
    assert (put.status, put.code) == (412, "PreconditionFailed")
    assert (
        await wire.send("PATCH", f"{S}/other", {}, headers={"If-None-Match": "*"})
    ).status == 404


def test_serve_lenient_bodies_flag() -> None:
    assert _make_fake(build_parser().parse_args(["serve"])).strict_bodies is True
    args = build_parser().parse_args(["serve", "--lenient-bodies"])
    assert _make_fake(args).strict_bodies is False


def test_the_default_names_of_the_examples_and_tests_are_valid() -> None:
    assert check_name("resourceGroupName", RG) == RG
    assert check_name("subscriptionId", SUB) == SUB
