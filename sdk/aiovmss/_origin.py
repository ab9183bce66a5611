"""Where the bearer token may go: one rule for every URL the client did not build itself.

The client builds its own URLs from ``base_url``. Every other URL (a page's ``nextLink``, an
LRO's ``Azure-AsyncOperation`` or ``Location`` header, the URLs in a continuation token) came
from a response or a caller, and is checked here before anything is sent to it. It must be an
absolute http(s) URL on the same scheme, host and port as ``base_url`` (``https://h`` and
``https://h:443`` are one origin), or on an https origin the user listed in
``trusted_origins``; never plain http unless ``base_url`` itself is, and never with user
information, whitespace, backslashes or control characters. ARM only sends URLs on its own
endpoint, so anything else is a compromised proxy or a bug, and the token must not follow it.
See docs/client/security.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiovmss.errors import UntrustedUrlError

__all__ = [
    "AllowedOrigins",
    "Origin",
    "check_url",
    "origin_text",
    "parse_origin",
    "refusal",
]

Origin = tuple[str, str, int]
"""``(scheme, host, port)``, lower case, the default port filled in."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(url: str) -> Origin:
    """The origin of an absolute http(s) ``url``.

    Raises:
        ValueError: whitespace, a backslash or a control character anywhere in ``url``, a
            scheme other than http(s), no host, user information, or a port that is not one.
    """
    if not url.isprintable() or " " in url or "\\" in url:
        raise ValueError("whitespace, a backslash or a control character in the URL")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise ValueError("not a parseable URL") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.netloc:
        raise ValueError("not an absolute http(s) URL")
    if "@" in parts.netloc:
        raise ValueError("user information in the URL")
    host = parts.hostname
    if not host:
        raise ValueError("no host in the URL")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("an invalid port in the URL") from None
    return scheme, host, _DEFAULT_PORTS[scheme] if port is None else port


def origin_text(origin: Origin) -> str:
    """``scheme://host:port`` (an IPv6 host in brackets)."""
    scheme, host, port = origin
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def _shown_origin(url: str) -> str:
    """As much of ``url``'s origin as is safe to show: never its userinfo, path or query."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "an unparseable URL"
    scheme, host = parts.scheme.lower(), parts.hostname
    if not host or not scheme or not (scheme + host).isprintable():
        return "an unparseable URL"
    return origin_text((scheme, host, _DEFAULT_PORTS.get(scheme, 0) if port is None else port))


@dataclass(frozen=True, slots=True)
class AllowedOrigins:
    """The origins the client sends its bearer token to: ``base``, then ``trusted`` ones.

    ``prefix`` (``https://host/``, or with ``:port`` when it is not the default) is a fast path:
    a URL starting with it is on ``base``'s origin without being parsed.
    """

    base: Origin
    trusted: frozenset[Origin]
    prefix: str

    @classmethod
    def of(cls, base_url: str, trusted_origins: Iterable[str] = ()) -> AllowedOrigins:
        """The origins of a client on ``base_url`` that also trusts ``trusted_origins``.

        Raises:
            TypeError: ``trusted_origins`` is a single str, or holds something else than str.
            ValueError: ``base_url`` has no usable origin, or a trusted origin is not a bare
                ``https://host[:port]`` (plain http is refused: the token would travel in clear).
        """
        try:
            base = parse_origin(base_url)
        except ValueError as exc:
            raise ValueError(f"base_url has no usable origin: {exc}") from None
        scheme, host, port = base
        shown = f"[{host}]" if ":" in host else host
        netloc = shown if port == _DEFAULT_PORTS[scheme] else f"{shown}:{port}"
        trusted = frozenset(_trusted_origin(item) for item in _strings(trusted_origins))
        return cls(base, trusted - {base}, f"{scheme}://{netloc}/")

    def names(self) -> tuple[str, ...]:
        """Every allowed origin as ``scheme://host:port``, base first."""
        return (origin_text(self.base), *sorted(origin_text(item) for item in self.trusted))


def _strings(values: Iterable[str]) -> list[str]:
    if isinstance(values, str | bytes):
        raise TypeError("trusted_origins must be a list of origins, not a single string")
    items = list(values)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"trusted_origins must hold str, not {type(item).__name__}")
    return items


def _trusted_origin(text: str) -> Origin:
    """The origin of one ``trusted_origins`` entry: ``https://host[:port]``, nothing else."""
    try:
        origin = parse_origin(text)
    except ValueError as exc:
        raise ValueError(f"trusted origin {text!r} is not usable: {exc}") from None
    if origin[0] != "https":
        raise ValueError(
            f"trusted origin {text!r} must be https: the bearer token is never sent over http"
        )
    parts = urlsplit(text)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"trusted origin {text!r} must be scheme://host[:port] only")
    return origin


def refusal(url: str, allowed: AllowedOrigins) -> tuple[str, str] | None:
    """None if the token may be sent to ``url``; else ``(origin shown, reason)``.

    The one decision behind every check: paging, LRO polling and continuation tokens.
    """
    try:
        origin = parse_origin(url)
    except ValueError as exc:
        return _shown_origin(url), str(exc)
    if origin == allowed.base or origin in allowed.trusted:
        return None
    if origin[0] == "http" and allowed.base[0] == "https":
        return origin_text(origin), "a downgrade from https to plain http"
    return origin_text(origin), "not the client's base_url origin nor a trusted origin"


def check_url(
    url: str, allowed: AllowedOrigins, *, what: str, operation: str, resource: str
) -> str:
    """``url`` itself if the bearer token may be sent there (see :func:`refusal`).

    Raises:
        UntrustedUrlError: naming ``what`` (``nextLink``, ``Location``, ...), the operation,
            the resource and the refused origin; never the URL's path or query.
    """
    # Every request and page pays this (benchmarks/client_bench.py, GET and list): a URL on
    # the base origin is recognised without parsing it. test_origin checks both paths agree.
    if url.startswith(allowed.prefix) and url.isprintable() and " " not in url and "\\" not in url:
        return url
    refused = refusal(url, allowed)
    if refused is None:
        return url
    origin, reason = refused
    context = f"{operation} {resource}".strip()
    raise UntrustedUrlError(
        f"{context}: the {what} URL leads to {origin} ({reason}); refused, nothing sent: the"
        f" bearer token goes only to {', '.join(allowed.names())} (trusted_origins= adds https"
        " origins)",
        origin=origin,
        reason=reason,
        operation=operation,
        resource=resource,
    )
