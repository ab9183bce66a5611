"""The fake as an in-process aiovmss transport: no sockets, no event-loop hops.

    async with ComputeClient(StaticTokenCredential("t"), fake.subscription_id,
                             transport=fake.transport(), clock=fake.clock) as client:
        ...

An injected dropped connection raises ``ServiceRequestError`` (the request never reached the
service) or ``ServiceResponseError`` (it did, and the fake acted on it). Only aiovmss's
transport types and errors are imported here, never its models.
"""

from __future__ import annotations

from typing import Any, Protocol

from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport import HttpRequest, HttpResponse
from fakevmss._http import DroppedConnection, WireRequest, WireResponse

__all__ = ["FakeTransport"]


class WireHandler(Protocol):
    """Anything with the fake's seam: ``FakeCompute`` or a bare ``WireApp``."""

    async def handle(self, request: WireRequest) -> WireResponse:
        """Answer one request."""
        ...


class FakeTransport:
    """An aiovmss ``AsyncTransport`` that hands every request to ``fake.handle``.

    Attributes:
        io_clock: the fake's clock (``None`` for a handler without one). Its delays (a
            ``slow_response`` fault) pass on that clock, so the client's per-attempt timeout
            runs on it too.
        closed: set by :meth:`aclose`.
    """

    __slots__ = ("_fake", "closed", "io_clock")

    def __init__(self, fake: WireHandler) -> None:
        self._fake = fake
        self.io_clock: Any = getattr(fake, "clock", None)
        self.closed = False

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` from the fake.

        Raises:
            ServiceRequestError: an injected drop before the fake acted.
            ServiceResponseError: an injected drop after the fake acted.
        """
        # The fake only reads the headers (and keeps none of them), so no copy is needed.
        wire = WireRequest(request.method, request.url, request.headers, request.body or b"")
        try:
            answer = await self._fake.handle(wire)
        except DroppedConnection as exc:
            where = f"{request.method} {request.url.split('?', 1)[0]}"
            if exc.sent:
                raise ServiceResponseError(f"{where}: {exc}") from exc
            raise ServiceRequestError(f"{where}: {exc}") from exc
        # HttpResponse copies the headers into its own case-insensitive mapping.
        return HttpResponse(answer.status, answer.headers, answer.body, request=request)

    async def aclose(self) -> None:
        """Nothing to release; safe to call any number of times."""
        self.closed = True

    def __repr__(self) -> str:
        return f"FakeTransport({self._fake!r})"
