"""fakevmss fault paths over HTTP: what a pathological ``path_regex`` costs other requests.

A ``path_regex`` sent to ``POST /_fake/faults`` is a linear-time ``PathPattern``, tried against
every request path on the server's event loop (docs/fake/http.md). Parts:

- ``matcher``: compile time, and ``search`` time on an 8,000-character path (about the longest
  request line aiohttp accepts) for patterns that make backtracking engines explode, with the
  table look-ups per character; for contrast, Python's ``re`` on ``(a+)+$`` with a few dozen
  characters (it doubles with each one).
- ``served``: ``python -m fakevmss serve`` in a child process with an ``(a+)+$`` fault in force
  (``times: null``; then the subset's largest pattern, then one no remembered step helps, on
  random a/b paths), while ``--attackers`` connections from this process send 8,000-character
  paths back to back; the latency of an unrelated ``GET /_fake/clock`` (median / p95 / max
  over ``--rounds``), against the same without the fault.

    python benchmarks/pattern_bench.py
    python benchmarks/pattern_bench.py --quick
    python benchmarks/pattern_bench.py --json benchmarks/results/pattern.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from fakevmss import PathPattern

#: Near the most positions the subset allows (8 table look-ups per character), and a pattern
#: whose DFA would need 2**30 states, against random a/b paths: every step is new.
WORST = "(.*a){31}$"
UNCACHEABLE = "(a|b)*a(a|b){29}$"
PATTERNS = [
    "(a+)+$",
    "(.*a){12}$",
    WORST,
    UNCACHEABLE,
    "(a|a)*b",
    r"/virtualMachineScaleSets/[^/]+/virtualMachines/\d+$",
]
LONG = 8_000


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def attack_path(pattern: str, rng: random.Random) -> str:
    """An 8,000-character path chosen to be expensive for ``pattern``."""
    if pattern == UNCACHEABLE:
        return "/" + "".join(rng.choice("ab") for _ in range(LONG))
    return "/" + "a" * LONG + "!"


def matcher_part(rounds: int, contrast: tuple[int, ...]) -> dict[str, Any]:
    rng = random.Random(1)
    results: dict[str, Any] = {}
    for pattern in PATTERNS:
        path = attack_path(pattern, rng)
        started = time.perf_counter()
        compiled = PathPattern(pattern)
        compile_s = time.perf_counter() - started
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            compiled.search(path)
            samples.append(time.perf_counter() - started)
        results[pattern] = {
            "compile_ms": round(compile_s * 1000, 3),
            "steps_per_char": compiled.steps_per_char,
            **{f"search_{k}": v for k, v in stats(samples).items()},
        }
    for n in contrast:  # Python's backtracking re, for contrast
        started = time.perf_counter()
        re.search("(a+)+$", "a" * n + "!")
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        results[f"re (a+)+$ on {n} chars"] = {"ms": elapsed_ms}
    return results


async def _attack(session: ClientSession, base: str, paths: list[str], stop: asyncio.Event) -> int:
    sent = 0
    while not stop.is_set():
        url = f"{base}/subscriptions/s{paths[sent % len(paths)]}"
        async with session.get(url, headers={"Authorization": "Bearer t"}) as response:
            await response.read()
        sent += 1
    return sent


async def _latencies(base: str, paths: list[str], rounds: int, attackers: int) -> dict[str, Any]:
    """The unrelated request's latencies while ``attackers`` send ``paths`` back to back."""
    stop = asyncio.Event()
    async with ClientSession() as session:
        tasks = [
            asyncio.ensure_future(_attack(session, base, paths, stop)) for _ in range(attackers)
        ]
        await asyncio.sleep(0.05)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            async with session.get(f"{base}/_fake/clock") as response:
                await response.read()
            samples.append(time.perf_counter() - started)
        stop.set()
        sent = sum(await asyncio.gather(*tasks))
    return {**stats(samples), "attack_requests": sent}


async def _serve(faults: Path | None) -> tuple[asyncio.subprocess.Process, str]:
    """``python -m fakevmss serve`` in a child process, so the attackers' CPU is not its own."""
    extra = ["--faults", str(faults)] if faults is not None else []
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fakevmss", "serve", "--virtual-clock", "--port", "0", *extra,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    assert line.startswith("listening on "), line
    return process, line.removeprefix("listening on ").strip()


async def served_part(rounds: int, attackers: int) -> dict[str, Any]:
    rng = random.Random(2)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pattern in (None, "(a+)+$", WORST, UNCACHEABLE):
            faults = None
            if pattern is not None:
                faults = Path(tmp) / "faults.json"
                spec = {"kind": "http_error", "status": 503, "code": "Busy",
                        "path_regex": pattern, "times": None}  # fmt: skip
                faults.write_text(json.dumps([spec]))
            paths = [attack_path(pattern or "", rng)[:-1] for _ in range(16)]
            process, base = await _serve(faults)
            try:
                row = await _latencies(base, paths, rounds, attackers)
            finally:
                process.terminate()
                await process.wait()
            results["no fault" if pattern is None else f"{pattern} in force"] = row
    return results


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = []
    for part, rows in results.items():
        lines.append(f"## {part}")
        for name, row in rows.items():
            cells = ", ".join(f"{key}={value}" for key, value in row.items())
            lines.append(f"- {name}: {cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="5 rounds, 1 attacker")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rounds, attackers = (5, 1) if args.quick else (args.rounds, args.attackers)
    results = {
        "matcher": matcher_part(rounds, (14, 16) if args.quick else (18, 20, 22)),
        "served": asyncio.run(served_part(rounds, attackers)),
    }
    print(report(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
