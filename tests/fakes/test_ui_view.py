"""The page's view model and its query string, built from a fake's state without HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fakevmss import FakeCompute, RealClock, VirtualClock
from fakevmss._errors import ArmException
from fakevmss._http import RequestRecord
from fakevmss._ui._query import MAX_FILTER, MAX_REQUEST_LIMIT, ViewQuery, parse_query
from fakevmss._ui._view import build_view, clip, every_scale_set, request_page, vm_page

RG = "rg"
CODE = "InternalExecutionError"
HOSTILE = "<img src=x onerror=alert(1)>"


def fleet(*sizes: int) -> FakeCompute:
    """Scale sets s0, s1, ... of the given sizes, created; VM 0 of each then deleted."""
    fake = FakeCompute(clock=VirtualClock(auto_advance=False))
    for n, size in enumerate(sizes):
        fake.create_scale_set(RG, f"s{n}", capacity=size)
    fake.clock.advance(100)
    for n, size in enumerate(sizes):
        if size:
            fake.backend.sets.delete_instances(
                fake.subscription_id, RG, f"s{n}", ["0"], force=False
            )
    fake.clock.advance(100)
    return fake


def keys(page: dict[str, Any]) -> list[str]:
    return [item["key"] for item in page["items"]]


def test_view_of_a_resilient_delete() -> None:
    fake = FakeCompute(clock=VirtualClock(auto_advance=False), seed=5)
    fake.create_scale_set(RG, "web", capacity=2, tags={"team": "a"})
    fake.faults.fail_delete(CODE, instances=["1"], attempts=1)
    fake.clock.advance(100)
    fake.backend.sets.delete_instances(fake.subscription_id, RG, "web", ["1"], force=False)
    fake.clock.advance(90)
    view = json.loads(json.dumps(build_view(fake, ViewQuery())))
    assert view["seed"] == 5
    assert view["clock"] == {
        "kind": "virtual", "now": 190.0, "now_label": "+00:03:10",
        "utcnow": "2026-01-01T00:03:10+00:00", "speed": 1.0, "auto_advance": False,
        "can_advance": True,
    }  # fmt: skip
    (web,) = view["scale_sets"]["items"]
    assert web["key"] == "rg/web" and web["capacity"] == 1 and web["vms"] == 2
    assert web["tags"] == [["team", "a"]] and web["rounds"] == 1
    assert web["deletion_policy"] and web["creation_policy"] and web["next_round"] is None
    assert view["faults"][0]["what"] == CODE
    vms = view["vms"]
    assert vms["total"] == 2 and keys(vms) == ["rg/web/0", "rg/web/1"]
    vm1 = vms["items"][1]
    assert vm1["provisioning_state"] == "Deleting" and vm1["deletion_status"] == "InProgress"
    bars = [(b["kind"], b["attempt"], b["outcome"], b["code"], b["forced"]) for b in vm1["bars"]]
    assert bars == [
        ("create", 1, "succeeded", None, False),
        ("delete", 1, "failed", CODE, False),
        ("delete", 2, "running", None, True),
    ]
    assert [m["label"] for m in vm1["marks"]] == ["delete requested", "retry 1"]
    running = vm1["bars"][2]
    assert running["x1"] == 1.0 and vms["window"]["now"] == 1.0
    assert 0 < running["x0"] < 1 and vms["window"]["start"] == 0


def test_real_clock_is_shown_with_its_speed_and_cannot_be_advanced() -> None:
    view = build_view(FakeCompute(clock=RealClock(speed=60)), ViewQuery())
    clock = view["clock"]
    assert clock["kind"] == "real" and clock["speed"] == 60 and not clock["can_advance"]
    assert clock["auto_advance"] is None


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 50])
def test_unfiltered_pages_match_one_list_of_every_vm(limit: int) -> None:
    fake = fleet(3, 0, 5, 1)
    every = [f"rg/{s.name}/{vm.instance_id}" for s in every_scale_set(fake) for vm in s.every_vm()]
    assert len(every) == 9
    for offset in range(0, 12):
        page = vm_page(every_scale_set(fake), ViewQuery(vm_offset=offset, vm_limit=limit), 0)
        assert page["total"] == 9
        assert keys(page) == every[offset : offset + limit]


def test_vm_filters_by_text_and_by_scale_set() -> None:
    fake = fleet(3, 2)
    scale_sets = every_scale_set(fake)
    deleted = vm_page(scale_sets, ViewQuery(vm_q="deleted"), 0)
    assert keys(deleted) == ["rg/s0/0", "rg/s1/0"]
    named = vm_page(scale_sets, ViewQuery(vm_q="s1_"), 0)
    assert keys(named) == ["rg/s1/0", "rg/s1/1"]
    paged = vm_page(scale_sets, ViewQuery(vm_q="s", vm_offset=3, vm_limit=1), 0)
    assert paged["total"] == 5 and keys(paged) == ["rg/s1/0"]
    chosen = vm_page(scale_sets, parse_query({"scale_set": "RG/S1"}), 0)
    assert chosen["total"] == 2 and keys(chosen) == ["rg/s1/0", "rg/s1/1"]
    assert vm_page(scale_sets, ViewQuery(scale_set="rg/nope"), 0)["total"] == 0


def test_deleted_scale_sets_are_listed_after_live_ones() -> None:
    fake = fleet(1, 1)
    fake.backend.sets.delete(fake.subscription_id, RG, "s0", force=False)
    fake.clock.advance(100)
    rows = build_view(fake, ViewQuery())["scale_sets"]["items"]
    assert [(row["name"], row["exists"]) for row in rows] == [("s1", True), ("s0", False)]


def records(n: int) -> list[RequestRecord]:
    methods = ["GET", "PUT", "DELETE"]
    return [
        RequestRecord(float(i), methods[i % 3], f"/p/{i}", {}, 200 + i % 3, "2024-07-01")
        for i in range(n)
    ]


def test_request_log_is_newest_first_and_paged() -> None:
    log = records(10)
    first = request_page(log, ViewQuery(req_limit=3))
    assert [r["path"] for r in first["items"]] == ["/p/9", "/p/8", "/p/7"]
    assert first["total"] == first["matched"] == 10
    last = request_page(log, ViewQuery(req_offset=9, req_limit=3))
    assert [r["path"] for r in last["items"]] == ["/p/0"]
    assert request_page(log, ViewQuery(req_offset=20))["items"] == []
    row = first["items"][0]
    assert row == {"time": 9.0, "time_label": "+00:00:09", "method": "GET", "path": "/p/9",
                   "status": 200, "api_version": "2024-07-01"}  # fmt: skip


def test_request_log_filter_matches_method_path_status_and_version() -> None:
    log = records(10)
    deletes = request_page(log, ViewQuery(req_q="delete", req_limit=3))
    assert deletes["matched"] == 3 and deletes["complete"] and deletes["total"] == 10
    assert [r["path"] for r in deletes["items"]] == ["/p/8", "/p/5", "/p/2"]
    assert request_page(log, ViewQuery(req_q="201"))["matched"] == 3
    assert request_page(log, ViewQuery(req_q="/p/1"))["matched"] == 1
    assert request_page(log, ViewQuery(req_q="2024-07"))["matched"] == 10


def test_a_filtered_log_is_searched_one_match_past_the_page() -> None:
    log = records(10_000)
    first = request_page(log, ViewQuery(req_q="delete", req_limit=2))
    assert [r["path"] for r in first["items"]] == ["/p/9998", "/p/9995"]
    assert first["matched"] == 3 and not first["complete"]  # at least one older match
    page = request_page(log, ViewQuery(req_q="delete", req_offset=3332, req_limit=5))
    assert page["complete"] and page["matched"] == 3333
    assert [r["path"] for r in page["items"]] == ["/p/2"]
    unfiltered = request_page(log, ViewQuery(req_limit=1))
    assert unfiltered["complete"] and unfiltered["matched"] == 10_000


@pytest.mark.parametrize("size", [0, 1, 511, 512, 513, 1500])
@pytest.mark.parametrize("needle", ["delete", "/p/1", "put /p/", "201", "nothing", "\n"])
def test_chunked_search_finds_what_a_plain_scan_finds(size: int, needle: str) -> None:
    log = records(size)
    plain = [
        r.path
        for r in reversed(log)
        if needle in f"{r.method} {r.path} {r.status} {r.api_version}".lower()
    ]
    page = request_page(log, ViewQuery(req_q=needle, req_limit=MAX_REQUEST_LIMIT))
    assert [r["path"] for r in page["items"]] == plain[:MAX_REQUEST_LIMIT]
    assert page["complete"] == (len(plain) <= MAX_REQUEST_LIMIT)
    assert page["matched"] == min(len(plain), MAX_REQUEST_LIMIT + 1)


def test_long_user_strings_are_clipped() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcd", 3) == "ab\u2026"
    fake = FakeCompute(clock=VirtualClock(auto_advance=False))
    fake.create_scale_set(RG, "n" * 1000, capacity=1, tags={"k": "v" * 1000, HOSTILE: HOSTILE})
    view = build_view(fake, ViewQuery())
    row = view["scale_sets"]["items"][0]
    assert len(row["name"]) == 256 and len(row["tags"][1][1]) == 256
    assert [HOSTILE, HOSTILE] in row["tags"]  # clipped, never rewritten: escaping is the page's
    assert len(view["vms"]["items"][0]["name"]) == 256


def test_query_defaults_and_bounds() -> None:
    assert parse_query({}) == ViewQuery()
    query = parse_query({"vm_offset": "10", "vm_limit": "200", "vm_q": "  Web ",
                         "req_offset": "0", "req_limit": "500", "req_q": "DELETE"})  # fmt: skip
    assert query == ViewQuery(10, 200, "web", "", 0, 500, "delete")
    assert parse_query({"vm_limit": ""}).vm_limit == 50


@pytest.mark.parametrize(
    ("params", "target"),
    [
        ({"vm_limit": "0"}, "vm_limit"),
        ({"vm_limit": "201"}, "vm_limit"),
        ({"req_limit": "501"}, "req_limit"),
        ({"vm_offset": "-1"}, "vm_offset"),
        ({"vm_offset": "1e3"}, "vm_offset"),
        ({"vm_offset": "\u0661"}, "vm_offset"),  # an Arabic-Indic one: a digit, not ASCII
        ({"req_offset": "9" * 40}, "req_offset"),
        ({"vm_q": "x" * (MAX_FILTER + 1)}, "vm_q"),
        ({"bogus": "1"}, "bogus"),
    ],
)
def test_bad_query_is_an_arm_400_naming_the_parameter(params: dict[str, str], target: str) -> None:
    with pytest.raises(ArmException) as caught:
        parse_query(params)
    assert caught.value.status == 400 and caught.value.code == "InvalidParameter"
    assert caught.value.target == target


def test_vm_rows_show_the_power_state_and_operation_bars() -> None:
    from fakevmss._vm_ops import VMOp

    fake = FakeCompute(clock=VirtualClock(auto_advance=False))
    fake.create_scale_set(RG, "web", capacity=2)
    fake.clock.advance(100)
    fake.backend.actions.on_scale_set(VMOp.DEALLOCATE, fake.subscription_id, RG, "web", ["1"])
    fake.clock.advance(10)
    rows = build_view(fake, ViewQuery())["vms"]["items"]
    assert [row["power_state"] for row in rows] == ["running", "deallocating"]
    assert rows[1]["provisioning_state"] == "Updating"
    assert [(b["kind"], b["outcome"]) for b in rows[1]["bars"]][-1] == ("deallocate", "running")
    filtered = vm_page(every_scale_set(fake), ViewQuery(vm_q="deallocating"), fake.clock.now())
    assert keys(filtered) == ["rg/web/1"]
    assert "deallocate operation-started #1" in fake.timeline()
    assert "power=deallocating" in fake.timeline()
