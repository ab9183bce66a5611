"""What every request carries besides its URL: a JSON body, a client request id, a User-Agent."""

from __future__ import annotations

import json as _json
import os
import platform
from collections.abc import Callable
from typing import Any

from aiovmss._version import __version__

__all__ = ["dumps_json", "request_id", "user_agent"]

# The version (4) and variant (RFC 4122) bits of a random UUID, and the mask that clears them.
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)
_UUID4_MASK = ((1 << 128) - 1) ^ ((0xF000 << 64) | (0xC000 << 48))


def _stdlib_dumps(value: Any) -> bytes:
    return _json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _make_dumps() -> Callable[[Any], bytes]:
    try:
        import orjson
    except ImportError:  # orjson is an optional speed-up
        return _stdlib_dumps

    def dumps(value: Any) -> bytes:
        try:
            return orjson.dumps(value)
        except TypeError:  # e.g. an int beyond 64 bits: let the stdlib decide
            return _stdlib_dumps(value)

    return dumps


dumps_json: Callable[[Any], bytes] = _make_dumps()
dumps_json.__doc__ = "Serialise ``value`` as compact UTF-8 JSON (orjson when installed)."


def request_id() -> str:
    """A random UUID4 string for ``x-ms-client-request-id`` (as ``str(uuid.uuid4())``, faster)."""
    # uuid.uuid4() builds a UUID object only to format it: half the cost of a request id.
    n = int.from_bytes(os.urandom(16), "big") & _UUID4_MASK | _UUID4_BITS
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def user_agent(application_id: str | None = None) -> str:
    """``aiovmss/<version> Python/<version>``, with ``application_id`` in front if given."""
    base = f"aiovmss/{__version__} Python/{platform.python_version()}"
    if not application_id:
        return base
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in application_id):
        raise ValueError("application_id must not contain control characters")
    return f"{application_id} {base}"
