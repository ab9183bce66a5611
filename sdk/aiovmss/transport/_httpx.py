"""A transport on httpx (extra ``[httpx]``; the only client module that imports httpx)."""

from __future__ import annotations

import httpx

from aiovmss._clock import Clock
from aiovmss._logging import redact_url
from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport._base import Headers, HttpRequest, HttpResponse

__all__ = ["HttpxTransport"]

# Failures before the request left the client: it never reached the service.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


class HttpxTransport:
    """Sends requests with an ``httpx.AsyncClient``.

    The client is created lazily and closed by :meth:`aclose`, unless the caller passed one: a
    caller's client is used as it is and never closed. Bodies arrive decoded (``Content-Encoding``
    dropped); redirects are not followed.

    Args:
        client: an existing ``httpx.AsyncClient`` to use (not owned).
        io_clock: the clock the client's I/O runs on when it is not the network (a respx
            router serving ``fakevmss`` on its virtual clock: pass ``fake.clock``); ``None``
            (default) is real time. The per-attempt timeout runs on it.
    """

    __slots__ = ("_client", "_closed", "_owned", "io_clock")

    def __init__(
        self, client: httpx.AsyncClient | None = None, *, io_clock: Clock | None = None
    ) -> None:
        self._client = client
        self._owned = client is None
        self._closed = False
        self.io_clock = io_clock

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            if self._closed:
                raise RuntimeError("HttpxTransport is closed")
            self._client = httpx.AsyncClient(timeout=None, follow_redirects=False)
        return self._client

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; map httpx failures to ``ServiceRequestError``/``ResponseError``."""
        client = self._get_client()
        try:
            raw = await client.request(
                request.method,
                request.url,
                headers=list(request.headers.items()),
                content=request.body,
                follow_redirects=False,
            )
        except _NOT_SENT as exc:
            raise ServiceRequestError(_message(request, exc)) from exc
        except httpx.TransportError as exc:
            raise ServiceResponseError(_message(request, exc)) from exc
        headers = Headers(raw.headers.multi_items())
        if "content-encoding" in headers:
            del headers["content-encoding"]  # httpx has decoded the body already
        return HttpResponse(raw.status_code, headers, raw.content, request)

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
