"""The next page's URL: resolved, read off a page's tail, and guarded against loops.

A listing follows URLs the service sends. :class:`LinkGuard` decides, before each next page is
requested (read ahead or not), whether it may be: on an allowed origin (:mod:`aiovmss._origin`),
not a page already requested (compared by :func:`link_key`, after normalising), and within the
page cap. See docs/client/security.md.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, quote, unquote_plus, urljoin, urlsplit

from aiovmss._origin import AllowedOrigins, check_url, refusal
from aiovmss.errors import PagingError

__all__ = [
    "DEFAULT_MAX_PAGES",
    "LinkGuard",
    "check_max_pages",
    "link_key",
    "next_page_url",
    "trailing_next_link",
]

DEFAULT_MAX_PAGES = 100_000
"""A listing of more pages than this stops with ``PagingError`` (ARM's pages hold up to 1,000)."""

_DEFAULT_PORT_SUFFIX = {"http": ":80", "https": ":443"}


def next_page_url(next_link: str | None, current_url: str, api_version: str) -> str | None:
    """The URL of the next page: ``nextLink`` as given (made absolute), or None when absent.

    ARM's nextLink already carries ``api-version``; one that lacks it gets the client's.
    """
    if not next_link:
        return None
    try:
        url = urljoin(current_url, next_link)
        query = urlsplit(url).query
    except ValueError:  # e.g. an unclosed IPv6 bracket: the origin check refuses it as is
        return next_link
    if "api-version" in parse_qs(query, keep_blank_values=True):
        return url
    separator = "&" if query else "?"
    return f"{url}{separator}api-version={quote(api_version, safe='')}"


_JSON_SPACE = b" \t\r\n"
_NEXT_LINK_KEY = b'"nextLink"'
_MAX_SPACE = 64


def trailing_next_link(body: bytes) -> str | None:
    """The top-level ``nextLink`` of a page body, read from its tail without parsing the page.

    Only the plain shape ARM sends is read: ``nextLink`` the last member of the outermost
    object, its value a string without escapes. For any valid JSON body the answer is then
    exact: a ``"`` right before ``}`` at the very end closes the last member of the root,
    and an unescaped ``"nextLink"`` right after ``{`` or ``,`` is that member's key. Any
    other shape gives ``None``. A damaged body may give a wrong link; the caller compares
    with the parsed ``nextLink`` and drops a wrong guess.
    """
    end = _last_token(body, len(body) - 1)
    if end < 0 or body[end] != 0x7D:  # }
        return None
    close = _last_token(body, end - 1)
    if close < 0 or body[close] != 0x22:  # "
        return None
    start = body.rfind(b'"', 0, close)
    if start < 0 or body.find(b"\\", start, close) >= 0:
        return None
    colon = _last_token(body, start - 1)
    if colon < 0 or body[colon] != 0x3A:  # :
        return None
    key_end = _last_token(body, colon - 1) + 1
    key_start = key_end - len(_NEXT_LINK_KEY)
    if key_start < 0 or body[key_start:key_end] != _NEXT_LINK_KEY:
        return None
    before = _last_token(body, key_start - 1)
    if before < 0 or body[before] not in b",{":
        return None
    try:
        return body[start + 1 : close].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _last_token(body: bytes, index: int) -> int:
    """The index of the last byte at or before ``index`` that is not JSON whitespace, or -1.

    Gives up (-1) after ``_MAX_SPACE`` whitespace bytes: ARM pads with a few at most, and a
    body padded with megabytes must not cost a byte-by-byte scan for a guess.
    """
    stop = max(index - _MAX_SPACE - 1, -1)
    while index > stop and body[index] in _JSON_SPACE:
        index -= 1
    return index if index > stop else -1


def link_key(url: str) -> bytes:
    """A 16-byte digest of ``url`` that two spellings of one page share.

    The fragment is dropped (it is never sent), scheme and host lower-cased, the default port
    dropped, and the query parameters decoded and sorted: a server cannot make a listing
    endless by repeating a link with its query reordered or a new fragment. A fixed-size
    digest keeps the memory of a long listing's seen links bounded. Plain string operations,
    not ``urlsplit``: this runs once a page (``url`` has passed the origin rule already).
    """
    head, _, query = url.partition("#")[0].partition("?")
    scheme, sep, rest = head.partition("://")
    if sep:
        scheme = scheme.lower()
        netloc, _, path = rest.partition("/")
        netloc = netloc.lower()
        suffix = _DEFAULT_PORT_SUFFIX.get(scheme)
        if suffix is not None and netloc.endswith(suffix):
            netloc = netloc[: -len(suffix)]
        head = f"{scheme}://{netloc}/{path}"
    params = sorted(
        unquote_plus(param) if "%" in param or "+" in param else param
        for param in query.split("&")
        if param
    )
    text = "\0".join((head, *params))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def check_max_pages(value: object) -> int:
    """``value`` if it is an int of at least 1.

    Raises:
        TypeError: not an int (a bool is not one).
        ValueError: below 1.
    """
    if type(value) is not int:
        raise TypeError(f"max_pages must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError("max_pages must be at least 1")
    return value


class LinkGuard:
    """Which next page one listing may request: allowed origin, never seen, within the cap.

    ``pages`` counts the pages requested so far, the first included. Holds one 16-byte
    digest per page, so at most ``max_pages`` of them.
    """

    __slots__ = ("_seen", "allowed", "max_pages", "operation", "pages", "resource")

    def __init__(
        self,
        first_url: str,
        allowed: AllowedOrigins,
        max_pages: int,
        *,
        operation: str,
        resource: str,
    ) -> None:
        self.allowed = allowed
        self.max_pages = max_pages
        self.operation = operation
        self.resource = resource
        self.pages = 1
        self._seen = {link_key(first_url)}

    def admits(self, url: str) -> bytes | None:
        """``url``'s key if :meth:`follow` would accept it; None if it would raise.

        For read-ahead, which must never send what following would refuse.
        """
        if self.pages >= self.max_pages or refusal(url, self.allowed) is not None:
            return None
        key = link_key(url)
        return None if key in self._seen else key

    def follow(self, url: str, key: bytes | None = None) -> str:
        """Record ``url`` as the next page to request and return it (``key``: its link_key).

        Raises:
            UntrustedUrlError: ``url`` is off the allowed origins, or malformed.
            PagingError: ``url`` was requested before, or the listing is at ``max_pages``.
        """
        where = f"{self.operation} {self.resource}"
        check_url(
            url, self.allowed, what="nextLink", operation=self.operation, resource=self.resource
        )
        if self.pages >= self.max_pages:
            raise self._error(
                f"{where}: more than max_pages={self.max_pages} pages; stopping (a listing"
                " that long is taken for a service that pages endlessly)"
            )
        key = link_key(url) if key is None else key
        if key in self._seen:
            raise self._error(
                f"{where}: the service repeated a nextLink after {self.pages} pages;"
                " stopping to avoid an endless loop"
            )
        self._seen.add(key)
        self.pages += 1
        return url

    def _error(self, message: str) -> PagingError:
        return PagingError(
            message, pages=self.pages, operation=self.operation, resource=self.resource
        )
