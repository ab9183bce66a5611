"""What the served fake refuses before any route runs, and why (docs/fake/http.md).

Pure decisions over a few facts of a request; the server adapter's middleware gathers the
facts and answers the refusal, so every route (the ARM surface, ``/_fake/*``, pages added
later) is covered without doing anything itself.

- **DNS rebinding.** A web page on ``evil.example`` whose name the attacker re-points at
  127.0.0.1 makes the browser send it ``Host: evil.example:PORT``. Only the address the
  server is bound to is accepted (plus ``localhost``, ``127.0.0.1`` and ``[::1]`` when bound
  to loopback, and the names the user allowed): anything else is a 421.
- **Cross-origin requests.** A request whose ``Origin`` is not the server's own is a 403.
- **Simple requests and forms.** A ``/_fake/`` POST, PUT, PATCH or DELETE may only carry a
  JSON body (``Content-Type: application/json``): a page can send ``text/plain``,
  ``application/x-www-form-urlencoded`` or ``multipart/form-data`` without asking the server
  first (no CORS preflight), never ``application/json``. Anything else is a 415, and so is
  an empty body labelled with one of those three types (an empty ``<form>``).
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import Any

from fakevmss._errors import (
    CROSS_ORIGIN_REFUSED,
    HOST_NOT_ALLOWED,
    INVALID_HOST_HEADER,
    UNSUPPORTED_MEDIA_TYPE,
    ArmException,
)

__all__ = [
    "CONTROL_PREFIX",
    "Allowed",
    "Authority",
    "HostRules",
    "RequestFacts",
    "host_rules",
    "one_line",
    "parse_allowed_host",
    "refusal",
    "served_authority",
]

#: Every control-API path starts with this.
CONTROL_PREFIX = "/_fake/"
#: Methods that change state: their ``/_fake/`` bodies must be JSON.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Names that mean "this machine" when the server is bound to a loopback address.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
#: Longest piece of a refused header quoted back in an error or a log line.
QUOTE_LIMIT = 100
_NOT_IN_HOST = frozenset(" \t/\\?#@[]")


@dataclass(frozen=True, slots=True)
class Authority:
    """A host (lower-case; an IPv6 address in brackets) and a port."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def _port(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or int(text) > 65535:
        return None
    return int(text)


def _split_authority(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` as (lower-case host, port or None), or None if malformed."""
    if value.startswith("["):
        inner, bracket, rest = value[1:].partition("]")
        if not bracket:
            return None
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            return None
        host = f"[{inner.lower()}]"
    else:
        host, colon, port_text = value.partition(":")
        rest = colon + port_text
        if not host or any(c in _NOT_IN_HOST or not c.isprintable() for c in host):
            return None
        host = host.lower()
    if not rest:
        return host, None
    port = _port(rest[1:]) if rest.startswith(":") else None
    return None if port is None else (host, port)


def parse_authority(value: str, default_port: int) -> Authority | None:
    """``host[:port]`` (a ``Host`` header, an origin's authority), or None if malformed."""
    found = _split_authority(value)
    if found is None:
        return None
    host, port = found
    return Authority(host, default_port if port is None else port)


def parse_allowed_host(name: str) -> tuple[str, int | None]:
    """An ``--allow-host`` value: ``NAME`` (on the bound port) or ``NAME:PORT``.

    Raises:
        ValueError: not a host name or address, with an optional port (no wildcards).
    """
    found = _split_authority(name)
    if found is None or "*" in name:
        raise ValueError(f"not a host name or host:port (no wildcards): {name!r}")
    return found


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


Allowed = tuple[tuple[str, int | None], ...]


class HostRules:
    """The authorities that name this server, for one socket address it accepted a request on.

    Args:
        address: the IP address the connection arrived on (the socket's own address).
        port: the socket's port.
        allowed: ``(name, port or None)`` pairs the user allowed; None means ``port``.
    """

    def __init__(self, address: str, port: int, allowed: Allowed) -> None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        names = {_bracketed(address.lower())}
        if mapped is not None:
            names.add(str(mapped))
        if ip.is_loopback or (mapped is not None and mapped.is_loopback):
            names.update(LOOPBACK_NAMES)
        self.served = Authority(_bracketed(str(mapped or ip)), port)
        self.accepted = {Authority(name, port) for name in names}
        self.accepted.update(Authority(name, p or port) for name, p in allowed)

    def accepts(self, authority: Authority) -> bool:
        """Whether ``authority`` names this server."""
        return authority in self.accepted


@functools.lru_cache(maxsize=64)
def host_rules(address: str, port: int, allowed: Allowed) -> HostRules:
    """The (cached) rules of one socket address: a server has few, every request asks."""
    return HostRules(address, port, allowed)


def served_authority(sockname: Any) -> str | None:
    """``host:port`` of a bound socket address (IPv6 in brackets); None if not an IP socket."""
    if not isinstance(sockname, tuple) or len(sockname) < 2:
        return None
    return f"{_bracketed(str(sockname[0]))}:{sockname[1]}"


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the guards read from a request (every header value as received)."""

    method: str
    path: str
    http_10: bool
    hosts: tuple[str, ...]
    origins: tuple[str, ...]
    content_type: str | None
    has_body: bool
    secure: bool
    #: The socket's own address: ``(ip, port, ...)``, a Unix socket's path, or None once the
    #: connection is gone.
    sockname: Any

    @property
    def scheme(self) -> str:
        """``https`` or ``http``, as the connection was made."""
        return "https" if self.secure else "http"

    @property
    def default_port(self) -> int:
        """The port a ``Host`` without one means."""
        return 443 if self.secure else 80


def one_line(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` on one bounded line: whitespace runs collapsed, unprintables escaped."""
    flat = " ".join(text.split())
    safe = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in flat)
    return safe if len(safe) <= limit else safe[: limit - 3] + "..."


def _quote(value: str) -> str:
    return repr(one_line(value))


def refusal(facts: RequestFacts, allowed: Allowed = ()) -> ArmException | None:
    """The error to answer instead of handling the request, or None to handle it.

    ``allowed``: the names the user allowed besides the bound address (``--allow-host``).
    A request on a Unix socket (which no web page can reach) has its ``Host`` unchecked.
    """
    rules: HostRules | None = None
    if isinstance(facts.sockname, tuple) and len(facts.sockname) >= 2:
        rules = host_rules(str(facts.sockname[0]), int(facts.sockname[1]), allowed)
    elif not isinstance(facts.sockname, str | bytes):  # the connection is gone: fail closed
        return ArmException(421, HOST_NOT_ALLOWED, "The connection closed before its check.")
    return (
        _host_refusal(facts, rules) or _origin_refusal(facts, rules) or _content_type_refusal(facts)
    )


def _host_refusal(facts: RequestFacts, rules: HostRules | None) -> ArmException | None:
    if len(facts.hosts) > 1:
        return ArmException(400, INVALID_HOST_HEADER, "The request has more than one Host header.")
    if not facts.hosts:
        if facts.http_10:
            return None  # HTTP/1.0 may omit it; URLs then name the bound address
        return ArmException(400, INVALID_HOST_HEADER, "An HTTP/1.1 request needs a Host header.")
    authority = parse_authority(facts.hosts[0], facts.default_port)
    if authority is None:
        message = f"The Host header {_quote(facts.hosts[0])} is not a valid host[:port]."
        return ArmException(400, INVALID_HOST_HEADER, message)
    if rules is None or rules.accepts(authority):
        return None
    served = f"{facts.scheme}://{rules.served}"
    return ArmException(
        421,
        HOST_NOT_ALLOWED,
        f"The Host header {_quote(facts.hosts[0])} does not name this server ({served}): "
        "refused as a guard against DNS rebinding. Use "
        f"{served}, or allow the name with --allow-host NAME (aiohttp_app(allowed_hosts=...)).",
    )


def _origin_refusal(facts: RequestFacts, rules: HostRules | None) -> ArmException | None:
    if not facts.origins:
        return None
    origin = facts.origins[0]
    scheme, sep, rest = origin.partition("://")
    authority = parse_authority(rest, facts.default_port) if sep else None
    if len(facts.origins) == 1 and scheme.lower() == facts.scheme and authority is not None:
        host = parse_authority(facts.hosts[0], facts.default_port) if facts.hosts else None
        if rules.accepts(authority) if rules is not None else authority == host:
            return None
    return ArmException(
        403,
        CROSS_ORIGIN_REFUSED,
        f"Cross-origin request refused: Origin {_quote(origin)} is not this server's own "
        "origin, and no web page may read or change the fake's state.",
    )


#: The content types a web page may send cross-origin without asking first (the Fetch
#: standard's CORS-safelisted ones: a ``<form>`` or a "simple" request).
SIMPLE_CONTENT_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def _content_type_refusal(facts: RequestFacts) -> ArmException | None:
    """A state-changing control request must not be what a page can send unasked.

    A body must be ``application/json``; an empty one may carry any type but a simple one
    (aiohttp's client labels an empty POST ``application/octet-stream``; an empty ``<form>``
    is ``application/x-www-form-urlencoded``).
    """
    if facts.method.upper() not in UNSAFE_METHODS or not facts.path.startswith(CONTROL_PREFIX):
        return None
    media_type = None if facts.content_type is None else _media_type(facts.content_type)
    if media_type == "application/json":
        return None
    if not facts.has_body and media_type not in SIMPLE_CONTENT_TYPES:
        return None  # nothing to parse, and not a form (curl -X POST .../_fake/reset)
    got = "none" if facts.content_type is None else _quote(facts.content_type)
    return ArmException(
        415,
        UNSUPPORTED_MEDIA_TYPE,
        f"A control request's body must be JSON sent with 'Content-Type: application/json' "
        f"(got {got}), which no web page can send without asking first. With curl: "
        "--json '{...}', or -H 'Content-Type: application/json' -d '{...}'.",
    )
