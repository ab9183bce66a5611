"""``python -m fakevmss serve``: the fake as an HTTP server on loopback, for any language.

The server keeps everything in memory: a killed and restarted server starts empty.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = ["build_parser", "main"]

_LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (so nothing else can reach the fake)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _allowed_host(name: str) -> str:
    from fakevmss.adapters._guards import parse_allowed_host

    try:
        parse_allowed_host(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return name


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fakevmss`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m fakevmss",
        description="An in-memory fake of the Azure VM Scale Set API (Resilient create/delete).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the ARM API and the /_fake/ control API over HTTP",
        description="Serve the fake over HTTP. State is in memory: a restart starts empty.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    serve.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        type=_allowed_host,
        metavar="NAME[:PORT]",
        help="also accept this Host header (repeatable); by default only the bound address "
        "(and localhost names on loopback) is accepted, against DNS rebinding",
    )
    serve.add_argument(
        "--speed", type=float, default=60.0, help="virtual seconds per real second (default 60)"
    )
    serve.add_argument("--seed", type=int, default=0, help="seed of the fake's random source")
    serve.add_argument(
        "--virtual-clock",
        action="store_true",
        help="a virtual clock that only moves on POST /_fake/clock/advance",
    )
    serve.add_argument(
        "--lenient-api-versions",
        action="store_true",
        help="serve newer api-versions with 2024-07-01 behaviour",
    )
    serve.add_argument(
        "--lenient-bodies",
        action="store_true",
        help="keep request body members the api-version's schema lacks (Azure refuses them)",
    )
    serve.add_argument(
        "--no-limits",
        action="store_true",
        help="never throttle (default: ARM's and the Compute provider's request limits apply)",
    )
    serve.add_argument("--page-size", type=int, default=100, help="items per list page")
    serve.add_argument(
        "--faults", metavar="FILE.json", help="a JSON list of fault objects (as POST /_fake/faults)"
    )
    return parser


def _load_faults(path: str) -> list[Any]:
    """Read and check a faults file (before any fake exists, so mistakes fail fast)."""
    from fakevmss._errors import ArmException
    from fakevmss.adapters.server import check_fault

    with open(path, encoding="utf-8") as handle:
        faults = json.load(handle)
    if not isinstance(faults, list):
        raise ValueError("the faults file must hold a JSON list of fault objects")
    for spec in faults:
        try:
            check_fault(spec)
        except ArmException as exc:
            raise ValueError(f"bad fault in {path}: {exc}") from None
    return faults


def _make_fake(args: argparse.Namespace) -> FakeCompute:
    from fakevmss import FakeCompute, Limits
    from fakevmss._clock import RealClock, VirtualClock

    if args.speed <= 0:
        raise ValueError("--speed must be positive")
    clock = VirtualClock(auto_advance=False) if args.virtual_clock else RealClock(speed=args.speed)
    return FakeCompute(
        clock=clock,
        seed=args.seed,
        page_size=args.page_size,
        lenient_api_versions=args.lenient_api_versions,
        strict_bodies=not args.lenient_bodies,
        limits=None if args.no_limits else Limits(),
    )


def _url(address: Any) -> str:
    host, port = address[0], address[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


async def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from fakevmss._errors import ArmException
    from fakevmss.adapters.server import add_fault

    faults = _load_faults(args.faults) if args.faults else []
    fake = _make_fake(args)
    for spec in faults:
        try:
            add_fault(fake, spec)
        except ArmException as exc:
            raise ValueError(f"bad fault in {args.faults}: {exc}") from None
    app = fake.aiohttp_app(allowed_hosts=args.allow_host)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await web.TCPSite(runner, args.host, args.port).start()
        print(f"listening on {_url(runner.addresses[0])}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    if not is_loopback(args.host):
        print(
            f"warning: serving on {args.host}, which is not loopback: anyone who can reach it "
            "can drive the fake (no auth on /_fake/)",
            file=sys.stderr,
        )
    try:
        return asyncio.run(_serve(args))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
