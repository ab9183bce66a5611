"""Second hot-path round keeps behaviour: header construction, lazy response headers, paging."""

from __future__ import annotations

import asyncio
import copy
import gc
import gzip
import json
import pickle
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import ClassVar

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from sdk_support import ScriptedTransport, respond, scripted_client, serve_app

from aiovmss._paging import AsyncPaged, HandOverParser, model_page_parser
from aiovmss.errors import ResponseDecodeError, ServiceResponseError
from aiovmss.models import VirtualMachineScaleSetVMListResult
from aiovmss.transport import AiohttpTransport, Headers, HttpRequest, HttpResponse


class CountingMapping(Mapping[str, str]):
    """A read-only mapping that counts how often its pairs were read."""

    def __init__(self, pairs: dict[str, str]) -> None:
        self.pairs = pairs
        self.reads = 0

    def __getitem__(self, key: str) -> str:
        self.reads += 1
        return self.pairs[key]

    def __iter__(self) -> Iterator[str]:
        self.reads += 1
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


def multidict(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


# --- Headers construction ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"Accept": "application/json", "X-Id": "1"},
        [("Accept", "application/json"), ("X-Id", "1")],
        CountingMapping({"Accept": "application/json", "X-Id": "1"}),
        multidict(("Accept", "application/json"), ("X-Id", "1")),
    ],
    ids=["dict", "pairs", "mapping", "multidict"],
)
def test_headers_from_any_input_keep_spelling_and_ignore_case(data: object) -> None:
    headers = Headers(data)  # type: ignore[arg-type]
    assert list(headers) == ["Accept", "X-Id"]
    assert headers["accept"] == "application/json"
    assert headers["x-id"] == "1"
    assert "X-ID" in headers
    assert len(headers) == 2


def test_headers_later_duplicate_wins_in_first_position() -> None:
    headers = Headers([("A", "1"), ("B", "2"), ("a", "3")])
    assert list(headers.items()) == [("a", "3"), ("B", "2")]
    assert Headers() == {} and len(Headers(None)) == 0


# --- Headers.view --------------------------------------------------------------------------------


def test_view_copies_nothing_until_read() -> None:
    source = CountingMapping({"Content-Type": "application/json", "X-Ms-Request-Id": "r-1"})
    headers = Headers.view(source)
    assert isinstance(headers, Headers)
    assert source.reads == 0
    assert headers["x-ms-request-id"] == "r-1"
    reads = source.reads
    assert reads > 0
    assert headers.get("content-type") == "application/json"
    assert "missing" not in headers
    assert source.reads == reads  # copied once, then served from the copy


def test_view_reads_like_headers_of_the_same_source() -> None:
    source = multidict(("Set-Cookie", "a=1"), ("X-Id", "1"), ("set-cookie", "b=2"))
    view, eager = Headers.view(source), Headers(source)
    assert dict(view.items()) == dict(eager.items())
    assert list(view) == list(eager)
    assert len(view) == len(eager) == 2
    assert repr(view) == repr(eager)
    assert "a=1" not in repr(view) and "b=2" not in repr(view)
    assert view == eager


def test_view_is_mutable_and_leaves_its_source_alone() -> None:
    source = multidict(("Content-Encoding", "gzip"), ("X-Id", "1"))
    headers = Headers.view(source)
    del headers["content-encoding"]
    headers["Retry-After"] = "5"
    assert dict(headers.items()) == {"X-Id": "1", "Retry-After": "5"}
    assert source["content-encoding"] == "gzip"
    assert "Retry-After" not in source


def test_view_copies_and_pickles_as_headers() -> None:
    headers = Headers.view(multidict(("X-Id", "1")))
    duplicate = headers.copy()
    assert type(duplicate) is Headers and duplicate == {"X-Id": "1"}
    assert copy.copy(headers) == {"X-Id": "1"}
    read_first = Headers.view({"X-Id": "2"})
    assert read_first["x-id"] == "2"
    assert pickle.loads(pickle.dumps(read_first)) == {"X-Id": "2"}


def test_view_raises_attribute_error_for_unknown_names() -> None:
    headers = Headers.view({"X-Id": "1"})
    with pytest.raises(AttributeError):
        _ = headers.nonexistent  # type: ignore[attr-defined]
    assert headers["x-id"] == "1"


def test_response_keeps_a_view_as_is() -> None:
    headers = Headers.view({"X-Id": "1"})
    response = HttpResponse(200, headers, b"{}")
    assert response.headers is headers


def test_view_as_request_headers_reaches_the_wire_form() -> None:
    request = HttpRequest("get", "https://example.invalid/x", Headers.view({"X-Id": "1"}))
    assert request.method == "GET"
    assert dict(request.headers.items()) == {"X-Id": "1"}


# --- AiohttpTransport response headers over a loopback server -----------------------------------


async def plain(request: web.Request) -> web.Response:
    response = web.Response(body=b'{"ok": true}', content_type="application/json")
    response.headers.add("X-Ms-Request-Id", "srv-1")
    response.headers.add("X-Dup", "first")
    response.headers.add("X-Dup", "second")
    return response


async def zipped(request: web.Request) -> web.Response:
    return web.Response(
        body=gzip.compress(b'{"zipped": true}'),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )


async def drop_mid_body(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Length": "1000"})
    await response.prepare(request)
    await response.write(b'{"partial": ')
    assert request.transport is not None
    request.transport.close()
    return response


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/plain", plain)
    app.router.add_get("/gzip", zipped)
    app.router.add_get("/drop", drop_mid_body)
    async with serve_app(app) as url:
        yield url


async def test_aiohttp_response_headers_read_after_release(server: str) -> None:
    async with AiohttpTransport() as transport:
        first = await transport.send(HttpRequest("GET", f"{server}/plain"))
        second = await transport.send(HttpRequest("GET", f"{server}/plain"))  # same connection
    assert first.headers["x-ms-request-id"] == "srv-1"
    assert first.headers["x-dup"] == "second"  # as Headers(...) of the same pairs: last wins
    assert "content-type" in first.headers
    assert second.headers["X-MS-REQUEST-ID"] == "srv-1"
    assert first.json() == {"ok": True}


async def test_aiohttp_gzip_drops_the_encoding_header(server: str) -> None:
    async with AiohttpTransport() as transport:
        response = await transport.send(HttpRequest("GET", f"{server}/gzip"))
    assert response.json() == {"zipped": True}
    assert "Content-Encoding" not in response.headers
    assert response.headers["content-type"] == "application/json"


async def test_aiohttp_without_decompression_keeps_the_encoding(server: str) -> None:
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        response = await AiohttpTransport(session).send(HttpRequest("GET", f"{server}/gzip"))
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(response.body) == b'{"zipped": true}'


async def test_aiohttp_gives_the_connection_back_after_each_answer(server: str) -> None:
    # One connection in the pool: a response that kept it would block the next send forever.
    async with AiohttpTransport(connector_limit=1) as transport:
        for _ in range(3):
            response = await asyncio.wait_for(
                transport.send(HttpRequest("GET", f"{server}/plain")), timeout=30
            )
            assert response.status_code == 200
        dropped = transport.send(HttpRequest("GET", f"{server}/drop"))
        with pytest.raises(ServiceResponseError):
            await asyncio.wait_for(dropped, timeout=30)
        response = await asyncio.wait_for(
            transport.send(HttpRequest("GET", f"{server}/plain")), timeout=30
        )
        assert response.json() == {"ok": True}


# --- paging: the last page is let go inside the next page's GC pause ---------------------------

BASE = "https://management.azure.com/x"


class Item:
    """A page item that records whether the collector was on when it was freed."""

    freed_with_gc: ClassVar[list[bool]] = []

    def __init__(self, name: str) -> None:
        self.name = name

    def __del__(self) -> None:
        Item.freed_with_gc.append(gc.isenabled())


def parse_items(body: bytes) -> tuple[Sequence[Item], str | None]:
    data = json.loads(body)
    return [Item(name) for name in data["value"]], data.get("nextLink")


def item_pages(*pages: list[str]) -> ScriptedTransport:
    script = []
    for number, names in enumerate(pages, start=1):
        last = number == len(pages)
        body: dict[str, object] = {"value": names}
        if not last:
            body["nextLink"] = f"{BASE}?api-version=v&page={number + 1}"
        script.append(respond(200, body))
    return ScriptedTransport(*script)


def paged_items(transport: ScriptedTransport) -> AsyncPaged[Item]:
    client = scripted_client(transport)
    return AsyncPaged(
        client.pipeline,
        f"{BASE}?api-version=v",
        parse_items,
        api_version="v",
        operation="test.list",
        resource="x",
    )


@pytest.fixture
def gc_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    Item.freed_with_gc.clear()
    try:
        yield
    finally:
        Item.freed_with_gc.clear()
        if not was:
            gc.disable()


async def test_dropped_items_of_a_page_are_freed_inside_the_next_pause(gc_on: None) -> None:
    names = []
    async for item in paged_items(item_pages(["a", "b"], ["c", "d"], ["e"])):
        names.append(item.name)
        del item
        if names == ["a", "b", "c"]:
            # Page 1 went while page 2 was parsed: with the collector off.
            assert Item.freed_with_gc == [False, False]
    assert names == ["a", "b", "c", "d", "e"]
    assert gc.isenabled()


async def test_kept_items_and_pages_stay_whole(gc_on: None) -> None:
    kept = [item async for item in paged_items(item_pages(["a", "b"], ["c"]))]
    assert [item.name for item in kept] == ["a", "b", "c"]
    assert Item.freed_with_gc == []
    pages = [page async for page in paged_items(item_pages(["a", "b"], ["c"])).by_page()]
    assert [[item.name for item in page] for page in pages] == [["a", "b"], ["c"]]
    assert gc.isenabled()


async def test_hand_over_parser_clears_only_its_own_hold(gc_on: None) -> None:
    parse = HandOverParser(parse_items)
    page = [Item("held")]
    parse.handed.append(page)
    items, next_link = parse(b'{"value": ["new"]}')
    assert [item.name for item in items] == ["new"] and next_link is None
    assert parse.handed == [] and page[0].name == "held"
    assert parse.decodes == "parse_items"
    assert gc.isenabled()


async def test_hand_over_parser_restores_the_gc_after_a_bad_page(gc_on: None) -> None:
    parse = HandOverParser(model_page_parser(VirtualMachineScaleSetVMListResult))
    assert parse.decodes == "VirtualMachineScaleSetVMListResult"
    with pytest.raises(ValueError):
        parse(b"not json")
    assert gc.isenabled()


async def test_a_page_that_does_not_fit_names_the_page_model() -> None:
    transport = ScriptedTransport(respond(200, {"value": [{"properties": 5}]}))
    client = scripted_client(transport)
    with pytest.raises(ResponseDecodeError, match="VirtualMachineScaleSetVMListResult"):
        _ = [vm async for vm in client.scale_set_vms.list("rg", "web")]
