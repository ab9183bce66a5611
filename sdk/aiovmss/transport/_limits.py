"""Bounded response bodies: a byte limit on the wire and after decompression, for any transport.

A body is refused as soon as it is known to be too large: its ``Content-Length`` before a byte
is read, a stream as soon as the bytes read pass the limit, a compressed body as soon as what it
inflates to passes it (``zlib`` with ``max_length``: a gzip bomb is never inflated whole). The
transports decompress themselves, through :class:`BoundedBody`, for that reason. The limit
bounds memory too: a refused body has cost at most about the limit, twice for a gzip one.
See docs/client/security.md.
"""

from __future__ import annotations

import zlib

from aiovmss._logging import redact_url
from aiovmss.errors import ResponseTooLargeError, ServiceResponseError
from aiovmss.transport._base import HttpRequest

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "BoundedBody",
    "check_max_response_bytes",
    "declared_too_large",
    "decode_bounded",
    "too_large",
]

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""64 MiB: a page of 1,000 VMs with every view expanded is under 10 MiB."""

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings :class:`BoundedBody` decodes, and so the only ones the transports ask for."""

_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS
_STEP = 4 * 1024 * 1024


def check_max_response_bytes(value: object) -> int:
    """``value`` if it is a positive int.

    Raises:
        TypeError: not an int (a bool is not one).
        ValueError: zero or negative.
    """
    if type(value) is not int:
        raise TypeError(f"max_response_bytes must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError("max_response_bytes must be at least 1")
    return value


def _where(request: HttpRequest | None) -> str:
    """``METHOD url: `` for a message, secret query values masked ("" without a request)."""
    return f"{request.method} {redact_url(request.url)}: " if request is not None else ""


def too_large(request: HttpRequest | None, limit: int, detail: str) -> ResponseTooLargeError:
    """The error for a body over ``limit``: ``METHOD url: detail`` (secret query values masked)."""
    return ResponseTooLargeError(
        f"{_where(request)}response body {detail}, over max_response_bytes={limit}", limit=limit
    )


def declared_too_large(request: HttpRequest, content_length: str | None, limit: int) -> None:
    """Refuse a response whose ``Content-Length`` is over ``limit``, before reading it.

    Raises:
        ResponseTooLargeError: it is.
    """
    if content_length is not None and content_length.isdigit() and int(content_length) > limit:
        raise too_large(request, limit, f"declared as {int(content_length)} bytes")


def _decompressor(encoding: str, first: bytes) -> zlib._Decompress:
    """A decompressor for ``encoding``; ``deflate`` sent raw (no zlib header) is accepted too."""
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(_GZIP)
    # RFC 9110 deflate is zlib-wrapped; some servers send raw deflate. The zlib header's low
    # nibble is 8 (the method): sniff it as aiohttp and httpx do.
    return zlib.decompressobj(_ZLIB if first and first[0] & 0x0F == 8 else _RAW_DEFLATE)


class BoundedBody:
    """Collects one response body, at most ``limit`` bytes on the wire and after decoding.

    ``encoding`` is the response's ``Content-Encoding`` (``None``, ``identity``, ``gzip``,
    ``x-gzip`` or ``deflate``; anything else raises ``ServiceResponseError``). Feed the wire
    chunks to :meth:`feed`, then take the body from :meth:`finish`.
    """

    __slots__ = (
        "_decoder",
        "_encoding",
        "_ended",
        "_parts",
        "_request",
        "decoded",
        "limit",
        "wire",
    )

    def __init__(self, limit: int, encoding: str | None, request: HttpRequest | None) -> None:
        self.limit = limit
        self.wire = 0
        self.decoded = 0
        self._encoding = _encoding_of(encoding, request)
        self._decoder: zlib._Decompress | None = None
        self._ended = False  # a deflate stream ended: what follows is ignored
        self._parts: list[bytes] = []
        self._request = request

    def feed(self, chunk: bytes) -> None:
        """Take the next chunk off the wire.

        Raises:
            ResponseTooLargeError: the wire bytes or the decoded bytes passed the limit.
            ServiceResponseError: a compressed body that does not decompress.
        """
        self.wire += len(chunk)
        if self.wire > self.limit:
            raise too_large(self._request, self.limit, f"passed {self.limit} bytes on the wire")
        if self._encoding is None:
            self.decoded = self.wire
            self._parts.append(chunk)
        elif chunk and not self._ended:
            self._inflate(chunk)

    def _inflate(self, data: bytes) -> None:
        # At most _STEP bytes a call: a bomb's output is never held twice while being joined.
        while True:
            decoder = self._decoder
            if decoder is None:
                decoder = self._decoder = _decompressor(self._encoding or "", data)
            step = min(self.limit - self.decoded + 1, _STEP)  # a byte over tells "too much"
            try:
                out = decoder.decompress(data, step)
            except zlib.error:
                raise self._damaged() from None
            self.decoded += len(out)
            if self.decoded > self.limit:
                raise too_large(self._request, self.limit, "passed the limit once decompressed")
            if out:
                self._parts.append(out)
            if decoder.eof:
                # gzip allows members back to back; what follows a deflate stream is ignored.
                self._ended = self._encoding == "deflate"
                data = b"" if self._ended else decoder.unused_data
                self._decoder = None
                if not data:
                    return
            else:
                data = decoder.unconsumed_tail
                if not data and len(out) < step:  # input used up and nothing held back
                    return

    def finish(self) -> bytes:
        """The whole decoded body (a compressed one cut short is left to the JSON decoder)."""
        parts, self._parts = self._parts, []
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _damaged(self) -> ServiceResponseError:
        return ServiceResponseError(
            f"{_where(self._request)}{self._encoding} body does not decompress"
        )


def _encoding_of(encoding: str | None, request: HttpRequest | None) -> str | None:
    """The one encoding to undo (None: identity).

    Raises:
        ServiceResponseError: an encoding the client never asked for (see ACCEPT_ENCODING).
    """
    value = (encoding or "").strip().lower()
    if value in ("", "identity"):
        return None
    if value in ("gzip", "x-gzip", "deflate"):
        return value
    raise ServiceResponseError(f"{_where(request)}unsupported Content-Encoding {value[:40]!r}")


def decode_bounded(
    body: bytes, encoding: str | None, limit: int, request: HttpRequest | None
) -> bytes:
    """``body`` (already within ``limit``) decoded per ``encoding``, refused past ``limit``.

    Raises:
        ResponseTooLargeError: it inflates past ``limit``.
        ServiceResponseError: it does not decompress, or the encoding is unsupported.
    """
    if not encoding:
        return body
    bounded = BoundedBody(limit, encoding, request)
    bounded.feed(body)
    return bounded.finish()
