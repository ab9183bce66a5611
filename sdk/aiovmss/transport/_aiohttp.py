"""The default transport, on aiohttp (the only client module that imports aiohttp)."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from aiovmss._logging import redact_url
from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport._base import Headers, HttpRequest, HttpResponse

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


def _response_headers(raw: Mapping[str, str], session: aiohttp.ClientSession) -> Headers:
    """The response's headers; copied only when read (most successful answers never are)."""
    if session.auto_decompress and "Content-Encoding" in raw:
        headers = Headers(raw)
        del headers["content-encoding"]  # aiohttp has decoded the body already
        return headers
    return Headers.view(raw)  # aiohttp's CIMultiDictProxy: read-only, owned by the response


def _message(request: HttpRequest, exc: BaseException) -> str:
    """``METHOD url: reason``, with secret query values (``sig``, ``token``) masked."""
    return f"{request.method} {redact_url(request.url)}: {str(exc) or type(exc).__name__}"


class AiohttpTransport:
    """Sends requests with an ``aiohttp.ClientSession``.

    The session is created lazily inside the running loop and closed by :meth:`aclose`, unless
    the caller passed one: a caller's session is used as it is and never closed. Bodies arrive
    decoded (gzip/deflate undone, ``Content-Encoding`` dropped); redirects are not followed.

    Args:
        session: an existing session to use (not owned).
        connector_limit: connection pool size for an owned session.
        timeout: total seconds per request for an owned session (``None``: none; the client's
            own per-attempt timeout runs on its clock).
    """

    __slots__ = ("_closed", "_connector_limit", "_owned", "_session", "_timeout")

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        connector_limit: int = 100,
        timeout: float | None = None,
    ) -> None:
        self._session = session
        self._owned = session is None
        self._connector_limit = connector_limit
        self._timeout = timeout
        self._closed = False

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            if self._closed:
                raise RuntimeError("AiohttpTransport is closed")
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connector_limit),
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            )
        return self._session

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request``; map aiohttp failures to ``ServiceRequestError``/``ResponseError``."""
        session = self._get_session()
        try:
            raw = await session.request(
                request.method,
                request.url,
                headers=_plain(request.headers),
                data=request.body,
                allow_redirects=False,
            )
            # read() hands the connection back once the body is in; release() covers a failed
            # read. Cheaper than ``async with raw`` (two coroutines, and a wait on a writer
            # that read() has already waited for).
            try:
                body = await raw.read()
            finally:
                raw.release()
        except _NOT_SENT as exc:
            raise ServiceRequestError(_message(request, exc)) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise ServiceResponseError(_message(request, exc)) from exc
        return HttpResponse(raw.status, _response_headers(raw.headers, session), body, request)

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
