"""cProfile of aiovmss's GET-one-VM and list-1,000-VMs paths against the loopback ARM server.

The server runs in a child process, so the profile holds only the client's work.

    python benchmarks/profile_client.py                   # top 25 by own time, per path
    python benchmarks/profile_client.py --gets 500 --lists 10 --top 40 --sort cumulative
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _contenders import AiovmssClient, AzureMgmtCompute, Contender, RawAiohttp
from client_bench import ServerProcess

CONTENDERS: dict[str, type[Contender]] = {
    "aiovmss": AiovmssClient,
    "raw": RawAiohttp,
    "azure": AzureMgmtCompute,
}


async def profile(args: argparse.Namespace) -> dict[str, pstats.Stats]:
    """Profile ``args.gets`` GETs and ``args.lists`` full listings; one Stats per path."""
    stats = {}
    async with ServerProcess(args.vms, 100) as base_url:
        contender = CONTENDERS[args.client]()
        await contender.open(base_url)
        try:
            await contender.get_one()  # warm-up: connection, token, model build
            await contender.list_all()
            for label, op, times in (
                ("get", contender.get_one, args.gets),
                ("list", contender.list_all, args.lists),
            ):
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(times):
                    await op()
                prof.disable()
                stats[label] = pstats.Stats(prof)
        finally:
            await contender.close()
    return stats


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--client", choices=list(CONTENDERS), default="aiovmss")
    p.add_argument("--gets", type=int, default=300)
    p.add_argument("--lists", type=int, default=5)
    p.add_argument("--vms", type=int, default=1000)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    args = p.parse_args(argv)
    for label, stats in asyncio.run(profile(args)).items():
        out = io.StringIO()
        stats.stream = out  # type: ignore[attr-defined]
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
        print(f"=== {args.client} {label} ===\n{out.getvalue()}")


if __name__ == "__main__":
    main()
