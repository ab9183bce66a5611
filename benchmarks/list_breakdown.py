"""Where the time of a listing goes: aiovmss's paging machinery vs its models, against the floor.

One process, one loopback ARM server (a child process), one aiovmss client; every round runs
each variant once, in shuffled order:

- ``floor``: raw aiohttp + ``json.loads`` (as in ``client_bench.py``);
- ``aiovmss``: ``client.scale_set_vms.list`` as a caller gets it (models, read-ahead);
- ``aiovmss, no read-ahead``: the same with ``without_read_ahead()``;
- ``aiovmss paging, dict pages``: the client's own ``AsyncPaged`` and pipeline with a page
  parser that is ``json.loads``: everything aiovmss does except building models;
- ``... no read-ahead``: the same, one page at a time.

Then, outside the event loop, the CPU cost of one page: ``json.loads`` vs validating it into
models, and freeing each. Last, what read-ahead is for: a server that takes ``--latency-ms``
to answer each page (ARM takes tens to hundreds of ms) and a caller that spends
``--work-ms`` on each page it is handed (awaiting something, as a caller acting on its VMs
does); the floor, aiovmss and aiovmss without read-ahead, in wall time per listing.

    python benchmarks/list_breakdown.py               # ~1 min
    python benchmarks/list_breakdown.py --rounds 20 --json results/list_breakdown.json
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bodies import RG
from _contenders import SS, AiovmssClient, RawAiohttp
from arm_server import vm_body
from client_bench import ServerProcess

from aiovmss import AsyncPaged
from aiovmss.models import VirtualMachineScaleSetVMListResult


def dict_page(body: bytes) -> tuple[Sequence[Any], str | None]:
    """A page parser that stops at ``json.loads``: the floor's parse inside aiovmss's paging."""
    page = json.loads(body)
    return page["value"], page.get("nextLink")


def variants(raw: RawAiohttp, ours: AiovmssClient) -> dict[str, Callable[[], Awaitable[int]]]:
    """The listings compared; each returns how many VMs it read."""
    client = ours.client
    url = f"{raw.ss_url}/virtualMachines{raw.q}"  # the floor's first URL: the real listing's

    async def models(read_ahead: bool) -> int:
        paged = client.scale_set_vms.list(RG, SS)
        if not read_ahead:
            paged = paged.without_read_ahead()
        return sum([1 async for vm in paged if vm.properties and vm.properties.provisioning_state])

    async def dicts(read_ahead: bool) -> int:
        paged: AsyncPaged[Any] = AsyncPaged(
            client.pipeline,
            url,
            dict_page,
            api_version=client.api_version.value,
            operation="scale_set_vms.list",
            resource=SS,
            read_ahead=read_ahead,
        )
        return sum([1 async for vm in paged if vm["properties"]["provisioningState"]])

    return {
        "floor": raw.list_all,
        "aiovmss": lambda: models(True),
        "aiovmss, no read-ahead": lambda: models(False),
        "aiovmss paging, dict pages": lambda: dicts(True),
        "aiovmss paging, dict pages, no read-ahead": lambda: dicts(False),
    }


async def listings(args: argparse.Namespace) -> dict[str, list[float]]:
    """Seconds per listing for every variant, ``args.rounds`` samples each."""
    async with ServerProcess(args.vms, 100) as base_url:
        raw, ours = RawAiohttp(), AiovmssClient()
        await raw.open(base_url)
        await ours.open(base_url)
        try:
            runs = variants(raw, ours)
            for name, run in runs.items():  # warm-up, and every answer checked once
                assert await run() == args.vms, name
            samples: dict[str, list[float]] = {name: [] for name in runs}
            rng = random.Random(0)
            for _ in range(args.rounds):
                order = list(runs)
                rng.shuffle(order)
                for name in order:
                    start = time.perf_counter()
                    await runs[name]()
                    samples[name].append(time.perf_counter() - start)
            return samples
        finally:
            await raw.close()
            await ours.close()


async def with_latency(args: argparse.Namespace) -> dict[str, list[float]]:
    """Seconds per listing against a slow server, with per-page work in the caller."""
    work = args.work_ms / 1000

    async def consume(pages: Any) -> int:
        count = 0
        async for page in pages:
            count += len(page)
            await asyncio.sleep(work)  # the caller's own work on this page
        return count

    async with ServerProcess(args.vms, 100, args.latency_ms) as base_url:
        raw, ours = RawAiohttp(), AiovmssClient()
        await raw.open(base_url)
        await ours.open(base_url)

        async def floor_pages() -> Any:
            url: str | None = f"{raw.ss_url}/virtualMachines{raw.q}"
            while url:
                page = await raw._get(url)
                yield page["value"]
                url = page.get("nextLink")

        listing = ours.client.scale_set_vms.list
        runs: dict[str, Callable[[], Awaitable[int]]] = {
            "floor": lambda: consume(floor_pages()),
            "aiovmss": lambda: consume(listing(RG, SS).by_page()),
            "aiovmss, no read-ahead": lambda: consume(
                listing(RG, SS).without_read_ahead().by_page()
            ),
        }
        try:
            samples: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(args.latency_rounds):
                for name, run in runs.items():
                    start = time.perf_counter()
                    assert await run() == args.vms, name
                    samples[name].append(time.perf_counter() - start)
            return samples
        finally:
            await raw.close()
            await ours.close()


def page_cpu(repeat: int) -> dict[str, float]:
    """Median ms of parsing and of freeing one page of 100 VMs, outside the event loop."""
    vms = [vm_body("sub", RG, SS, str(i)) for i in range(100)]
    body = json.dumps({"value": vms, "nextLink": "https://h/next?api-version=2024-07-01"}).encode()
    parsers: dict[str, Callable[[], Any]] = {
        "json.loads": lambda: json.loads(body),
        "models": lambda: VirtualMachineScaleSetVMListResult.model_validate_json(body),
    }
    result = {}
    for name, parse in parsers.items():
        parse()
        build, free = [], []
        gc.disable()  # as aiovmss parses; the floor's collections are left out of both
        try:
            for _ in range(repeat):
                start = time.perf_counter()
                page = parse()
                middle = time.perf_counter()
                del page
                free.append(time.perf_counter() - middle)
                build.append(middle - start)
        finally:
            gc.enable()
        result[f"parse a page, {name}"] = statistics.median(build) * 1e3
        result[f"free a page, {name}"] = statistics.median(free) * 1e3
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=60)
    p.add_argument("--vms", type=int, default=1000, help="listed in pages of 100")
    p.add_argument("--repeat", type=int, default=300, help="pages timed outside the loop")
    p.add_argument("--latency-ms", type=float, default=20.0, help="server time per list page")
    p.add_argument("--work-ms", type=float, default=10.0, help="caller's time per page")
    p.add_argument("--latency-rounds", type=int, default=10, help="0 skips the latency part")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    samples = asyncio.run(listings(args))
    floor = statistics.median(samples["floor"])
    print(f"Python {platform.python_version()}, {args.rounds} rounds, {args.vms} VMs\n")
    print("| listing | median ms | x floor |\n|---|---:|---:|")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1e3:.2f} | {median / floor:.2f} |")
    cpu = page_cpu(args.repeat)
    print("\n| one page of 100 VMs, outside the loop | median ms |\n|---|---:|")
    for name, ms in cpu.items():
        print(f"| {name} | {ms:.3f} |")
    slow: dict[str, list[float]] = {}
    if args.latency_rounds:
        slow = asyncio.run(with_latency(args))
        print(
            f"\n| {args.latency_ms:g} ms a page at the server, {args.work_ms:g} ms a page in the"
            " caller | median ms | x floor |\n|---|---:|---:|"
        )
        slow_floor = statistics.median(slow["floor"])
        for name, values in slow.items():
            median = statistics.median(values)
            print(f"| {name} | {median * 1e3:.1f} | {median / slow_floor:.2f} |")
    if args.json:
        payload = {"samples_s": samples, "page_cpu_ms": cpu, "with_latency_s": slow}
        args.json.write_text(json.dumps(payload, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
