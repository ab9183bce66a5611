"""The default transport, on aiohttp (the only client module that imports aiohttp)."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from aiovmss._logging import redact_url
from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport._base import Headers, HttpRequest, HttpResponse
from aiovmss.transport._limits import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_RESPONSE_BYTES,
    BoundedBody,
    check_max_response_bytes,
    declared_too_large,
    decode_bounded,
)

__all__ = ["AiohttpTransport"]

# Failures before the request left the client: it never reached the service.
_NOT_SENT = (
    aiohttp.ClientConnectorError,
    aiohttp.ClientProxyConnectionError,
    aiohttp.ConnectionTimeoutError,
)


def _plain(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` as a plain dict, the cheapest input for aiohttp's header handling."""
    if type(headers) is Headers:
        # Headers keeps (spelling, value) pairs by lower-cased name: one C-level dict() call.
        return dict(headers._items.values())
    return dict(headers)


def _response_headers(raw: Mapping[str, str], decoded: bool) -> Headers:
    """The response's headers; copied only when read (most successful answers never are)."""
    if decoded and "Content-Encoding" in raw:
        headers = Headers(raw)
        del headers["content-encoding"]  # the body is decoded already (by aiohttp, or by us)
        return headers
    return Headers.view(raw)  # aiohttp's CIMultiDictProxy: read-only, owned by the response


async def _read(
    raw: aiohttp.ClientResponse, request: HttpRequest, limit: int, *, undo: bool, inflated: bool
) -> bytes:
    """The body, refused past ``limit`` bytes on the wire or decoded (see transport/_limits).

    ``undo``: decompress here (the owned session); ``inflated``: aiohttp decompresses (a
    caller's session, by default), so what it hands over is counted. With a Content-Length,
    no chunking and no decompression by aiohttp, the parser stops at that length, so one
    ``read()`` is bounded: the fast path, as cheap as before (benchmarks/client_bench.py).
    Otherwise the body is read chunk by chunk and counted; test_response_limits checks both
    paths give the same body.
    """
    headers = raw.headers
    length = headers.get("Content-Length")
    declared_too_large(request, length, limit)
    encoding = headers.get("Content-Encoding")
    bounded_by_length = length is not None and "Transfer-Encoding" not in headers
    if bounded_by_length and (encoding is None or not inflated):
        body = await raw.read()
        return decode_bounded(body, encoding, limit, request) if undo else body
    body_parts = BoundedBody(limit, encoding if undo else None, request)
    async for chunk in raw.content.iter_any():
        body_parts.feed(chunk)
    return body_parts.finish()


def _message(request: HttpRequest, exc: BaseException) -> str:
    """``METHOD url: reason``, with secret query values (``sig``, ``token``) masked."""
    return f"{request.method} {redact_url(request.url)}: {str(exc) or type(exc).__name__}"


class AiohttpTransport:
    """Sends requests with an ``aiohttp.ClientSession``.

    The session is created lazily inside the running loop and closed by :meth:`aclose`, unless
    the caller passed one: a caller's session is used as it is and never closed. Bodies arrive
    decoded (gzip/deflate undone, ``Content-Encoding`` dropped); redirects are not followed.

    A body over ``max_response_bytes``, on the wire or once decompressed, raises
    ``ResponseTooLargeError`` as soon as that is known, and its connection is closed. The owned
    session leaves decompression to this transport, which bounds it; a caller's session is
    used as configured: one that decompresses (aiohttp's default) is bounded by what it hands
    over, one with ``auto_decompress=False`` hands the body over still encoded.

    Args:
        session: an existing session to use (not owned).
        connector_limit: connection pool size for an owned session.
        timeout: total seconds per request for an owned session (``None``: none; the client's
            own per-attempt timeout runs on its clock).
        max_response_bytes: the largest body accepted (default 64 MiB).
    """

    __slots__ = ("_closed", "_connector_limit", "_limit", "_owned", "_session", "_timeout")

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        connector_limit: int = 100,
        timeout: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._session = session
        self._owned = session is None
        self._connector_limit = connector_limit
        self._timeout = timeout
        self._limit = check_max_response_bytes(max_response_bytes)
        self._closed = False

    @property
    def max_response_bytes(self) -> int:
        """The largest response body accepted, in bytes."""
        return self._limit

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            if self._closed:
                raise RuntimeError("AiohttpTransport is closed")
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connector_limit),
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                auto_decompress=False,  # decompressed in _read, within max_response_bytes
            )
        return self._session

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; map aiohttp failures to ``ServiceRequestError``/``ResponseError``."""
        session = self._get_session()
        headers = _plain(request.headers)
        undo, inflated = self._owned, session.auto_decompress
        if undo and "accept-encoding" not in request.headers:
            headers["Accept-Encoding"] = ACCEPT_ENCODING  # only what _read can decode
        try:
            raw = await session.request(
                request.method,
                request.url,
                headers=headers,
                data=request.body,
                allow_redirects=False,
            )
            # read() hands the connection back once the body is in; release() after it is a
            # no-op. Cheaper than ``async with raw`` (two coroutines, and a wait on a writer
            # that read() has already waited for). A failed read closes the connection: a
            # body left half-read (too large, say) must never be read by the next request.
            try:
                body = await _read(raw, request, self._limit, undo=undo, inflated=inflated)
            except BaseException:
                raw.close()
                raise
            raw.release()
        except _NOT_SENT as exc:
            raise ServiceRequestError(_message(request, exc)) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise ServiceResponseError(_message(request, exc)) from exc
        decoded = undo or inflated
        return HttpResponse(raw.status, _response_headers(raw.headers, decoded), body, request)

    async def aclose(self) -> None:
        """Close the session if this transport created it; safe to call twice."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owned:
            await session.close()

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AiohttpTransport owned={self._owned} closed={self._closed}>"
