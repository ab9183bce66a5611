"""Peak memory while a transport refuses hostile bodies; one JSON line per case.

Run by ``test_response_limits.py`` in a subprocess (one per transport) so that the peak RSS
(``VmHWM`` reset after start-up on Linux, else ``ru_maxrss``) belongs to these cases alone::

    .venv/bin/python tests/sdk/rss_probe.py aiohttp   # or httpx

The server runs in the same process, streaming every body from a small buffer (the bombs are
about 1 MiB of gzip); the client uses the transport's default limit (64 MiB). The first line
is the baseline after imports and server start.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).parent))

from hostile_support import MIB, gzip_bomb, gzip_bomb_size, stream_body, zeros

from aiovmss.errors import ResponseTooLargeError
from aiovmss.transport import AiohttpTransport, AsyncTransport, HttpRequest

GIB_IN_MIB = 1024
BIG = 500_000_000

# case name -> (path, body chunks, Content-Length or None, Content-Encoding or None)
Case = tuple[Callable[[], Iterator[bytes]], int | None, str | None]
CASES: dict[str, Case] = {
    "gzip bomb 1 GiB, chunked": (lambda: gzip_bomb(GIB_IN_MIB), None, "gzip"),
    "gzip bomb 1 GiB, Content-Length": (
        lambda: gzip_bomb(GIB_IN_MIB),
        gzip_bomb_size(GIB_IN_MIB),
        "gzip",
    ),
    "500 MB body, Content-Length": (lambda: zeros(BIG), BIG, None),
    "500 MB body, chunked": (lambda: zeros(BIG), None, None),
    "endless chunked body": (lambda: zeros(None), None, None),
}
_NAMES = list(CASES)


_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak() -> bool:
    """Restart Linux's peak-RSS count from now; False where the kernel offers no way to.

    Linux carries ``ru_maxrss`` across ``execve``: a probe started from a big pytest worker would
    report the worker's peak (300 MiB and more late in a run) as its own. Writing 5 to
    ``clear_refs`` resets ``VmHWM``, which ``peak_mib`` then reads instead.
    """
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_mib(reset: bool = False) -> float:
    """The process's peak resident set so far (since ``reset_peak`` if it succeeded), in MiB."""
    if reset:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024  # bytes there, KiB here


async def serve(request: web.Request) -> web.StreamResponse:
    chunks, length, encoding = CASES[_NAMES[int(request.match_info["case"])]]
    return await stream_body(request, chunks(), length=length, encoding=encoding)


def make_transport(name: str) -> AsyncTransport:
    if name == "httpx":
        from aiovmss.transport import HttpxTransport

        return HttpxTransport()
    return AiohttpTransport()


async def main(name: str) -> None:
    app = web.Application()
    app.router.add_get("/{case}", serve)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    transport = make_transport(name)
    reset = reset_peak()
    print(json.dumps({"case": "baseline", "peak_mib": round(peak_mib(reset), 1)}), flush=True)
    try:
        for index, case in enumerate(_NAMES):
            started = time.perf_counter()
            try:
                await transport.send(HttpRequest("GET", f"http://{host}:{port}/{index}"))
                error = None
            except ResponseTooLargeError as exc:
                error = type(exc).__name__
            line = {
                "case": case,
                "error": error,
                "seconds": round(time.perf_counter() - started, 3),
                "peak_mib": round(peak_mib(reset), 1),
            }
            print(json.dumps(line), flush=True)
    finally:
        await transport.aclose()
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "aiohttp"))
