"""Import cost of aiovmss and fakevmss next to the libraries they build on.

Each statement runs in a fresh interpreter under ``python -X importtime``; its total is the sum
of the cumulative times of the modules it imported at top level (those a bare ``python -c pass``
already imports at start-up are left out), and its "own" part is the self time of modules named
``aiovmss*`` or ``fakevmss*`` (the rest is the dependencies and the stdlib they pull in).
Median of ``--repeat`` runs.

    python benchmarks/import_time.py
    python benchmarks/import_time.py --repeat 3 --json import.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

FIRST_PARTY = {"aiovmss", "fakevmss"}
STATEMENTS = {
    "deps: aiohttp + pydantic.BaseModel + tenacity": (
        "import aiohttp, tenacity, pydantic; pydantic.BaseModel"
    ),
    "import aiohttp": "import aiohttp",
    "import pydantic (+ BaseModel)": "import pydantic; pydantic.BaseModel",
    "import tenacity": "import tenacity",
    "import aiovmss": "import aiovmss",
    "import fakevmss": "import fakevmss",
    "import aiovmss, fakevmss": "import aiovmss, fakevmss",
}


def importtime(statement: str) -> list[tuple[int, str, int, int]]:
    """``(depth, module, self µs, cumulative µs)`` for each import ``statement`` triggered."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((depth, name.strip(), int(own), int(cumulative)))
    return rows


def cost_ms(statement: str, startup: set[str]) -> tuple[float, float]:
    """``(total, own)`` milliseconds of ``statement`` beyond interpreter start-up."""
    rows = importtime(statement)
    total = sum(cum for depth, name, _, cum in rows if depth == 0 and name not in startup)
    own = sum(us for _, name, us, _ in rows if name.split(".")[0] in FIRST_PARTY)
    return total / 1000, own / 1000


def measure(repeat: int) -> dict[str, dict[str, float]]:
    """Median total and own milliseconds per statement (failing statements are skipped)."""
    startup = {name for _, name, _, _ in importtime("pass")}
    results = {}
    for label, statement in STATEMENTS.items():
        try:
            runs = [cost_ms(statement, startup) for _ in range(repeat)]
        except subprocess.CalledProcessError as exc:
            print(f"skipping {label!r}: {exc.stderr.strip().splitlines()[-1]}")
            continue
        results[label] = {
            "total_ms": statistics.median(t for t, _ in runs),
            "own_ms": statistics.median(o for _, o in runs),
        }
    return results


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    results = measure(args.repeat)
    print(f"| statement (median of {args.repeat}, fresh interpreter) | total ms | own ms |")
    print("|---|---:|---:|")
    for label, r in results.items():
        own = f"{r['own_ms']:.1f}" if r["own_ms"] else "-"
        print(f"| {label} | {r['total_ms']:.1f} | {own} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
