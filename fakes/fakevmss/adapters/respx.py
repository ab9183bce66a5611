"""The fake behind a respx router, for code that talks to ARM through httpx.

The router sends every request for ``base_url``'s host to ``fake.handle``. Use it as respx routers
are used: as a context manager that patches httpx, or unpatched as a transport::

    with fake.respx_router():
        async with httpx.AsyncClient() as http:
            await http.get("https://management.azure.com/subscriptions/...")

    router = fake.respx_router()
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))

An injected dropped connection raises ``httpx.ConnectError`` (the request never reached the
service) or ``httpx.RemoteProtocolError`` (it did, and the fake acted on it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import respx

from fakevmss._http import DroppedConnection, WireRequest

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = ["respx_router"]

# httpx recomputes these from the body it is given.
_SKIP_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding"})


def respx_router(
    fake: FakeCompute,
    *,
    base_url: str = "https://management.azure.com",
    assert_all_called: bool = False,
) -> respx.MockRouter:
    """A respx router that answers every request to ``base_url`` from ``fake``."""

    async def side_effect(request: httpx.Request) -> httpx.Response:
        wire = WireRequest(
            request.method, str(request.url), dict(request.headers), await request.aread()
        )
        try:
            answer = await fake.handle(wire)
        except DroppedConnection as exc:
            if exc.sent:
                raise httpx.RemoteProtocolError(str(exc), request=request) from exc
            raise httpx.ConnectError(str(exc), request=request) from exc
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _SKIP_HEADERS}
        return httpx.Response(answer.status, headers=headers, content=answer.body)

    router = respx.mock(base_url=base_url, assert_all_called=assert_all_called)
    router.route(name="fakevmss").mock(side_effect=side_effect)
    return router
