"""Hostile response bodies, generated as streams: gzip bombs and endless bodies.

A uniquely named module (not ``conftest``) so that test files and the RSS probe can import it.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Iterable, Iterator

from aiohttp import web

MIB = 1024 * 1024
_ZEROS = bytes(MIB)
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, no mtime, max compression


@functools.cache
def _zero_block() -> bytes:
    """Raw deflate of 1 MiB of zeros, ending on a full flush: self-contained, so repeatable."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(_ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)


_FINAL_BLOCK = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # empty, BFINAL set


@functools.cache
def _zeros_crc(mib: int) -> int:
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(_ZEROS, crc)
    return crc


def gzip_bomb(mib: int) -> Iterator[bytes]:
    """A valid gzip stream of ``mib`` MiB of zeros, about ``mib`` KiB long, never held whole.

    Each 1 MiB of zeros is the same ~1 KiB deflate block repeated; the trailer's CRC is only
    computed if a reader gets that far.
    """
    yield _GZIP_HEADER
    block = _zero_block()
    for _ in range(mib):
        yield block
    yield _FINAL_BLOCK + struct.pack("<II", _zeros_crc(mib), (mib * MIB) & 0xFFFFFFFF)


def gzip_bomb_size(mib: int) -> int:
    """The length of :func:`gzip_bomb` ``(mib)`` in bytes, for a Content-Length."""
    return len(_GZIP_HEADER) + mib * len(_zero_block()) + len(_FINAL_BLOCK) + 8


def zeros(total: int | None, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """``total`` zero bytes in chunks (endless when ``total`` is None), from one buffer."""
    buffer = bytes(chunk)
    sent = 0
    while total is None or sent < total:
        size = chunk if total is None else min(chunk, total - sent)
        yield buffer if size == chunk else buffer[:size]
        sent += size


async def stream_body(
    request: web.Request,
    chunks: Iterable[bytes],
    *,
    length: int | None = None,
    encoding: str | None = None,
) -> web.StreamResponse:
    """Answer ``request`` with ``chunks`` (chunked unless ``length`` is given), as sent."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    if length is not None:
        response.content_length = length
    if encoding is not None:
        response.headers["Content-Encoding"] = encoding
    await response.prepare(request)
    try:
        for chunk in chunks:
            await response.write(chunk)
        await response.write_eof()
    except ConnectionError:  # the client gave up on the body, as it should
        pass
    return response
