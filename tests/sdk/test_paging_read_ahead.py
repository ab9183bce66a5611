"""Paging's read-ahead: the next page's GET goes out before the current page is parsed.

The decision (``trailing_next_link``) is pure and tested without a loop; the behaviour is
tested by when each request is sent relative to the items the caller has been handed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from contextlib import aclosing
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from sdk_support import ManualClock, ScriptedTransport, respond, scripted_client, serve_app

from aiovmss import AsyncPaged, ComputeClient, StaticTokenCredential
from aiovmss._paging import trailing_next_link
from aiovmss.errors import ResourceNotFoundError, UntrustedUrlError
from aiovmss.transport import HttpRequest, HttpResponse

BASE = "https://management.azure.com"
LIST = (
    "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute"
    "/virtualMachineScaleSets/web/virtualMachines"
)
FIRST = f"{BASE}{LIST}?api-version=2024-07-01"
LINK = f"{BASE}{LIST}?api-version=2024-07-01&$skiptoken="


def _page(ids: Sequence[str], next_link: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "value": [{"instanceId": i, "properties": {"provisioningState": "Succeeded"}} for i in ids]
    }
    if next_link is not None:
        body["nextLink"] = next_link
    return body


def _pages(count: int) -> ScriptedTransport:
    """``count`` pages of two VMs each: page n holds ``2n`` and ``2n+1``."""
    return ScriptedTransport(
        *(
            respond(
                200,
                _page([str(2 * n), str(2 * n + 1)], None if n == count - 1 else LINK + str(n + 1)),
            )
            for n in range(count)
        )
    )


async def _sent_per_item(paged: AsyncPaged[Any], transport: ScriptedTransport) -> dict[str, int]:
    """For each item, how many requests had been sent when the caller was handed it."""
    return {vm.instance_id: len(transport.requests) async for vm in paged}


# --- trailing_next_link: a pure decision ------------------------------------------------------


@pytest.mark.parametrize(
    "dumps",
    [
        lambda body: json.dumps(body),
        lambda body: json.dumps(body, separators=(",", ":")),
        lambda body: json.dumps(body, indent=2) + "\r\n",
        lambda body: json.dumps(body, indent="\t", separators=(" ,", " : ")),
    ],
    ids=["spaced", "compact", "indented", "odd-spacing"],
)
def test_trailing_next_link_reads_the_last_member(dumps: Any) -> None:
    body = dumps(_page(["0", "1"], LINK + "2")).encode()
    assert trailing_next_link(body) == LINK + "2"
    assert trailing_next_link(dumps({"nextLink": "x"}).encode()) == "x"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{}",
        b"}",
        b'"nextLink"}',
        b'{"value": []}',
        b'{"value": [], "nextLink": null}',
        b'{"nextLink": "https://a/b", "value": []}',  # not the last member
        b'{"value": [], "x": {"nextLink": "https://a/b"}}',  # nested
        b'{"value": [{"tags": {"nextLink": "https://a/b"}}]}',
        b'{"value": [], "notnextLink": "https://a/b"}',
        b'{"value": [], "x\\"nextLink": "https://a/b"}',  # the quote is escaped
        b'{"value": [], "nextLink": "https:\\/\\/a\\/b"}',  # escapes: left to the parser
        b'{"value": [], "nextLink": ["https://a/b"]}',
        b'{"value": [], "nextLink" "https://a/b"}',
        b'{"value": [], "nextLink": "\xff\xfe"}',
        b'["nextLink", "https://a/b"]',
    ],
)
def test_trailing_next_link_refuses_every_other_shape(body: bytes) -> None:
    assert trailing_next_link(body) is None


def test_trailing_next_link_gives_up_on_long_padding() -> None:
    padded = json.dumps(_page(["0"], LINK + "1")).encode()
    assert trailing_next_link(padded + b" " * 64) == LINK + "1"
    assert trailing_next_link(padded + b"\n" * 65) is None
    assert trailing_next_link(padded[:-1] + b" " * 65 + b"}") is None
    assert trailing_next_link(b" " * 5_000_000) is None  # no byte-by-byte walk over it all


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    members=st.dictionaries(st.sampled_from(["value", "nextLink", "x", "tags"]), _json_values),
    link=st.none() | st.text(max_size=30),
    indent=st.none() | st.integers(0, 2),
    ascii_only=st.booleans(),
)
def test_trailing_next_link_is_never_wrong_on_valid_json(
    members: dict[str, Any], link: str | None, indent: int | None, ascii_only: bool
) -> None:
    body = dict(members)
    if link is not None:
        body.pop("nextLink", None)
        body["nextLink"] = link  # the last member, as ARM sends it
    raw = json.dumps(body, indent=indent, ensure_ascii=ascii_only).encode()
    guess = trailing_next_link(raw)
    assert guess is None or guess == body.get("nextLink")
    plain = isinstance(link, str) and "\\" not in json.dumps(link, ensure_ascii=ascii_only)
    if plain:
        assert guess == link


# --- AsyncPaged: when each page is requested ---------------------------------------------------


async def test_the_next_page_is_requested_before_the_current_one_is_handed_out() -> None:
    transport = _pages(4)
    paged = scripted_client(transport).scale_set_vms.list("rg", "web")
    sent = await _sent_per_item(paged, transport)
    # Page 1: nothing ahead. From page 2 on, the following page is already on its way.
    assert sent == {"0": 1, "1": 1, "2": 3, "3": 3, "4": 4, "5": 4, "6": 4, "7": 4}
    assert [r.url for r in transport.requests] == [FIRST] + [LINK + str(n) for n in (1, 2, 3)]


async def test_without_read_ahead_each_page_waits_for_the_caller() -> None:
    transport = _pages(3)
    paged = scripted_client(transport).scale_set_vms.list("rg", "web").without_read_ahead()
    assert await _sent_per_item(paged, transport) == {
        "0": 1, "1": 1, "2": 2, "3": 2, "4": 3, "5": 3,
    }  # fmt: skip


async def test_a_caller_reading_only_the_first_page_sends_one_request() -> None:
    transport = _pages(3)
    async with aclosing(
        scripted_client(transport).scale_set_vms.list("rg", "web").by_page()
    ) as pages:
        async for page in pages:
            assert [vm.instance_id for vm in page] == ["0", "1"]
            break
    assert len(transport.requests) == 1


async def test_an_error_on_the_page_ahead_is_raised_only_when_the_listing_reaches_it() -> None:
    transport = _pages(2)
    transport.add(respond(404, {"error": {"code": "ResourceNotFound", "message": "gone"}}))
    transport.script[1] = respond(200, _page(["2", "3"], LINK + "2"))
    got: list[str | None] = []
    with pytest.raises(ResourceNotFoundError) as info:
        async for vm in scripted_client(transport).scale_set_vms.list("rg", "web"):
            got.append(vm.instance_id)
    assert got == ["0", "1", "2", "3"]
    assert info.value.operation == "scale_set_vms.list"


async def test_the_page_ahead_is_retried_when_reached_on_the_clients_clock() -> None:
    busy = {"error": {"code": "ServiceUnavailable", "message": "busy"}}
    transport = ScriptedTransport(
        respond(200, _page(["0"], LINK + "1")),
        respond(200, _page(["1"], LINK + "2")),
        respond(503, busy, {"Retry-After": "7"}),  # the read-ahead's answer
        respond(200, b'{"value": [{"instanceId": "2"'),  # damaged: fetched again
        respond(200, _page(["2"], None)),
    )
    client = scripted_client(transport)
    ids = [vm.instance_id async for vm in client.scale_set_vms.list("rg", "web")]
    assert ids == ["0", "1", "2"]
    assert [r.url for r in transport.requests] == [FIRST, LINK + "1"] + [LINK + "2"] * 3
    assert isinstance(client.clock, ManualClock) and client.clock.sleeps[0] == 7


async def test_a_wrong_guess_is_dropped_and_the_parsed_next_link_followed() -> None:
    # A parser that disagrees with the body's tail stands in for a body whose tail lies.
    transport = ScriptedTransport(
        *(respond(200, _page([str(n)], LINK + "tail")) for n in range(2)),
        lambda request: respond(200, _page(["tail"], None)),
        respond(200, _page(["2"], None)),
    )

    def parse(body: bytes) -> tuple[list[str], str | None]:
        data = json.loads(body)
        ids = [vm["instanceId"] for vm in data["value"]]
        return ids, None if ids == ["2"] else LINK + str(int(ids[0]) + 1)

    pipeline = scripted_client(transport).pipeline
    paged = AsyncPaged(
        pipeline, FIRST, parse, api_version="2024-07-01", operation="t", resource="r"
    )
    assert [i async for i in paged] == ["0", "1", "2"]
    assert [r.url for r in transport.requests] == [FIRST, LINK + "1", LINK + "tail", LINK + "2"]


async def test_no_read_ahead_to_another_origin() -> None:
    elsewhere = "https://elsewhere.example/list?api-version=2024-07-01&p=3"
    transport = _pages(2)
    transport.script[1] = respond(200, _page(["2", "3"], elsewhere))
    paged = scripted_client(transport).scale_set_vms.list("rg", "web")
    seen: list[str] = []
    with pytest.raises(UntrustedUrlError) as info:
        async for vm in paged:
            seen.append(vm.instance_id)
    assert seen == ["0", "1", "2", "3"]  # the pages before it are handed out first
    assert info.value.origin == "https://elsewhere.example:443"
    assert [r.url.startswith(BASE) for r in transport.requests] == [True, True]


class _Held:
    """A transport whose third request hangs until cancelled, so a read-ahead is in flight."""

    def __init__(self) -> None:
        self.inner = _pages(3)
        self.cancelled = asyncio.Event()

    async def send(self, request: HttpRequest) -> HttpResponse:
        if len(self.inner.requests) == 2:
            self.inner.requests.append(request)
            try:
                await asyncio.Event().wait()
            finally:
                self.cancelled.set()
        return await self.inner.send(request)

    async def aclose(self) -> None:
        """Nothing to release."""


async def test_stopping_early_cancels_the_request_in_flight() -> None:
    transport = _Held()
    client = ComputeClient(StaticTokenCredential("t"), "sub", transport=transport)
    async with aclosing(client.scale_set_vms.list("rg", "web").by_page()) as pages:
        async for page in pages:
            if page[0].instance_id == "2":
                break
    await asyncio.wait_for(transport.cancelled.wait(), 5)
    assert len(transport.inner.requests) == 3
    assert {t for t in asyncio.all_tasks() if t is not asyncio.current_task()} == set()


async def test_read_ahead_over_real_http_stops_cleanly_mid_flight() -> None:
    held = asyncio.Event()
    release = asyncio.Event()
    hits: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        token = request.query.get("$skiptoken", "0")
        hits.append(token)
        if token == "2":
            held.set()
            await release.wait()  # page 3, read ahead, is in flight when the caller stops
        following = request.url.with_query(
            {"api-version": "2024-07-01", "$skiptoken": int(token) + 1}
        )
        return web.json_response(_page([token], str(following)))

    app = web.Application()
    app.router.add_get(LIST, handler)
    async with (
        serve_app(app) as base,
        ComputeClient(StaticTokenCredential("t"), "sub", base_url=base) as client,
    ):
        pages = client.scale_set_vms.list("rg", "web").by_page()
        async with aclosing(pages):
            async for page in pages:
                if page[0].instance_id == "1":
                    await asyncio.wait_for(held.wait(), 5)
                    break
        release.set()
    assert hits == ["0", "1", "2"]
