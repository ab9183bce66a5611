"""The fake's one seam with every adapter: a neutral request in, a neutral response out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DroppedConnection", "RequestRecord", "WireRequest", "WireResponse"]


@dataclass(slots=True)
class WireRequest:
    """What an adapter hands the fake: method, absolute URL with query, headers, raw body."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header ``name``, matched case-insensitively."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@dataclass(slots=True)
class WireResponse:
    """What the fake answers: status, headers, raw body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class DroppedConnection(Exception):
    """An injected fault: the connection drops.

    ``sent`` says whether the request reached the service (and was acted on) before the drop;
    adapters turn it into their library's connection error.
    """

    def __init__(self, *, sent: bool) -> None:
        super().__init__("connection dropped " + ("after" if sent else "before") + " the request")
        self.sent = sent


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the fake answered: virtual time, method, path (no query), query, status.

    Never holds headers or bodies, so no token or secret can leak through ``fake.requests``.
    """

    time: float
    method: str
    path: str
    query: dict[str, str]
    status: int
    api_version: str | None
    client_request_id: str | None = None
