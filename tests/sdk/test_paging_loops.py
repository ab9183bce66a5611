"""Paging never loops forever: repeated nextLinks (however spelled) and the page cap."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sdk_support import ManualClock, ScriptedTransport, respond, scripted_client

from aiovmss import AsyncPaged, StaticTokenCredential
from aiovmss._origin import AllowedOrigins
from aiovmss._page_links import DEFAULT_MAX_PAGES, LinkGuard, link_key
from aiovmss._pipeline import Pipeline
from aiovmss._retry import RetryPolicy
from aiovmss.errors import PagingError, UntrustedUrlError
from aiovmss.transport import HttpRequest, HttpResponse

BASE = "https://management.azure.com"
PATH = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
LIST = f"{BASE}{PATH}"
FIRST = f"{LIST}?api-version=2024-07-01"


# --- link_key and LinkGuard: pure ---------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        f"{LIST}?api-version=2024-07-01&$skiptoken=abc#page",
        f"{LIST}?$skiptoken=abc&api-version=2024-07-01",
        f"{LIST}?%24skiptoken=abc&api-version=2024-07-01",
        f"HTTPS://Management.Azure.COM:443{PATH}?api-version=2024-07-01&$skiptoken=abc",
        f"{LIST}?api-version=2024-07-01&&$skiptoken=abc#",
    ],
)
def test_link_key_sees_one_page_through_its_spellings(variant: str) -> None:
    assert link_key(variant) == link_key(f"{LIST}?api-version=2024-07-01&$skiptoken=abc")
    assert len(link_key(variant)) == 16


@pytest.mark.parametrize(
    "other",
    [
        f"{LIST}?api-version=2024-07-01&$skiptoken=abd",
        f"{LIST}/other?api-version=2024-07-01&$skiptoken=abc",
        f"{LIST}?api-version=2024-07-01&$skiptoken=abc&$skiptoken=abc",
        f"http://management.azure.com{PATH}?api-version=2024-07-01&$skiptoken=abc",
    ],
)
def test_link_key_tells_different_pages_apart(other: str) -> None:
    assert link_key(other) != link_key(f"{LIST}?api-version=2024-07-01&$skiptoken=abc")


def _guard(max_pages: int = DEFAULT_MAX_PAGES) -> LinkGuard:
    return LinkGuard(FIRST, AllowedOrigins.of(BASE), max_pages, operation="op", resource="rg")


def test_the_guard_refuses_repeats_foreign_origins_and_pages_past_the_cap() -> None:
    guard = _guard(max_pages=3)
    assert guard.admits(FIRST + "#again") is None  # the first page, respelled
    with pytest.raises(PagingError, match="op rg: the service repeated a nextLink after 1 pages"):
        guard.follow(FIRST + "#again")
    assert guard.admits("https://elsewhere.example/x") is None
    with pytest.raises(UntrustedUrlError):
        guard.follow("https://elsewhere.example/x")
    second = f"{FIRST}&p=2"
    key = guard.admits(second)
    assert key == link_key(second)
    assert guard.follow(second, key) == second and guard.pages == 2
    assert guard.follow(f"{FIRST}&p=3") and guard.pages == 3
    assert guard.admits(f"{FIRST}&p=4") is None
    with pytest.raises(PagingError, match="more than max_pages=3 pages") as info:
        guard.follow(f"{FIRST}&p=4")
    assert (info.value.pages, info.value.operation, info.value.resource) == (3, "op", "rg")


def test_the_guard_holds_one_small_digest_per_page_and_no_more() -> None:
    guard = _guard(max_pages=2000)
    for page in range(2, 2001):
        guard.follow(f"{FIRST}&$skiptoken={'x' * 500}{page}")  # long links, short keys
    with pytest.raises(PagingError):
        guard.follow(f"{FIRST}&$skiptoken=more")
    assert len(guard._seen) == 2000
    assert {len(key) for key in guard._seen} == {16}


# --- through AsyncPaged ---------------------------------------------------------------------------


def _page(name: str, next_link: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"value": [{"name": name}]}
    if next_link is not None:
        body["nextLink"] = next_link
    return body


def _listing(transport: ScriptedTransport, read_ahead: bool) -> AsyncPaged[Any]:
    paged = scripted_client(transport).scale_sets.list("rg")
    return paged if read_ahead else paged.without_read_ahead()


@pytest.mark.parametrize("read_ahead", [True, False])
@pytest.mark.parametrize(
    "respell",
    [
        lambda n: f"{FIRST}&$skiptoken=2#visit-{n}",  # a new fragment each time
        lambda n: (
            f"{LIST}?$skiptoken=2&api-version=2024-07-01"
            if n % 2
            else f"{FIRST}&$skiptoken=2"  # the query reordered each time
        ),
    ],
)
async def test_a_self_repeating_next_link_stops_the_listing(read_ahead: bool, respell: Any) -> None:
    transport = ScriptedTransport(
        *(respond(200, _page(str(n), respell(n))) for n in range(10)),
    )
    seen = []
    with pytest.raises(PagingError, match="repeated a nextLink after 2 pages"):
        async for scale_set in _listing(transport, read_ahead):
            seen.append(scale_set.name)
    assert seen == ["0", "1"]
    assert len(transport.requests) == 2  # the repeat was never requested, not even ahead


def _endless(request: HttpRequest) -> HttpResponse:
    number = int(request.url.rsplit("=", 1)[1]) + 1 if "page=" in request.url else 1
    return respond(200, _page(str(number), f"{FIRST}&page={number}"))


@pytest.mark.parametrize("read_ahead", [True, False])
async def test_the_page_cap_stops_an_endless_listing(read_ahead: bool) -> None:
    transport = ScriptedTransport(*([_endless] * 10))
    paged = _listing(transport, read_ahead).with_max_pages(4)
    assert paged.max_pages == 4 and paged.read_ahead is read_ahead
    seen = []
    with pytest.raises(PagingError, match="more than max_pages=4 pages") as info:
        async for scale_set in paged:
            seen.append(scale_set.name)
    assert seen == ["1", "2", "3", "4"] and info.value.pages == 4
    assert len(transport.requests) == 4  # no fifth page, not even read ahead


async def test_a_listing_of_exactly_max_pages_ends_normally() -> None:
    transport = ScriptedTransport(
        respond(200, _page("1", f"{FIRST}&page=2")),
        respond(200, _page("2", None)),
    )
    paged = scripted_client(transport).scale_sets.list("rg").with_max_pages(2)
    assert [s.name async for s in paged] == ["1", "2"]


def test_max_pages_is_checked_and_kept_across_copies() -> None:
    paged = scripted_client(ScriptedTransport()).scale_sets.list("rg")
    assert paged.max_pages == DEFAULT_MAX_PAGES == 100_000
    assert paged.with_max_pages(7).without_read_ahead().max_pages == 7
    for value, error in ((0, ValueError), (True, TypeError), ("10", TypeError)):
        with pytest.raises(error):
            paged.with_max_pages(value)  # type: ignore[arg-type]


async def test_read_ahead_checks_the_origin_itself() -> None:
    # A pipeline with no origins of its own (no backstop): read-ahead's own check is all
    # that stands between a page's tail and another host.
    elsewhere = "https://elsewhere.example/list?api-version=v&p=3"
    transport = ScriptedTransport(
        respond(200, _page("1", f"{FIRST}&p=2")),
        respond(200, json.dumps(_page("2", elsewhere)).encode()),
    )
    pipeline = Pipeline(
        transport=transport,
        credential=StaticTokenCredential("t"),
        clock=ManualClock(),
        retry=RetryPolicy(),
    )
    assert pipeline.origins is None

    def parse(body: bytes) -> tuple[list[str], str | None]:
        data = json.loads(body)
        return [item["name"] for item in data["value"]], data.get("nextLink")

    paged = AsyncPaged(pipeline, FIRST, parse, api_version="v", operation="t", resource="r")
    seen = []
    with pytest.raises(UntrustedUrlError, match=r"elsewhere\.example:443"):
        async for name in paged:
            seen.append(name)
    assert seen == ["1", "2"]
    assert all(r.url.startswith(BASE) for r in transport.requests)
