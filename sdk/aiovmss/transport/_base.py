"""The one seam between the client and any HTTP library: request, response, transport protocol."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Protocol, runtime_checkable

from aiovmss._clock import Clock
from aiovmss._json import loads
from aiovmss._logging import REDACTED, SECRET_HEADERS

__all__ = ["AsyncTransport", "Headers", "HttpRequest", "HttpResponse", "transport_io_clock"]


class Headers(MutableMapping[str, str]):
    """A case-insensitive header mapping that remembers the spelling it was given."""

    __slots__ = ("_items",)

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> None:
        items: dict[str, tuple[str, str]] = {}
        self._items = items
        if data is not None:
            # ``type is dict`` first: the ABC check of isinstance(Mapping) costs more than a copy.
            pairs = data.items() if type(data) is dict or isinstance(data, Mapping) else data
            for key, value in pairs:
                items[key.lower()] = (key, value)

    @classmethod
    def view(cls, source: Mapping[str, str]) -> Headers:
        """Headers copied from ``source`` on first use; ``source`` must not change meanwhile.

        For a transport's response headers, which the client often never reads: the copy (a
        tuple per header) is made only if they are read.
        """
        return _HeadersView(source)

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __setitem__(self, key: str, value: str) -> None:
        self._items[key.lower()] = (key, value)

    def __delitem__(self, key: str) -> None:
        del self._items[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        # The bearer token must never reach a log line or a traceback through a repr.
        shown = {
            key: REDACTED if lowered in SECRET_HEADERS else value
            for lowered, (key, value) in self._items.items()
        }
        return f"Headers({shown!r})"

    def copy(self) -> Headers:
        """Return a shallow copy."""
        return Headers(self.items())

    def lookup(self, lowered: str) -> str | None:
        """The value of header ``lowered`` (a lower-case name), or None; no exception raised."""
        item = self._items.get(lowered)
        return None if item is None else item[1]


class _HeadersView(Headers):
    """:class:`Headers` whose pairs are copied from a read-only mapping when first needed."""

    __slots__ = ("_source",)

    def __init__(self, source: Mapping[str, str]) -> None:
        """Wrap ``source``; nothing is copied yet."""
        self._source: Mapping[str, str] | None = source  # ``_items`` stays unset until read

    def __getattr__(self, name: str) -> dict[str, tuple[str, str]]:
        # Reached only while the ``_items`` slot is unset: copy the source once, then drop it.
        if name != "_items" or self._source is None:
            raise AttributeError(name)
        items = Headers(self._source)._items
        self._items = items
        self._source = None
        return items


class HttpRequest:
    """An HTTP request: method, absolute URL (query included), headers and a byte body."""

    __slots__ = ("body", "headers", "method", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> None:
        self.method = method.upper()
        self.url = url
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body

    def __repr__(self) -> str:
        # Never the headers or body: they carry the bearer token and secrets.
        return f"<HttpRequest {self.method} {self.url}>"


class HttpResponse:
    """An HTTP response with plain attributes: ``status_code``, ``headers``, ``body``."""

    __slots__ = ("body", "headers", "request", "status_code")

    def __init__(
        self,
        status_code: int,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        request: HttpRequest | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body
        self.request = request

    def json(self) -> Any:
        """Decode the body as JSON (``ValueError`` if it is not JSON, or nested too deeply)."""
        return loads(self.body)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8, with replacement characters for bad bytes."""
        return self.body.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"<HttpResponse {self.status_code}>"


@runtime_checkable
class AsyncTransport(Protocol):
    """Sends one request and returns its response.

    Failures below HTTP raise ``ServiceRequestError`` (never sent) or ``ServiceResponseError``
    (sent, no complete answer), both from :mod:`aiovmss.errors`.

    A transport may also have an ``io_clock`` attribute: the clock (``now()`` + ``async
    sleep()``) its I/O runs on, which the per-attempt timeout then uses. Without one (or
    ``None``) its I/O runs in real time on the event loop, as with sockets. ``fakevmss``'s
    in-process transport reports the fake's clock, whose delays are virtual. See
    :func:`transport_io_clock` and ``docs/client/clock.md``.
    """

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the complete response."""
        ...

    async def aclose(self) -> None:
        """Release the transport's resources; safe to call twice."""
        ...


def transport_io_clock(transport: object) -> Clock | None:
    """The clock ``transport``'s I/O runs on, or ``None`` for real time on the event loop.

    Read from the optional ``io_clock`` attribute, so a transport without one keeps working.

    Raises:
        TypeError: ``io_clock`` is set but lacks ``now()`` and ``sleep()``.
    """
    clock = getattr(transport, "io_clock", None)
    if clock is not None and not isinstance(clock, Clock):
        raise TypeError(
            f"{type(transport).__name__}.io_clock must have now() and async sleep(), "
            f"not {type(clock).__name__}"
        )
    return clock
