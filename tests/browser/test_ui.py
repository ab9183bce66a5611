"""The fake's page in the system's headless Chromium: a Resilient delete with faults, live.

One page load over real HTTP on loopback, a virtual clock moved by the test and then by the
page's own button. Skips only when no Chromium (or Playwright) is installed; ``.ci/run``
installs the system's ``chromium``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest

from fakevmss import FakeCompute, VirtualClock

pytestmark = pytest.mark.browser

TOOL_PATH = Path(__file__).resolve().parents[2] / "tools" / "ui_screenshot.py"
HOSTILE = "<img src=x onerror=alert(1)>"
CODE = "InternalExecutionError"
AUTH = {"Authorization": "Bearer test-token"}
API = "api-version=2024-07-01"


def load_tool() -> ModuleType:
    """``tools/ui_screenshot.py``: its browser helpers (the folder is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("ui_screenshot", TOOL_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return load_tool()


@pytest.fixture
def chromium(tool: ModuleType) -> str:
    pytest.importorskip("playwright", reason="playwright is not installed (the test extra)")
    path = tool.find_chromium()
    if path is None:
        pytest.skip("no Chromium found: apt-get install chromium (or set FAKEVMSS_CHROMIUM)")
    return str(path)


def vm_url(base: str, fake: FakeCompute, scale_set: str, instance_id: str = "") -> str:
    path = (
        f"{base}/subscriptions/{fake.subscription_id}/resourceGroups/rg/providers"
        f"/Microsoft.Compute/virtualMachineScaleSets/{scale_set}"
    )
    return f"{path}/virtualMachines/{instance_id}?{API}" if instance_id else f"{path}?{API}"


def scenario() -> FakeCompute:
    """Scale set ``web`` (3 VMs) and one named and tagged with HTML; VM 1's delete fails twice."""
    fake = FakeCompute(clock=VirtualClock(auto_advance=False), seed=3)
    fake.create_scale_set("rg", "web", capacity=3)
    fake.create_scale_set("rg", HOSTILE, capacity=1, tags={"owner": f"{HOSTILE}\"'&"})
    fake.clock.advance(120)
    fake.faults.fail_delete(CODE, scale_set="web", instances=["1"], attempts=2)
    return fake


def watch(page: Any) -> list[str]:
    """Collect what must never happen: dialogs (a script ran), script errors, CSP refusals."""
    trouble: list[str] = []

    async def on_dialog(dialog: Any) -> None:
        trouble.append(f"dialog: {dialog.message}")
        await dialog.dismiss()

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or message.type == "error":
            trouble.append(f"console: {message.text}")

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: trouble.append(f"page error: {error}"))
    return trouble


async def clock_shows(page: Any, label: str) -> None:
    # Locator waits, not wait_for_function: the page's CSP forbids the eval that one needs.
    from playwright.async_api import expect

    await expect(page.locator("#clock-now")).to_have_text(label)


async def texts(page: Any, selector: str, script: str = "n => n.textContent") -> list[Any]:
    return list(await page.eval_on_selector_all(selector, f"nodes => nodes.map({script})"))


async def check_lanes(page: Any) -> None:
    """VM rows, VM 1's attempt bars with their codes and outcomes, its retry rounds."""
    keys = await texts(page, "#vm-rows .vm-row", "r => r.dataset.key")
    assert keys == ["rg/web/0", "rg/web/1", "rg/web/2", f"rg/{HOSTILE}/0"]
    bars = await texts(
        page,
        '.vm-row[data-key="rg/web/1"] .bar[data-kind="delete"]',
        "b => [b.dataset.attempt, b.dataset.outcome, b.dataset.code || null]",
    )
    assert bars == [["1", "failed", CODE], ["2", "failed", CODE], ["3", "succeeded", None]]
    rounds = page.locator('.vm-row[data-key="rg/web/1"] .mark.kind-round')
    assert await rounds.count() == 2  # retry 1 at once, retry 2 ten minutes later
    assert await page.locator(".code-label", has_text=CODE).count() >= 1
    deletion = page.locator('.vm-row[data-key="rg/web/1"] .vm-deletion')
    assert await deletion.text_content() == "Deleted"


async def check_request_log(page: Any, fake: FakeCompute) -> None:
    """Newest first, with time, method, path, status, api-version; the filter narrows it."""
    from playwright.async_api import expect

    log = await texts(page, "#requests tbody tr", "r => Array.from(r.cells, c => c.textContent)")
    path = vm_url("", fake, "web").split("?")[0]
    assert log == [
        ["+00:02:00", "GET", path, "200", "2024-07-01"],
        ["+00:02:00", "DELETE", f"{path}/virtualMachines/1", "202", "2024-07-01"],
    ]
    await page.fill("#request-filter", "delete")
    await expect(page.locator("#requests tbody tr")).to_have_count(1)


async def check_escaping(page: Any) -> None:
    """Names, tags and menu options with HTML in them are text, never markup."""
    assert f"{HOSTILE}_0" in await texts(page, "#vm-rows .vm-name")
    tags = await page.text_content(f'#scale-sets tr[data-key="rg/{HOSTILE}"]')
    assert f"owner={HOSTILE}\"'&" in (tags or "")
    assert f"rg/{HOSTILE}" in await texts(page, "#vm-scale-set option")
    assert await page.locator("img").count() == 0


async def test_page_follows_a_resilient_delete_live(
    chromium: str, tool: ModuleType, tmp_path: Path
) -> None:
    fake = scenario()
    shot = tmp_path / "fake-ui.png"
    async with tool.served(fake) as base, aiohttp.ClientSession() as http:
        async with http.delete(vm_url(base, fake, "web", "1"), headers=AUTH) as response:
            assert response.status == 202  # Resilient delete of VM 1 starts: attempt 1 runs
        async with http.get(vm_url(base, fake, "web"), headers=AUTH) as response:
            assert response.status == 200
        async with tool.browser_page(chromium, tmp_path / "profile") as page:
            trouble = watch(page)
            await page.goto(f"{base}/_fake/ui")
            await clock_shows(page, "+00:02:00")
            await page.wait_for_selector('.vm-row[data-key="rg/web/1"] .bar.outcome-running')

            # The clock moves in Python; the page catches up by polling, without a reload.
            fake.clock.advance(60)
            await clock_shows(page, "+00:03:00")
            await page.wait_for_selector(f'.vm-row[data-key="rg/web/1"] .bar[data-code="{CODE}"]')

            # The page's button advances the clock through the JSON control API.
            await page.fill("#advance-seconds", "1200")
            await page.click("#advance-button")
            await clock_shows(page, "+00:23:00")
            await page.wait_for_selector('.vm-row[data-key="rg/web/1"][data-state="Deleted"]')

            await check_lanes(page)
            await check_escaping(page)
            await check_request_log(page, fake)
            await page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
    assert shot.stat().st_size > 0
    assert trouble == []
    assert len(fake.requests) == 2  # the page itself never reaches the ARM API (no favicon)
