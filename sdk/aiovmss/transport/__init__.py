"""Transports: the seam between the client and an HTTP library.

``AiohttpTransport`` (the default) and ``HttpxTransport`` (extra ``[httpx]``) are imported on
first use, so importing the seam types never pulls in an HTTP library.
"""

from typing import TYPE_CHECKING, Any

from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport._base import (
    AsyncTransport,
    Headers,
    HttpRequest,
    HttpResponse,
    transport_io_clock,
)

if TYPE_CHECKING:
    from aiovmss.transport._aiohttp import AiohttpTransport
    from aiovmss.transport._httpx import HttpxTransport

__all__ = [
    "AiohttpTransport",
    "AsyncTransport",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "HttpxTransport",
    "ServiceRequestError",
    "ServiceResponseError",
    "transport_io_clock",
]


def __getattr__(name: str) -> Any:
    if name == "AiohttpTransport":
        from aiovmss.transport._aiohttp import AiohttpTransport

        return AiohttpTransport
    if name == "HttpxTransport":
        try:
            from aiovmss.transport._httpx import HttpxTransport
        except ImportError as exc:  # httpx is the optional extra [httpx]
            raise ImportError("HttpxTransport needs httpx: pip install 'aiovmss[httpx]'") from exc
        return HttpxTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
