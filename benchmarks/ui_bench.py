"""fakevmss page benchmark: ``GET /_fake/ui/data`` for a 10,000-VM fleet (target < 100 ms).

The fleet: Uniform scale sets of at most 1,000 VMs created on the virtual clock with 2%
``OSProvisioningTimeout`` create faults; then half of every scale set deleted with 20%
``InternalExecutionError`` delete faults and the clock moved 15 minutes, so VMs carry create
and delete histories and retry rounds ran. The request log holds ``--requests`` records
(written straight into ``fake.requests``: the view slices that list, what the records say does
not change the cost).

Cases, each ``--rounds`` times after one warm-up, median / p95 / max in ms:

- ``view ...``: what the data handler does under the fake's lock, in-process: parse the query,
  ``build_view``, ``json.dumps`` (first page, last page, a VM filter, one scale set, a
  request-log filter that fills its page early, one that matches nothing and so reads the
  whole log);
- ``http ...``: ``GET /_fake/ui/data`` over loopback through aiohttp (the whole answer);
- ``timeline_html``: ``fake.timeline_html`` of the whole fleet, once (seconds and size);
- ``--browser``: the page itself in the system's headless Chromium (helpers of
  ``tools/ui_screenshot.py``): from navigation to the first rows drawn, to the next page, and
  how many elements the document holds (whatever the fleet's size), once each.

    python benchmarks/ui_bench.py                    # 10,000 VMs, 50,000 requests
    python benchmarks/ui_bench.py --quick            # 1,000 VMs, 5,000 requests
    python benchmarks/ui_bench.py --json benchmarks/results/ui.json
    python benchmarks/ui_bench.py --browser          # also the page in Chromium
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RG = "bench-rg"

#: name -> the data endpoint's query string.
CASES = {
    "first page": {},
    "last page": {"vm_offset": "LAST"},
    "VM filter 'failed'": {"vm_q": "failed"},
    "one scale set": {"scale_set": f"{RG}/ui0"},
    "request filter 'delete'": {"req_q": "delete"},
    "request filter, no match": {"req_q": "no such request"},
}


def build_fleet(vms: int, per: int, requests: int, seed: int) -> Any:
    """A fake holding ``vms`` VMs mid-way through a Resilient delete, and a request log."""
    from fakevmss import FakeCompute, VirtualClock
    from fakevmss._http import RequestRecord

    fake = FakeCompute(clock=VirtualClock(auto_advance=False), seed=seed)
    fake.faults.fail_create("OSProvisioningTimeout", probability=0.02)
    names: list[str] = []
    for start in range(0, vms, per):
        names.append(f"ui{len(names)}")
        fake.create_scale_set(RG, names[-1], capacity=min(per, vms - start))
    fake.clock.advance(1800)
    fake.faults.clear()
    fake.faults.fail_delete("InternalExecutionError", probability=0.2)
    for name in names:
        ids = fake.scale_set(RG, name).instance_ids
        fake.backend.sets.delete_instances(fake.subscription_id, RG, name, ids[::2], force=False)
    fake.clock.advance(900)
    path = f"/subscriptions/{fake.subscription_id}/resourceGroups/{RG}/providers/x/"
    methods = ("GET", "GET", "GET", "PUT", "DELETE")
    fake.requests.extend(
        RequestRecord(i * 0.05, methods[i % 5], f"{path}{i}", {}, 200, "2024-07-01")
        for i in range(requests)
    )
    return fake


def stats(samples: list[float]) -> dict[str, float]:
    """Median, p95 and max of ``samples`` (seconds) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": p95 * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def timed(action: Callable[[], Any], rounds: int) -> list[float]:
    action()  # warm-up: first-use caches, imports
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def params_for(case: dict[str, str], total_vms: int) -> dict[str, str]:
    return {k: str(max(0, total_vms - 50)) if v == "LAST" else v for k, v in case.items()}


def view_cases(fake: Any, rounds: int) -> dict[str, dict[str, Any]]:
    from fakevmss._ui._query import parse_query
    from fakevmss._ui._view import build_view

    total = sum(len(s.vms) + len(s.graveyard) for s in fake.backend.scale_sets.values())
    results = {}
    for name, case in CASES.items():
        params = params_for(case, total)

        def answer(params: dict[str, str] = params) -> bytes:
            with fake.lock:
                view = build_view(fake, parse_query(params))
            return json.dumps(view).encode()

        body = answer()
        results[f"view {name}"] = {**stats(timed(answer, rounds)), "bytes": len(body)}
    return results


async def http_cases(fake: Any, rounds: int) -> dict[str, dict[str, Any]]:
    import aiohttp
    from aiohttp import web

    runner = web.AppRunner(fake.aiohttp_app(), access_log=None)
    await runner.setup()
    results = {}
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/_fake/ui/data"
        total = sum(len(s.vms) + len(s.graveyard) for s in fake.backend.scale_sets.values())
        async with aiohttp.ClientSession() as session:
            for name, case in CASES.items():
                params = params_for(case, total)
                samples = []
                for n in range(rounds + 1):
                    start = time.perf_counter()
                    async with session.get(url, params=params) as response:
                        assert response.status == 200, await response.text()
                        await response.read()
                    if n:  # the first one warms up
                        samples.append(time.perf_counter() - start)
                results[f"http {name}"] = stats(samples)
    finally:
        await runner.cleanup()
    return results


def html_case(fake: Any) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path = fake.timeline_html(Path(folder) / "t.html")
        seconds = time.perf_counter() - start
        size = path.stat().st_size
    return {"timeline_html whole fleet": {"seconds": seconds, "mib": size / 2**20}}


def load_tool() -> Any:
    """``tools/ui_screenshot.py`` (a script, not a package): finding and driving Chromium."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tools" / "ui_screenshot.py"
    spec = importlib.util.spec_from_file_location("ui_screenshot", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def browser_case(fake: Any) -> dict[str, dict[str, Any]]:
    """Navigation to first rows, one page forward, and the document's size, in Chromium."""
    tool = load_tool()
    executable = tool.find_chromium()
    if executable is None:
        return {"browser": {"skipped": "no Chromium found"}}
    async with tool.served(fake) as base:
        with tempfile.TemporaryDirectory() as profile:
            async with tool.browser_page(executable, Path(profile)) as page:
                start = time.perf_counter()
                await page.goto(f"{base}/_fake/ui")
                await page.wait_for_selector("#vm-rows .vm-row")
                first = time.perf_counter() - start
                start = time.perf_counter()
                await page.click("#vm-next")
                await page.wait_for_selector('#vm-rows .vm-row[data-key$="/50"]')
                forward = time.perf_counter() - start
                elements = await page.eval_on_selector_all("*", "nodes => nodes.length")
    timings = {"first_rows_ms": first * 1000, "next_page_ms": forward * 1000}
    return {"browser": {**timings, "elements": elements}}


def report(meta: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    lines = [
        f"{meta['vms']:,} VMs in {meta['scale_sets']} scale sets, {meta['requests']:,} requests, "
        f"{meta['rounds']} rounds; fleet built in {meta['build_s']:.1f} s",
        "",
        "| case | median ms | p95 ms | max ms | answer bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        if "median_ms" in r:
            size = f"{r['bytes']:,}" if "bytes" in r else ""
            lines.append(
                f"| {name} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f} "
                f"| {size} |"
            )
        elif "seconds" in r:
            lines.append(f"| {name} | {r['seconds'] * 1000:.0f} (once) | | | {r['mib']:.1f} MiB |")
        else:
            lines.append(f"| {name} | {json.dumps(r)} | | | |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1,000 VMs, 5,000 requests, 10 rounds")
    p.add_argument("--vms", type=int, default=10_000)
    p.add_argument("--per-scale-set", type=int, default=1000)
    p.add_argument("--requests", type=int, default=50_000)
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path)
    p.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    args = p.parse_args(argv)
    if args.quick:
        args.vms, args.requests = min(args.vms, 1000), min(args.requests, 5000)
        args.rounds = min(args.rounds, 10)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    fake = build_fleet(args.vms, args.per_scale_set, args.requests, args.seed)
    meta = {
        "vms": args.vms,
        "scale_sets": len(fake.backend.scale_sets),
        "requests": len(fake.requests),
        "rounds": args.rounds,
        "build_s": time.perf_counter() - start,
    }
    results = view_cases(fake, args.rounds)
    results.update(asyncio.run(http_cases(fake, args.rounds)))
    results.update(html_case(fake))
    if args.browser:
        results.update(asyncio.run(browser_case(fake)))
    print(report(meta, results))
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
