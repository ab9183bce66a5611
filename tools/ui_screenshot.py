"""Screenshot of the fake's page (``/_fake/ui``) for the docs, from a sample scenario.

Serves a fake on loopback, drives it with the aiovmss client over real HTTP (a Resilient
create with create faults, then a Resilient delete with delete faults, on a virtual clock),
opens the page in the system's headless Chromium through Playwright and saves the picture:

    python tools/ui_screenshot.py                      # writes docs/images/fake-ui.png
    python tools/ui_screenshot.py --out /tmp/ui.png

Needs ``pip install playwright`` (the ``test`` extra) and a Chromium from the system's packages
(``apt-get install chromium``); it never downloads a browser. ``tests/browser`` reuses the
helpers here (finding the browser, its flags, serving a fake).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from fakevmss import FakeCompute, VirtualClock

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "images" / "fake-ui.png"

#: Chromium flags: no sandbox (containers), no GPU, no network of the browser's own.
#: Playwright adds ``--headless`` (``headless=True``) and ``--user-data-dir`` (a fresh profile
#: directory we pass it); it refuses the latter in ``args``.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The system's Chromium: ``$FAKEVMSS_CHROMIUM``, one on ``PATH``, or ``/usr/bin/chromium``."""
    candidates = [os.environ.get("FAKEVMSS_CHROMIUM")]
    candidates += [shutil.which(name) for name in _NAMES]
    candidates.append("/usr/bin/chromium")
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@asynccontextmanager
async def served(fake: FakeCompute) -> AsyncIterator[str]:
    """Serve ``fake`` on a free loopback port; yield its base URL."""
    runner = web.AppRunner(fake.aiohttp_app(), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def browser_page(executable: str, profile: Path, width: int = 1400) -> AsyncIterator[Any]:
    """A Playwright page in headless ``executable`` with a fresh profile in ``profile``."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport={"width": width, "height": 900},
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            await context.close()


def scale_set_body(capacity: int, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A PUT body: a Uniform Linux scale set with both resilient policies on."""
    return {
        "location": "westus",
        "tags": tags or {},
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": capacity},
        "properties": {
            "orchestrationMode": "Uniform",
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "storageProfile": {"osDisk": {"osType": "Linux", "createOption": "FromImage"}}
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": True},
                "resilientVMDeletionPolicy": {"enabled": True},
            },
        },
    }


async def sample_scenario(fake: FakeCompute, base_url: str) -> None:
    """Resilient create and delete with faults, driven over HTTP by the aiovmss client.

    VM 2 of ``web`` times out twice before it is created; deleting VMs 1, 3 and 4 fails for
    VM 1 three times (deleted by the third retry round) and for VM 3 every time (its retries
    run at 10, 20, 40 and 80 minutes); the page is left mid-way, with VM 3 still retrying.
    """
    from aiovmss import ComputeClient, StaticTokenCredential

    fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", instances=["2"], attempts=2)
    fake.faults.fail_delete("InternalExecutionError", scale_set="web", instances=["1"], attempts=3)
    fake.faults.fail_delete("InternalExecutionError", scale_set="web", instances=["3"])
    credential = StaticTokenCredential("demo-token")
    async with ComputeClient(credential, fake.subscription_id, base_url=base_url) as client:
        await client.scale_sets.begin_create_or_update("demo-rg", "web", scale_set_body(5))
        tags = {"team": "<img src=x onerror=alert(1)>", "note": "\"quoted\" & 'single'"}
        await client.scale_sets.begin_create_or_update("demo-rg", "batch", scale_set_body(2, tags))
        fake.clock.advance(1500)
        _ = [vm.name async for vm in client.scale_set_vms.list("demo-rg", "web")]
        await client.scale_sets.begin_delete_instances("demo-rg", "web", ["1", "3", "4"])
        fake.clock.advance(3000)
        await client.scale_sets.get("demo-rg", "web")
        _ = [vm.name async for vm in client.scale_set_vms.list("demo-rg", "web")]


async def screenshot(out: Path, executable: str) -> None:
    """Run the sample scenario, open the page, save a full-page screenshot to ``out``."""
    fake = FakeCompute(clock=VirtualClock(auto_advance=False), seed=7)
    async with served(fake) as base_url:
        await sample_scenario(fake, base_url)
        with tempfile.TemporaryDirectory(prefix="fakevmss-ui-") as profile:
            async with browser_page(executable, Path(profile)) as page:
                await page.goto(f"{base_url}/_fake/ui")
                await page.wait_for_selector("#vm-rows .vm-row .bar[data-code]")
                await page.wait_for_selector("#requests tbody tr td.path")
                out.parent.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(out), full_page=True)


def main(argv: list[str] | None = None) -> int:
    """Write the screenshot; 2 when no browser is installed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the PNG")
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        print("no Chromium found: apt-get install chromium (or set FAKEVMSS_CHROMIUM)")
        return 2
    asyncio.run(screenshot(args.out, executable))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
