"""A transport on httpx (extra ``[httpx]``; the only client module that imports httpx)."""

from __future__ import annotations

import httpx

from aiovmss._clock import Clock
from aiovmss._logging import redact_url
from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport._base import Headers, HttpRequest, HttpResponse
from aiovmss.transport._limits import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_RESPONSE_BYTES,
    BoundedBody,
    check_max_response_bytes,
    declared_too_large,
    too_large,
)

__all__ = ["HttpxTransport"]

# Failures before the request left the client: it never reached the service.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


class HttpxTransport:
    """Sends requests with an ``httpx.AsyncClient``.

    The client is created lazily and closed by :meth:`aclose`, unless the caller passed one: a
    caller's client is used as it is and never closed. Bodies arrive decoded (``Content-Encoding``
    dropped); redirects are not followed.

    Bodies are streamed and decompressed here, not by httpx, so that one over
    ``max_response_bytes`` (on the wire or decompressed) raises ``ResponseTooLargeError`` as
    soon as that is known; its connection is closed.

    Args:
        client: an existing ``httpx.AsyncClient`` to use (not owned).
        max_response_bytes: the largest body accepted (default 64 MiB).
        io_clock: the clock the client's I/O runs on when it is not the network (a respx
            router serving ``fakevmss`` on its virtual clock: pass ``fake.clock``); ``None``
            (default) is real time. The per-attempt timeout runs on it.
    """

    __slots__ = ("_client", "_closed", "_limit", "_owned", "io_clock")

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        io_clock: Clock | None = None,
    ) -> None:
        self._client = client
        self._owned = client is None
        self._limit = check_max_response_bytes(max_response_bytes)
        self._closed = False
        self.io_clock = io_clock

    @property
    def max_response_bytes(self) -> int:
        """The largest response body accepted, in bytes."""
        return self._limit

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            if self._closed:
                raise RuntimeError("HttpxTransport is closed")
            self._client = httpx.AsyncClient(timeout=None, follow_redirects=False)
        return self._client

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; map httpx failures to ``ServiceRequestError``/``ResponseError``."""
        client = self._get_client()
        pairs = list(request.headers.items())
        if "accept-encoding" not in request.headers:
            pairs.append(("Accept-Encoding", ACCEPT_ENCODING))  # only what BoundedBody decodes
        try:
            built = client.build_request(
                request.method, request.url, headers=pairs, content=request.body
            )
            raw = await client.send(built, stream=True, follow_redirects=False)
            try:
                body = await self._read(raw, request)
            finally:
                await raw.aclose()  # a body left unread closes its connection (httpcore)
        except _NOT_SENT as exc:
            raise ServiceRequestError(_message(request, exc)) from exc
        except httpx.TransportError as exc:
            raise ServiceResponseError(_message(request, exc)) from exc
        headers = Headers(raw.headers.multi_items())
        if "content-encoding" in headers:
            del headers["content-encoding"]  # decoded in _read
        return HttpResponse(raw.status_code, headers, body, request)

    async def _read(self, raw: httpx.Response, request: HttpRequest) -> bytes:
        """The body off the wire, decoded, refused past the limit (see transport/_limits)."""
        declared_too_large(request, raw.headers.get("content-length"), self._limit)
        if raw.is_stream_consumed:  # built in memory (a mock transport): httpx decoded it
            content = raw.content
            if len(content) > self._limit:
                raise too_large(request, self._limit, f"of {len(content)} bytes")
            return content
        body = BoundedBody(self._limit, raw.headers.get("content-encoding"), request)
        async for chunk in raw.aiter_raw():
            body.feed(chunk)
        return body.finish()

    async def aclose(self) -> None:
        """Close the client if this transport created it; safe to call twice."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None and self._owned:
            await client.aclose()

    async def __aenter__(self) -> HttpxTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<HttpxTransport owned={self._owned} closed={self._closed}>"


def _message(request: HttpRequest, exc: Exception) -> str:
    """``METHOD url: reason``, with secret query values (``sig``, ``token``) masked."""
    return f"{request.method} {redact_url(request.url)}: {str(exc) or type(exc).__name__}"
