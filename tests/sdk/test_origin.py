"""The origin rule: the bearer token never follows a URL off base_url (or trusted_origins)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from sdk_support import ManualClock, ScriptedTransport, respond, serve_app

from aiovmss import AsyncLROPoller, ComputeClient, StaticTokenCredential
from aiovmss._origin import AllowedOrigins, check_url, parse_origin, refusal
from aiovmss.errors import PagingError, UntrustedUrlError

BASE = "https://management.azure.com"
ALLOWED = AllowedOrigins.of(BASE)
TOKEN = "canary-bearer-token"
VMS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"


# --- the decision, pure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/x?api-version=1",
        "https://MANAGEMENT.Azure.com/x",
        "HTTPS://management.azure.com:443/x#fragment",
        BASE,
        f"{BASE}?x=1",
        "https://management.azure.com/caf\u00e9",  # printable non-ASCII: yarl encodes it
    ],
)
def test_the_base_origin_is_allowed_however_spelled(url: str) -> None:
    assert refusal(url, ALLOWED) is None
    assert check_url(url, ALLOWED, what="nextLink", operation="op", resource="res") == url


@pytest.mark.parametrize(
    ("url", "origin", "reason"),
    [
        ("https://management.azure.com:444/x", "https://management.azure.com:444", "not the"),
        ("https://evil.example/x?t=1", "https://evil.example:443", "not the"),
        (
            "https://management.azure.com.evil.example/",
            "https://management.azure.com.evil.example:443",
            "not the",
        ),
        (
            "https://management.azure.com@evil.example/x",
            "https://evil.example:443",
            "user information",
        ),
        (
            "https://user:pw@management.azure.com/x",
            "https://management.azure.com:443",
            "user information",
        ),
        ("http://management.azure.com/x", "http://management.azure.com:80", "downgrade"),
        ("http://management.azure.com:443/x", "http://management.azure.com:443", "downgrade"),
        ("https://management.azure.com/x y", "https://management.azure.com:443", "whitespace"),
        (
            "https://management.azure.com/x\r\nHost: evil",
            "https://management.azure.com:443",
            "control",
        ),
        ("https://management.azure.com/\u2028", "https://management.azure.com:443", "control"),
        ("https://management.azure.com\\@evil.example/", "https://evil.example:443", "backslash"),
        ("/relative/path", "an unparseable URL", "not an absolute"),
        ("//evil.example/x", "an unparseable URL", "not an absolute"),
        ("javascript:alert(1)", "an unparseable URL", "not an absolute"),
        ("file:///etc/passwd", "an unparseable URL", "not an absolute"),
        ("ftp://management.azure.com/x", "ftp://management.azure.com:0", "not an absolute"),
        ("https://management.azure.com:99999/x", "an unparseable URL", "invalid port"),
        ("https://[::1/x", "an unparseable URL", "not a parseable URL"),
        ("", "an unparseable URL", "not an absolute"),
    ],
)
def test_other_origins_and_malformed_urls_are_refused(url: str, origin: str, reason: str) -> None:
    refused = refusal(url, ALLOWED)
    assert refused is not None and refused[0] == origin and reason in refused[1]
    with pytest.raises(UntrustedUrlError) as info:
        check_url(url, ALLOWED, what="nextLink", operation="scale_sets.list", resource="rg")
    error = info.value
    assert isinstance(error, ValueError)  # as bad continuation tokens always were
    assert (error.origin, error.operation, error.resource) == (origin, "scale_sets.list", "rg")
    assert error.message.startswith(f"scale_sets.list rg: the nextLink URL leads to {origin} (")
    assert "https://management.azure.com:443" in error.message  # where the token may go
    for secret in ("/x", "t=1", "pw", "etc/passwd", "Host: evil"):
        assert secret not in error.message


def test_a_loopback_base_allows_only_its_own_port_and_host() -> None:
    allowed = AllowedOrigins.of("http://127.0.0.1:8080")
    assert refusal("http://127.0.0.1:8080/x", allowed) is None
    for url in ("http://127.0.0.1:8081/x", "http://127.0.0.2:8080/x", "http://localhost:8080/x"):
        assert refusal(url, allowed) is not None
    assert refusal("https://127.0.0.1:8080/x", allowed) is not None  # another origin too
    ipv6 = AllowedOrigins.of("http://[::1]:9000")
    assert refusal("http://[::1]:9000/x", ipv6) is None
    assert ipv6.names() == ("http://[::1]:9000",)


def test_trusted_origins_are_https_only_and_checked_at_construction() -> None:
    allowed = AllowedOrigins.of(BASE, ["https://proxy.example:443", "https://arm.example:8443/"])
    assert refusal("https://proxy.example/x", allowed) is None
    assert refusal("https://arm.example:8443/x", allowed) is None
    assert refusal("https://arm.example/x", allowed) is not None  # another port
    assert refusal("http://proxy.example/x", allowed) is not None  # never http
    assert allowed.names() == (
        "https://management.azure.com:443",
        "https://arm.example:8443",
        "https://proxy.example:443",
    )
    cases: list[tuple[Any, type[Exception], str]] = [
        (["http://proxy.example"], ValueError, "must be https"),
        (["https://proxy.example/path"], ValueError, "scheme://host"),
        (["https://proxy.example?q=1"], ValueError, "scheme://host"),
        (["https://user@proxy.example"], ValueError, "user information"),
        (["proxy.example"], ValueError, "not an absolute"),
        ("https://proxy.example", TypeError, "not a single string"),
        ([b"https://proxy.example"], TypeError, "must hold str"),
    ]
    for trusted, error, match in cases:
        with pytest.raises(error, match=match):
            ComputeClient(StaticTokenCredential("t"), "sub", trusted_origins=trusted)


def test_a_base_url_with_user_information_is_refused() -> None:
    with pytest.raises(ValueError, match="base_url has no usable origin: user information"):
        ComputeClient(
            StaticTokenCredential("t"), "sub", base_url="https://u:p@management.azure.com"
        )


_hosts = st.sampled_from(["management.azure.com", "MANAGEMENT.azure.com", "evil.example", ""])
_ports = st.sampled_from(["", ":443", ":80", ":444", ":x"])
_users = st.sampled_from(["", "user@", "u:p@", "@"])
_paths = st.text(alphabet=st.sampled_from("/?#@:\\ %\r\nab\u2028é"), max_size=12)


@given(st.sampled_from(["https", "http", "HTTPS", "ftp", ""]), _users, _hosts, _ports, _paths)
def test_the_fast_path_and_the_full_rule_always_agree(
    scheme: str, user: str, host: str, port: str, path: str
) -> None:
    url = f"{scheme}://{user}{host}{port}/{path}"
    try:
        check_url(url, ALLOWED, what="nextLink", operation="op", resource="res")
        accepted = True
    except UntrustedUrlError:
        accepted = False
    assert accepted == (refusal(url, ALLOWED) is None)
    if accepted:
        assert parse_origin(url) == ("https", "management.azure.com", 443)


# --- https -> http, and trusted origins, through a recording transport -------------------------


def _scripted(transport: ScriptedTransport, **kwargs: Any) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential(TOKEN), "sub", transport=transport, clock=ManualClock(), **kwargs
    )


def _vm_page(instance: str, next_link: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {"value": [{"instanceId": instance}]}
    if next_link:
        page["nextLink"] = next_link
    return page


DOWNGRADE = f"http://management.azure.com{VMS}/web/virtualMachines?api-version=2024-07-01&p=2"


async def test_a_next_link_downgrading_to_http_is_refused() -> None:
    transport = ScriptedTransport(respond(200, _vm_page("0", DOWNGRADE)))
    seen = []
    with pytest.raises(UntrustedUrlError, match="downgrade") as info:
        async for vm in _scripted(transport).scale_set_vms.list("rg", "web"):
            seen.append(vm.instance_id)
    assert seen == ["0"] and info.value.origin == "http://management.azure.com:80"
    assert [r.url.split(":")[0] for r in transport.requests] == ["https"]


@pytest.mark.parametrize("header", ["Azure-AsyncOperation", "Location"])
async def test_a_polling_url_downgrading_to_http_is_refused(header: str) -> None:
    url = "http://management.azure.com/subscriptions/sub/providers/x/operations/1"
    transport = ScriptedTransport(respond(202, None, {header: url}))
    with pytest.raises(UntrustedUrlError, match=f"the {header} URL leads to .*downgrade"):
        await _scripted(transport).scale_sets.begin_delete("rg", "web")
    assert len(transport.requests) == 1  # the DELETE itself, never a poll


async def test_a_token_downgrading_to_http_is_refused() -> None:
    transport = ScriptedTransport()
    token = _token(async_url="http://management.azure.com/operations/1")
    with pytest.raises(UntrustedUrlError, match="continuation token's Azure-AsyncOperation"):
        AsyncLROPoller.from_continuation_token(_scripted(transport), token)
    assert transport.requests == []


def _token(**changes: Any) -> str:
    data: dict[str, Any] = {
        "api_version": "2024-07-01",
        "async_url": f"{BASE}/operations/1",
        "location_url": None,
        "method": "DELETE",
        "operation": "scale_sets.begin_delete",
        "resource": "rg/web",
        "resource_url": f"{BASE}{VMS}/web?api-version=2024-07-01",
        "result_type": None,
        "strategy": "azure-async-operation",
        "version": 1,
    }
    data.update(changes)
    return json.dumps(data)


async def test_trusted_origins_let_a_listed_https_origin_through() -> None:
    proxy = "https://arm-proxy.example"
    transport = ScriptedTransport(
        respond(200, _vm_page("0", f"{proxy}{VMS}/web/virtualMachines?p=2")),
        respond(200, _vm_page("1", None)),
        respond(202, None, {"Azure-AsyncOperation": f"{proxy}/operations/1"}),
        respond(200, {"status": "Succeeded"}),
    )
    client = _scripted(transport, trusted_origins=[proxy])
    assert [vm.instance_id async for vm in client.scale_set_vms.list("rg", "web")] == ["0", "1"]
    poller = await client.scale_sets.begin_delete("rg", "web")
    await poller.result()
    proxied = [r for r in transport.requests if r.url.startswith(proxy)]
    assert [r.method for r in proxied] == ["GET", "GET"]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in proxied)
    resumed = AsyncLROPoller.from_continuation_token(client, _token(async_url=f"{proxy}/op"))
    assert resumed.status() == "InProgress"


async def test_a_relative_location_is_resolved_against_the_request() -> None:
    transport = ScriptedTransport(
        respond(202, None, {"Location": "/subscriptions/sub/operations/1?monitor=true"}),
        respond(200, None),
    )
    poller = await _scripted(transport).scale_sets.begin_delete("rg", "web")
    await poller.result()
    assert transport.requests[1].url == f"{BASE}/subscriptions/sub/operations/1?monitor=true"


async def test_the_pipeline_never_sends_the_token_off_its_origins() -> None:
    transport = ScriptedTransport()
    client = _scripted(transport)
    with pytest.raises(UntrustedUrlError, match=r"^GET: the request URL leads to"):
        await client.pipeline.send("GET", "https://evil.example/x", operation="o", resource="r")
    assert transport.requests == []


# --- hostile loopback servers: on a second port, and on 127.0.0.2 ------------------------------

PLAN = web.AppKey("plan", dict[str, Any])
RECORD = web.AppKey("record", list[tuple[str, str, str | None]])


@dataclass
class Servers:
    """The legitimate server, what it will send, and each attacker's record of requests."""

    legit: str
    plan: dict[str, Any]
    attackers: dict[str, str]
    records: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)


async def legit_list(request: web.Request) -> web.Response:
    plan = request.app[PLAN]
    page = int(request.query.get("page", "1"))
    next_link = plan["next"].get(page)
    if next_link is None and page < 3:
        next_link = f"{request.url.with_query({'api-version': '2024-07-01', 'page': page + 1})}"
    return web.json_response(_vm_page(str(page), next_link))


async def legit_delete(request: web.Request) -> web.Response:
    return web.Response(status=202, headers=request.app[PLAN]["lro"])


async def attacker(request: web.Request) -> web.Response:
    request.app[RECORD].append((request.method, request.path, request.headers.get("Authorization")))
    return web.json_response({"value": [], "status": "Succeeded"})


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    legit = web.Application()
    legit[PLAN] = {"next": {}, "lro": {}}
    legit.router.add_get("/{tail:.*}", legit_list)
    legit.router.add_delete("/{tail:.*}", legit_delete)
    apps = {"second-port": web.Application(), "127.0.0.2": web.Application()}
    for app in apps.values():
        app[RECORD] = []
        app.router.add_route("*", "/{tail:.*}", attacker)
    async with (
        serve_app(legit) as legit_url,
        serve_app(apps["second-port"]) as second,
        serve_app(apps["127.0.0.2"], host="127.0.0.2") as other_host,
    ):
        yield Servers(
            legit_url,
            legit[PLAN],
            {"second-port": second, "127.0.0.2": other_host},
            {name: app[RECORD] for name, app in apps.items()},
        )


def _client(servers: Servers) -> ComputeClient:
    # The loop's clock: a real network under a manual clock would time out at once.
    return ComputeClient(StaticTokenCredential(TOKEN), "sub", base_url=servers.legit)


def _no_request_reached(servers: Servers) -> None:
    for name, record in servers.records.items():
        assert record == [], f"{name} received {record}"


ATTACKERS = ["second-port", "127.0.0.2"]


@pytest.mark.parametrize("read_ahead", [True, False])
@pytest.mark.parametrize("page", [1, 3])
@pytest.mark.parametrize("who", ATTACKERS)
async def test_a_hostile_next_link_gets_no_request(
    servers: Servers, who: str, page: int, read_ahead: bool
) -> None:
    target = servers.attackers[who]
    servers.plan["next"][page] = f"{target}/steal?api-version=2024-07-01&page={page + 1}"
    async with _client(servers) as client:
        paged = client.scale_set_vms.list("rg", "web")
        if not read_ahead:
            paged = paged.without_read_ahead()
        seen = []
        with pytest.raises(UntrustedUrlError) as info:
            async for vm in paged:
                seen.append(vm.instance_id)
                _no_request_reached(servers)  # not even read ahead while the caller works
    assert seen == [str(n) for n in range(1, page + 1)]  # every legitimate page first
    assert info.value.origin == target + ("" if target.count(":") == 2 else ":80")
    assert "steal" not in str(info.value) and TOKEN not in str(info.value)
    _no_request_reached(servers)


@pytest.mark.parametrize("header", ["Azure-AsyncOperation", "Location"])
@pytest.mark.parametrize("who", ATTACKERS)
async def test_a_hostile_polling_url_gets_no_request(
    servers: Servers, who: str, header: str
) -> None:
    servers.plan["lro"] = {header: f"{servers.attackers[who]}/operations/1?monitor=true"}
    async with _client(servers) as client:
        with pytest.raises(UntrustedUrlError, match=f"the {header} URL leads to") as info:
            await client.scale_sets.begin_delete("rg", "web")
    assert info.value.origin == servers.attackers[who]
    _no_request_reached(servers)


@pytest.mark.parametrize("key", ["async_url", "location_url", "resource_url"])
@pytest.mark.parametrize("who", ATTACKERS)
async def test_a_hostile_continuation_token_gets_no_request(
    servers: Servers, who: str, key: str
) -> None:
    servers.plan["lro"] = {"Azure-AsyncOperation": f"{servers.legit}/operations/1"}
    async with _client(servers) as client:
        poller = await client.scale_sets.begin_delete("rg", "web")
        data = json.loads(poller.continuation_token())
        data[key] = f"{servers.attackers[who]}/operations/1"
        with pytest.raises(UntrustedUrlError, match="continuation token's") as info:
            AsyncLROPoller.from_continuation_token(client, json.dumps(data))
    assert info.value.origin == servers.attackers[who]
    _no_request_reached(servers)


async def test_a_next_link_back_to_the_first_page_is_a_paging_error(servers: Servers) -> None:
    first = f"{servers.legit}{VMS}/web/virtualMachines?api-version=2024-07-01"
    servers.plan["next"][2] = first + "#again"
    async with _client(servers) as client:
        with pytest.raises(PagingError, match="repeated a nextLink after 2 pages"):
            _ = [vm async for vm in client.scale_set_vms.list("rg", "web")]
    _no_request_reached(servers)
