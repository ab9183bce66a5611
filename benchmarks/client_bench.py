"""Client benchmark: raw aiohttp (the floor) vs aiovmss vs azure-mgmt-compute, in one process.

The loopback ARM server (``arm_server.py``) runs in a child process so its CPU does not land
on the clients' event loop. Contenders run round-robin (the order rotates every round) after
a warm-up, so drift on the machine hits every contender alike.

    python benchmarks/client_bench.py            # full run (~1-2 min)
    python benchmarks/client_bench.py --quick    # a few rounds
    python benchmarks/client_bench.py --json results.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _contenders import Contender, available

HERE = Path(__file__).resolve().parent
# case name -> (operations per timed sample, what one operation is)
CASES: dict[str, tuple[int, str]] = {
    "get": (20, "GET one VM, parsed"),
    "list": (1, "list {vms} VMs ({pages} pages), parsed"),
    "lro": (5, "PUT + 3 polls + final GET"),
    "concurrent": (1, "{conc} concurrent GETs"),
}


class ServerProcess:
    """``arm_server.py`` in a child process; ``async with`` yields its base URL."""

    def __init__(self, vms: int, page_size: int, page_latency_ms: float = 0.0) -> None:
        self.args = ["--vms", str(vms), "--page-size", str(page_size)]
        self.args += ["--page-latency-ms", str(page_latency_ms)]
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> str:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "arm_server.py"),
            *self.args,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 30)).decode().strip()
        if not line.startswith("listening on "):
            raise RuntimeError(f"arm_server did not start: {line!r}")
        return line.removeprefix("listening on ")

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await self.proc.wait()


def operation(c: Contender, case: str, args: argparse.Namespace) -> Callable[[], Awaitable[Any]]:
    """The awaitable factory for one operation of ``case`` on contender ``c``."""
    if case == "get":
        return c.get_one
    if case == "list":
        return c.list_all
    if case == "lro":
        return c.lro
    return lambda: c.concurrent_get(args.concurrency)


async def timed(op: Callable[[], Awaitable[Any]], reps: int) -> float:
    """Seconds per operation over ``reps`` back-to-back operations."""
    start = time.perf_counter()
    for _ in range(reps):
        await op()
    return (time.perf_counter() - start) / reps


async def check(c: Contender, args: argparse.Namespace) -> None:
    """Each case once, with its answer checked, so a broken client cannot look fast."""
    assert (await c.get_one()).lower() == "succeeded", c.name
    assert await c.list_all() == args.vms, c.name
    assert (await c.lro()).lower() == "succeeded", c.name
    assert await c.concurrent_get(args.concurrency) == args.concurrency, c.name


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run every case round-robin; return raw samples per (case, contender) in seconds."""
    samples: dict[str, dict[str, list[float]]] = {case: {} for case in args.cases}
    async with ServerProcess(args.vms, args.page_size) as base_url:
        contenders = [c for c in available() if c.name in args.contenders or not args.contenders]
        for c in contenders:
            await c.open(base_url)
        try:
            for c in contenders:
                await check(c, args)
            for rnd in range(args.warmup + args.rounds):
                shift = rnd % len(contenders)
                order = contenders[shift:] + contenders[:shift]
                for case in args.cases:
                    for c in order:
                        secs = await timed(operation(c, case, args), CASES[case][0])
                        if rnd >= args.warmup:
                            samples[case].setdefault(c.name, []).append(secs)
        finally:
            for c in contenders:
                await c.close()
    return samples


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(samples: dict[str, dict[str, list[float]]]) -> list[dict[str, Any]]:
    """Median, p90 (ms) and ratio to the floor's median for every (case, contender)."""
    rows = []
    rank = {name: i for i, name in enumerate(["raw aiohttp", "aiovmss", "azure-mgmt-compute"])}
    for case, unordered in samples.items():
        by_name = dict(sorted(unordered.items(), key=lambda kv: rank.get(kv[0], 99)))
        floor = statistics.median(by_name["raw aiohttp"]) if "raw aiohttp" in by_name else None
        for name, values in by_name.items():
            median = statistics.median(values)
            rows.append(
                {
                    "case": case,
                    "library": name,
                    "samples": len(values),
                    "median_ms": median * 1e3,
                    "p90_ms": percentile(values, 0.9) * 1e3,
                    "ratio": median / floor if floor else None,
                }
            )
    return rows


def table(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    """A markdown table of the summary."""
    pages = -(-args.vms // args.page_size)
    lines = ["| case | library | median ms | p90 ms | x floor |", "|---|---|---:|---:|---:|"]
    for r in rows:
        what = CASES[r["case"]][1].format(vms=args.vms, pages=pages, conc=args.concurrency)
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        lines.append(
            f"| {what} | {r['library']} | {r['median_ms']:.2f} | {r['p90_ms']:.2f} | {ratio} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="3 rounds after 1 warm-up")
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--vms", type=int, default=1000)
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--concurrency", type=int, default=200)
    p.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    p.add_argument("--contenders", nargs="*", default=[], help="names to keep (default: all)")
    p.add_argument("--json", type=Path, help="write samples and summary to this file")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.warmup = min(args.rounds, 3), min(args.warmup, 1)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    samples = asyncio.run(run(args))
    rows = summarise(samples)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{args.rounds} rounds after {args.warmup} warm-up\n"
    )
    print(table(rows, args))
    if args.json:
        payload = {
            "python": platform.python_version(),
            "args": {k: v for k, v in vars(args).items() if k != "json"},
            "summary": rows,
            "samples_s": samples,
        }
        args.json.write_text(json.dumps(payload, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
