"""``/_fake/ui`` over HTTP: the page, its files, its data endpoint, and their safety headers."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import fakevmss
from fakevmss import FakeCompute, VirtualClock
from fakevmss.adapters._ui_routes import CONTENT_SECURITY_POLICY, static_file

ROOT = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"
SCALE_SETS = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute"
AUTH = {"Authorization": "Bearer t"}
DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
)


@pytest.fixture
def fake() -> FakeCompute:
    fake = FakeCompute(clock=VirtualClock(auto_advance=False))
    fake.create_scale_set("rg", "web", capacity=2)
    fake.clock.advance(100)
    return fake


@pytest.fixture
async def client(fake: FakeCompute) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(fake.aiohttp_app(), host="127.0.0.1")) as test_client:
        yield test_client


def assert_arm_error(body: Any, code: str, target: str | None = None) -> None:
    assert set(body) == {"error"} and body["error"]["code"] == code
    if target is not None:
        assert body["error"]["target"] == target


@pytest.mark.parametrize("path", ["/_fake/ui", "/_fake/ui/"])
async def test_page_is_served_with_a_strict_policy(client: Any, path: str) -> None:
    response = await client.get(path)
    assert response.status == 200
    assert response.content_type == "text/html"
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    for directive in DIRECTIVES:
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    page = await response.text()
    assert '<script src="/_fake/ui/app.js" defer></script>' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []  # no inline script
    assert "<style" not in page and "style=" not in page and " on" not in page.split("<body")[1]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/_fake/ui/app.js", "text/javascript"), ("/_fake/ui/app.css", "text/css")],
)
async def test_page_files_are_served_from_package_data(
    client: Any, path: str, content_type: str
) -> None:
    response = await client.get(path)
    assert response.status == 200 and response.content_type == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert await response.read() == static_file(path.rsplit("/", 1)[1])


def test_every_page_file_ships_in_the_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["fakevmss"]
    static = Path(fakevmss.__file__).parent / "_ui" / "static"
    names = sorted(path.name for path in static.iterdir())
    assert names == ["app.css", "app.js", "index.html"]
    for name in names:
        assert any(fnmatch.fnmatch(f"_ui/static/{name}", pattern) for pattern in patterns)


def test_script_never_parses_html_or_evaluates_strings() -> None:
    script = static_file("app.js").decode()
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                      "eval(", "new Function", "setAttribute(\"on", "javascript:"):  # fmt: skip
        assert forbidden not in script
    assert "textContent" in script


async def test_head_answers_without_a_body(client: Any) -> None:
    response = await client.head("/_fake/ui")
    assert response.status == 200 and await response.read() == b""


async def test_data_shows_state_and_requests_made_over_http(client: Any) -> None:
    path = f"{SCALE_SETS}/virtualMachineScaleSets/web/virtualMachines/1?api-version=2024-07-01"
    assert (await client.delete(path, headers=AUTH)).status == 202
    response = await client.get("/_fake/ui/data", params={"vm_limit": "1", "vm_offset": "1"})
    assert response.status == 200 and response.content_type == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    data = await response.json()
    assert set(data) == {"seed", "clock", "scale_sets", "faults", "vms", "requests"}
    (vm,) = data["vms"]["items"]
    assert vm["key"] == "rg/web/1" and vm["provisioning_state"] == "Deleting"
    assert data["vms"]["total"] == 2
    (logged,) = data["requests"]["items"]
    assert logged["method"] == "DELETE" and logged["status"] == 202
    assert logged["path"] == path.split("?")[0] and logged["api_version"] == "2024-07-01"


async def test_data_does_not_record_itself_in_the_request_log(client: Any, fake: Any) -> None:
    for _ in range(3):
        assert (await client.get("/_fake/ui/data")).status == 200
    assert (await client.get("/_fake/ui")).status == 200
    assert fake.requests == []


@pytest.mark.parametrize(
    ("query", "target"),
    [("vm_limit=0", "vm_limit"), ("req_limit=x", "req_limit"), ("who=1", "who"),
     ("vm_q=a&vm_q=b", "vm_q")],
)  # fmt: skip
async def test_bad_data_query_is_an_arm_400(client: Any, query: str, target: str) -> None:
    response = await client.get(f"/_fake/ui/data?{query}")
    assert response.status == 400
    assert_arm_error(await response.json(), "InvalidParameter", target)


@pytest.mark.parametrize("path", ["/_fake/ui", "/_fake/ui/data", "/_fake/ui/app.js"])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_page_routes_are_read_only(client: Any, path: str, method: str) -> None:
    response = await client.request(method, path, json={})
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert_arm_error(await response.json(), "MethodNotAllowed")


async def test_unknown_page_file_is_an_arm_404(client: Any) -> None:
    response = await client.get("/_fake/ui/secrets.txt")
    assert response.status == 404
    assert_arm_error(await response.json(), "ResourceNotFound")


async def test_control_api_still_works_next_to_the_page(client: Any, fake: Any) -> None:
    response = await client.post("/_fake/clock/advance", json={"seconds": 5})
    assert response.status == 200 and fake.clock.now() == 105
    data = await (await client.get("/_fake/ui/data")).json()
    assert data["clock"]["now_label"] == "+00:01:45"
