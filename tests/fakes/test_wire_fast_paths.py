"""The wire layer's fast paths answer exactly what the slow ones would.

Cached GET VM bodies follow every state change, the route cache never skips a check, the query
fast path reads what ``parse_qsl`` reads, request ids stay unique and UUID-shaped.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wire_support import RG, SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute
from fakevmss._http import WireRequest
from fakevmss._wire import _app
from fakevmss._wire._cache import BodyCache
from fakevmss._wire._links import page_after
from fakevmss._wire._request import RequestIds, first_values
from fakevmss._wire._serialize import json_copy


def new_wire() -> Wire:
    return Wire(FakeCompute(seed=0, subscription_id=SUB))


async def created(wire: Wire, capacity: int = 2) -> None:
    assert (await wire.put("web", scale_set_body(capacity))).status == 201
    wire.fake.clock.advance(600)


def vm_props(reply_json: dict[str, Any]) -> dict[str, Any]:
    props = reply_json["properties"]
    assert isinstance(props, dict)
    return props


# -- cached GET VM bodies ----------------------------------------------------------------


async def test_repeated_get_vm_is_served_from_cache_with_fresh_request_ids() -> None:
    wire = new_wire()
    await created(wire)
    first = await wire.send("GET", f"{S}/web/virtualMachines/0")
    second = await wire.send("GET", f"{S}/web/virtualMachines/0")
    bodies = wire.fake._wire_app().bodies
    assert (first.status, second.status) == (200, 200)
    assert first.raw == second.raw
    assert bodies.hits >= 1
    assert first.header("x-ms-request-id") != second.header("x-ms-request-id")


async def test_cached_get_vm_follows_provisioning_changes() -> None:
    wire = new_wire()
    assert (await wire.put("web", scale_set_body(1))).status == 201
    creating = await wire.send("GET", f"{S}/web/virtualMachines/0")
    assert vm_props(creating.json)["provisioningState"] == "Creating"
    wire.fake.clock.advance(600)
    running = await wire.send("GET", f"{S}/web/virtualMachines/0")
    assert vm_props(running.json)["provisioningState"] == "Succeeded"
    deleted = await wire.send("DELETE", f"{S}/web/virtualMachines/0")
    assert deleted.status == 202
    deleting = await wire.send("GET", f"{S}/web/virtualMachines/0", expand="resiliencyView")
    props = vm_props(deleting.json)
    assert props["provisioningState"] == "Deleting"
    assert props["resilientVMDeletionStatus"] == "InProgress"
    wire.fake.clock.advance(3600)
    gone = await wire.send("GET", f"{S}/web/virtualMachines/0")
    assert gone.status == 404


async def test_cached_get_vm_follows_a_patch_of_the_scale_set() -> None:
    wire = new_wire()
    await created(wire)
    before = await wire.send("GET", f"{S}/web/virtualMachines/1")
    assert before.json["tags"] == {"team": "platform"}
    patch = {"tags": {"team": "data"}, "sku": {"name": "Standard_D4s_v3"}}
    assert (await wire.send("PATCH", f"{S}/web", patch)).status == 200
    after = await wire.send("GET", f"{S}/web/virtualMachines/1")
    assert after.json["tags"] == {"team": "data"}
    # A new size is a new model: under Manual the VM keeps its size until it is upgraded.
    assert after.json["sku"]["name"] == "Standard_D2s_v3"
    assert vm_props(after.json)["latestModelApplied"] is False
    upgrade = {"instanceIds": ["1"]}
    assert (await wire.send("POST", f"{S}/web/manualupgrade", upgrade)).status == 202
    wire.fake.clock.advance(60)
    upgraded = await wire.send("GET", f"{S}/web/virtualMachines/1")
    assert upgraded.json["sku"]["name"] == "Standard_D4s_v3"
    assert vm_props(upgraded.json)["hardwareProfile"] == {"vmSize": "Standard_D4s_v3"}


async def test_cached_get_vm_keeps_versions_and_expands_apart() -> None:
    wire = new_wire()
    await created(wire)
    url = f"{S}/web/virtualMachines/0"
    plain = await wire.send("GET", url)
    expanded = await wire.send("GET", url, expand="instanceView")
    old = await wire.send("GET", url, api="2023-07-01")
    again = await wire.send("GET", url)
    assert "instanceView" not in vm_props(plain.json)
    assert "instanceView" in vm_props(expanded.json)
    assert "etag" in plain.json and "etag" not in old.json
    assert again.raw == plain.raw


async def test_get_vm_bodies_equal_a_fresh_fake_without_cache_hits() -> None:
    cached, fresh = new_wire(), new_wire()
    for wire in (cached, fresh):
        await created(wire, 3)
    await cached.send("GET", f"{S}/web/virtualMachines/2")  # warm the cache
    for wire in (cached, fresh):
        assert (await wire.send("DELETE", f"{S}/web/virtualMachines/2")).status == 202
    one = await cached.send("GET", f"{S}/web/virtualMachines/2", expand="resiliencyView")
    two = await fresh.send("GET", f"{S}/web/virtualMachines/2", expand="resiliencyView")
    assert one.json == two.json


def test_body_cache_rebuilds_on_a_new_key_and_starts_afresh_when_full() -> None:
    cache = BodyCache(limit=2)
    owners = [object(), object(), object()]
    builds: list[str] = []

    def build(tag: str) -> bytes:
        builds.append(tag)
        return tag.encode()

    assert cache.get(owners[0], 1, lambda: build("a")) == b"a"
    assert cache.get(owners[0], 1, lambda: build("never")) == b"a"
    assert cache.get(owners[0], 2, lambda: build("b")) == b"b"
    cache.get(owners[1], 1, lambda: build("c"))
    assert len(cache) == 2
    cache.get(owners[2], 1, lambda: build("d"))  # full: starts afresh
    assert len(cache) == 1
    assert cache.get(owners[0], 2, lambda: build("e")) == b"e"  # forgotten, rebuilt
    assert builds == ["a", "b", "c", "d", "e"]
    assert (cache.hits, cache.misses) == (1, 5)
    cache.clear()
    assert len(cache) == 0


# -- routing cache ------------------------------------------------------------------------


async def test_route_cache_keeps_name_and_version_checks() -> None:
    wire = new_wire()
    await created(wire)
    bad = f"{S}/web/virtualMachines/{'x' * 300}"
    for _ in range(2):
        assert (await wire.send("GET", bad)).code == "InvalidResourceName"
    url = f"{S}/web/virtualMachines/0"
    assert (await wire.send("GET", url)).status == 200
    assert (await wire.send("GET", url, api="1999-01-01")).code == "NoRegisteredProviderFound"
    assert (await wire.send("GET", url, api=None)).code == "MissingApiVersionParameter"
    assert (await wire.send("POST", url)).code == "MethodNotAllowed"
    assert (await wire.send("GET", url)).status == 200


async def test_route_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_app, "ROUTE_CACHE_SIZE", 2)
    wire = new_wire()
    await created(wire, 3)
    for instance_id in ("0", "1", "2"):
        assert (await wire.send("GET", f"{S}/web/virtualMachines/{instance_id}")).status == 200
    assert len(wire.fake._wire_app()._routes) <= 2


# -- request parsing ----------------------------------------------------------------------


async def test_headers_match_any_case_and_the_first_spelling_wins() -> None:
    fake = FakeCompute(seed=0, subscription_id=SUB)
    url = f"https://management.azure.com{S}?api-version=2024-07-01"
    headers = {
        "AUTHORIZATION": "Bearer t",
        "X-MS-Client-Request-Id": "first",
        "x-ms-client-request-id": "second",
        "X-Ms-Correlation-Request-Id": "corr",
    }
    answer = await fake.handle(WireRequest("GET", url, headers))
    assert answer.status == 200
    assert answer.headers["x-ms-client-request-id"] == "first"
    assert answer.headers["x-ms-correlation-request-id"] == "corr"
    assert fake.requests[-1].client_request_id == "first"
    assert fake.requests[-1].query == {"api-version": "2024-07-01"}
    assert fake.requests[-1].path == S


_QUERY_CHARS = st.sampled_from([*"ab=&%+ 2F$é-._", "%2", "%41", "%zz", "&&", "=="])


@given(st.lists(_QUERY_CHARS, max_size=20).map("".join))
def test_query_fast_path_reads_what_parse_qsl_reads(query: str) -> None:
    expected: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        expected.setdefault(key, value)
    assert first_values(query) == expected


def test_request_ids_are_unique_version_4_uuids() -> None:
    ids, other = RequestIds(), RequestIds()
    values = [ids.next() for _ in range(1000)]
    assert len(set(values)) == 1000
    assert all(uuid.UUID(value).version == 4 for value in values)
    assert other.next() not in values


# -- paging ----------------------------------------------------------------------------


def reference_page(
    items: list[tuple[str, int]], after: tuple[str] | None, size: int
) -> tuple[list[tuple[str, int]], tuple[str] | None]:
    """The plain definition: sort, drop up to ``after``, take ``size``."""
    ordered = sorted(items, key=lambda item: (item[0],))
    if after is not None:
        ordered = [item for item in ordered if (item[0],) > after]
    page = ordered[: max(1, size)]
    return page, ((page[-1][0],) if len(ordered) > len(page) else None)


@given(
    st.lists(st.sampled_from("abcdef"), max_size=12),
    st.none() | st.sampled_from("abcdefg").map(lambda k: (k,)),
    st.integers(min_value=0, max_value=5),
    st.booleans(),
)
def test_page_after_matches_its_plain_definition(
    letters: list[str], after: tuple[str] | None, size: int, presorted: bool
) -> None:
    items = [(letter, index) for index, letter in enumerate(letters)]
    if presorted:
        items.sort(key=lambda item: item[0])
    got = page_after(items, lambda item: (item[0],), after, size)
    assert got == reference_page(items, after, size)
    if presorted:  # the caller vouches for the order: the bisection reads the items themselves
        fast = page_after(items, lambda item: (item[0],), after, size, presorted=True)
        assert fast == reference_page(items, after, size)


# -- serialisation helpers ----------------------------------------------------------------


def test_json_copy_is_a_deep_independent_copy() -> None:
    original: dict[str, Any] = {"a": [1, {"b": None, "c": 1.5}], "d": {"e": True}, "t": (1, 2)}
    copied = json_copy(original)
    assert copied == copy.deepcopy(original)
    copied["a"][1]["b"] = "changed"
    copied["d"]["e"] = False
    assert original == {"a": [1, {"b": None, "c": 1.5}], "d": {"e": True}, "t": (1, 2)}


async def test_scale_set_body_does_not_share_state_with_the_spec() -> None:
    wire = new_wire()
    await created(wire)
    reply = await wire.send("GET", f"{S}/web")
    assert reply.json["properties"]["virtualMachineProfile"]["osProfile"]["adminUsername"]
    spec = wire.fake.backend.sets.get(SUB, RG, "web").spec
    assert "provisioningState" not in spec["properties"]
