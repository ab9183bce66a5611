"""One incoming request parsed once: method, path, query and the headers the pipeline reads.

Also the ``x-ms-request-id`` source. Both sit on the hot path of every request, so they avoid
``parse_qsl`` when nothing needs decoding, scan the headers once, and make no uuid4 per request.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from fakevmss._http import WireRequest

__all__ = ["Incoming", "RequestIds", "first_values", "query_value"]

#: Headers the pipeline reads, lower-case, to their slot in ``_pick_headers``'s answer.
_WANTED = {
    "authorization": 0,
    "x-ms-correlation-request-id": 1,
    "x-ms-client-request-id": 2,
    "x-ms-fake-principal": 3,  # docs/fake/limits.md: who a request counts for
}


def first_values(query: str) -> dict[str, str]:
    """The first value of each query parameter (blank values kept), as ``parse_qsl`` reads them."""
    if "%" in query or "+" in query:
        pairs = parse_qsl(query, keep_blank_values=True)
    else:  # nothing to decode: the same pairs without parse_qsl's per-pair unquoting
        pairs = [pair.partition("=")[::2] for pair in query.split("&") if pair]
    result: dict[str, str] = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result


def query_value(query: dict[str, str], name: str) -> str | None:
    """The value of query parameter ``name`` (lower-case), matched case-insensitively."""
    for key, value in query.items():
        if key.lower() == name:
            return value
    return None


def _pick_headers(headers: Mapping[str, str]) -> list[str | None]:
    """Authorization, correlation id, client request id, fake principal: first of any case."""
    found: list[str | None] = [None, None, None, None]
    for key, value in headers.items():
        slot = _WANTED.get(key.lower())
        if slot is not None and found[slot] is None:
            found[slot] = value
    return found


@dataclass(slots=True)
class Incoming:
    """A request as the pipeline reads it (``query`` keeps the first value of each name)."""

    request: WireRequest
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    correlation_id: str | None
    client_id: str | None
    principal: str | None = None

    @classmethod
    def of(cls, request: WireRequest) -> Incoming:
        """Parse ``request`` once."""
        parts = urlsplit(request.url)
        authorization, correlation, client, principal = _pick_headers(request.headers)
        return cls(
            request,
            request.method.upper(),
            parts.path or "/",
            first_values(parts.query),
            authorization,
            correlation,
            client,
            principal,
        )


class RequestIds:
    """``x-ms-request-id`` values: a random UUID-shaped prefix per app and a counter.

    Unique within the app and practically unique across apps, far cheaper than a uuid4 per
    response, and still a well-formed version 4 UUID string.
    """

    __slots__ = ("_counter", "_prefix")

    def __init__(self) -> None:
        self._prefix = str(uuid.uuid4())[:24]
        self._counter = itertools.count(1)

    def next(self) -> str:
        """The next id."""
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFF:012x}"
