"""What the served fake refuses, over real HTTP (raw sockets, every header spelled out).

A web page the developer opens can send the fake "simple" cross-origin requests and <form>
POSTs, and, through DNS rebinding, same-origin requests under a name it controls. Each case
here is refused, and the fake's state stays as it was.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from wire_support import SUB, Reply, scale_set_body

from fakevmss import FakeCompute, VirtualClock

VMSS = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
API = "api-version=2024-07-01"
EVIL = "http://evil.example"


@dataclass
class Served:
    """A FakeCompute served on 127.0.0.1 and what a raw client needs to reach it."""

    fake: FakeCompute
    port: int

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def send(self, raw: bytes) -> Reply:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(raw)
            await writer.drain()
            answer = await reader.read()
        finally:
            writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        return Reply(int(status_line.split()[1]), headers, body)

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        version: str = "1.1",
        host: str | None = "",
    ) -> Reply:
        """One request on its own connection; ``host=None`` sends no Host header."""
        lines = [f"{method} {path} HTTP/{version}"]
        if host is not None:
            lines.append(f"Host: {host or self.host}")
        all_headers = {"Connection": "close", **(headers or {})}
        if body or method in ("POST", "PUT", "PATCH"):
            all_headers["Content-Length"] = str(len(body))
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        return await self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def state(self) -> Any:
        snapshot = self.fake.snapshot()
        snapshot.pop("requests")
        return (snapshot, len(self.fake.faults), self.fake.clock.now())


async def serve(fake: FakeCompute, **app_options: Any) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(fake.aiohttp_app(**app_options), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, int(runner.addresses[0][1])


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    fake = FakeCompute(clock=VirtualClock(auto_advance=False), subscription_id=SUB, page_size=1)
    fake.create_scale_set("rg", "web", capacity=1)
    runner, port = await serve(fake)
    try:
        yield Served(fake, port)
    finally:
        await runner.cleanup()


JSON_LOOKING = json.dumps({"kind": "throttle", "times": None}).encode()


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/_fake/faults", "text/plain", JSON_LOOKING),
        ("/_fake/faults", "text/plain;charset=UTF-8", JSON_LOOKING),
        ("/_fake/reset", "application/x-www-form-urlencoded", b"confirm=yes"),
        ("/_fake/reset", "application/x-www-form-urlencoded", b""),  # a <form> with no fields
        ("/_fake/clock/advance", "multipart/form-data; boundary=b",
         b'--b\r\nContent-Disposition: form-data; name="seconds"\r\n\r\n600\r\n--b--\r\n'),
    ],
)  # fmt: skip
async def test_simple_requests_and_forms_are_refused(
    served: Served, path: str, content_type: str, body: bytes
) -> None:
    before = served.state()
    headers = {"Content-Type": content_type}
    cross_origin = await served.request(
        "POST", path, body=body, headers={**headers, "Origin": EVIL}
    )
    assert (cross_origin.status, cross_origin.code) == (403, "CrossOriginRequestRefused")
    # A browser that sent no Origin is still refused: no page can label a body JSON unasked.
    no_origin = await served.request("POST", path, body=body, headers=headers)
    assert (no_origin.status, no_origin.code) == (415, "UnsupportedMediaType")
    assert served.state() == before
    assert "access-control-allow-origin" not in cross_origin.headers | no_origin.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_fake/state"), ("GET", "/_fake/requests"), ("DELETE", "/_fake/faults"),
     ("OPTIONS", "/_fake/reset"), ("GET", f"{VMSS}?{API}"), ("GET", "/_fake/ui"),
     ("GET", "/_fake/ui/data")],
)  # fmt: skip
async def test_foreign_origins_can_neither_read_nor_preflight(
    served: Served, method: str, path: str
) -> None:
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    reply = await served.request(method, path, headers=headers)
    assert (reply.status, reply.code) == (403, "CrossOriginRequestRefused")
    assert "evil.example" in reply.json["error"]["message"]
    assert not any(name.startswith("access-control-") for name in reply.headers)


async def test_dns_rebinding_host_is_refused(served: Served) -> None:
    """A page on a rebound name is same-origin to the browser: only the Host tells."""
    before = served.state()
    rebound = f"evil.example:{served.port}"
    json_headers = {"Content-Type": "application/json", "Authorization": "Bearer t"}
    attempts = [
        await served.request("GET", "/_fake/state", host=rebound),
        await served.request("GET", "/_fake/ui", host=rebound),
        await served.request("GET", "/_fake/ui/data", host=rebound),
        await served.request("POST", "/_fake/reset", host=rebound, headers=json_headers),
        await served.request(
            "PUT", f"{VMSS}/evil?{API}", host=rebound, headers=json_headers,
            body=json.dumps(scale_set_body(1)).encode(),
        ),
    ]  # fmt: skip
    for reply in attempts:
        assert (reply.status, reply.code) == (421, "HostNotAllowed")
        assert repr(rebound) in reply.json["error"]["message"]
        assert reply.headers["x-ms-request-id"]
    assert served.state() == before
    assert served.fake.requests == []  # nothing reached the fake


async def test_own_origin_and_loopback_names_are_served(served: Served) -> None:
    for page in ("/_fake/ui", "/_fake/ui/data"):
        assert (await served.request("GET", page)).status == 200
    body = json.dumps({"seconds": 60}).encode()
    headers = {"Content-Type": "application/json", "Origin": f"http://{served.host}"}
    reply = await served.request("POST", "/_fake/clock/advance", body=body, headers=headers)
    assert (reply.status, reply.json["now"]) == (200, 60.0)
    local = f"localhost:{served.port}"
    headers["Origin"] = f"http://{local}"
    reply = await served.request(
        "POST", "/_fake/clock/advance", body=body, headers=headers, host=local
    )
    assert (reply.status, reply.json["now"]) == (200, 120.0)
    reply = await served.request("POST", "/_fake/reset")  # no body at all, as curl -X POST sends
    assert reply.status == 200


async def test_allowed_hosts_are_served_and_named_in_urls() -> None:
    fake = FakeCompute(subscription_id=SUB)
    runner, port = await serve(fake, allowed_hosts=["Fake.Internal", "localhost:9000"])
    try:
        target = Served(fake, port)
        allowed = await target.request("GET", "/_fake/clock", host=f"fake.internal:{port}")
        assert allowed.status == 200
        other_port = await target.request("GET", "/_fake/clock", host="fake.internal:1")
        assert other_port.status == 421
        reply = await target.request(
            "PUT", f"{VMSS}/web?{API}", host="localhost:9000",
            headers={"Content-Type": "application/json", "Authorization": "Bearer t"},
            body=json.dumps(scale_set_body(1)).encode(),
        )  # fmt: skip
        assert reply.status == 201
        assert reply.headers["azure-asyncoperation"].startswith("http://localhost:9000/")
    finally:
        await runner.cleanup()


def test_bad_allowed_hosts_fail_when_the_app_is_built() -> None:
    with pytest.raises(ValueError, match="no wildcards"):
        FakeCompute().aiohttp_app(allowed_hosts=["*"])


async def test_http_11_without_host_is_400(served: Served) -> None:
    # aiohttp's own parser refuses it first on recent versions; the guard covers older ones.
    reply = await served.request("GET", "/_fake/state", host=None)
    assert reply.status == 400
    assert b"Host" in reply.raw


async def test_http_10_without_host_gets_urls_with_the_bound_host_and_port(served: Served) -> None:
    base = f"http://127.0.0.1:{served.port}/"
    headers = {"Content-Type": "application/json", "Authorization": "Bearer t"}
    body = json.dumps(scale_set_body(1)).encode()
    created = await served.request(
        "PUT", f"{VMSS}/api?{API}", body=body, headers=headers, version="1.0", host=None
    )
    assert created.status == 201
    assert created.headers["azure-asyncoperation"].startswith(base)
    deleted = await served.request(
        "DELETE", f"{VMSS}/api?{API}", headers=headers, version="1.0", host=None
    )
    assert deleted.status == 202
    assert deleted.headers["location"].startswith(base)
    listed = await served.request("GET", f"{VMSS}?{API}", headers=headers, version="1.0", host=None)
    assert listed.json["nextLink"].startswith(base)  # page_size=1, two scale sets


class Counted(logging.Handler):
    """Sets an event once ``wanted`` records arrived (the server logs from its own task)."""

    def __init__(self, wanted: int) -> None:
        super().__init__()
        self.wanted = wanted
        self.seen = 0
        self.done = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen += 1
        if self.seen >= self.wanted:
            self.done.set()


async def test_a_malformed_request_logs_one_line_without_a_traceback(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="fakevmss.server")
    counted = Counted(2)
    logging.getLogger("fakevmss.server").addHandler(counted)
    try:
        bad_header = f"GET /_fake/state HTTP/1.1\r\nHost: {served.host}\r\nNot A Header\r\n\r\n"
        reply = await served.send(bad_header.encode())
        assert reply.status == 400
        # A body cut short by a client that goes away is malformed too.
        _, writer = await asyncio.open_connection("127.0.0.1", served.port)
        head = f"PUT {VMSS}/x?{API} HTTP/1.1\r\nHost: {served.host}\r\nContent-Length: 99\r\n\r\n{{"
        writer.write(head.encode())
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await asyncio.wait_for(counted.done.wait(), 60)  # a hang guard only
    finally:
        logging.getLogger("fakevmss.server").removeHandler(counted)
    records = [r for r in caplog.records if r.name == "fakevmss.server"]
    assert len(records) == 2, [r.getMessage() for r in records]
    for record in records:
        assert record.exc_info is None and record.exc_text is None
        assert "\n" not in record.getMessage()
        assert record.levelno == logging.WARNING
    assert "Not A Header" in records[0].getMessage()
    assert "Traceback" not in caplog.text
    assert served.fake.requests == []


async def test_path_regex_over_http_is_linear_time_or_refused(served: Served) -> None:
    headers = {"Content-Type": "application/json", "Authorization": "Bearer t"}

    async def add(spec: dict[str, Any]) -> Reply:
        return await served.request(
            "POST", "/_fake/faults", body=json.dumps(spec).encode(), headers=headers
        )

    spec = {"kind": "http_error", "status": 503, "code": "Busy", "path_regex": "(a+)+$"}
    assert (await add({**spec, "times": None})).status == 201
    hit = await served.request("GET", f"{VMSS}/{'a' * 60}?{API}", headers=headers)
    assert (hit.status, hit.code) == (503, "Busy")
    long_miss = await served.request("GET", f"{VMSS}/{'a' * 4000}b?{API}", headers=headers)
    assert long_miss.status == 400  # the name is too long: the fault did not match
    unrelated = await served.request("GET", f"{VMSS}/web?{API}", headers=headers)
    assert unrelated.status == 200
    for pattern, names in [("(?=a)", "'(?' group"), (r"(a)\1", "escape"), ("a" * 300, "longer")]:
        refused = await add({**spec, "path_regex": pattern})
        assert (refused.status, refused.code) == (400, "InvalidParameter")
        assert refused.json["error"]["target"] == "path_regex"
        assert names in refused.json["error"]["message"]
