"""Transports: the seam between the client and an HTTP library."""

from aiovmss.errors import ServiceRequestError, ServiceResponseError
from aiovmss.transport._base import AsyncTransport, Headers, HttpRequest, HttpResponse

__all__ = [
    "AsyncTransport",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "ServiceRequestError",
    "ServiceResponseError",
]
