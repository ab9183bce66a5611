"""The exceptions of aiovmss.

Every exception the client raises on purpose derives from :class:`AzureError`::

    AzureError
    ├── ServiceRequestError          the request never reached the service (connect failed, ...)
    ├── ServiceResponseError         sent, but no complete response came back (reset, timeout, ...)
    │   ├── ResponseDecodeError          a 2xx body cut short, not JSON, or of the wrong shape
    │   └── ResponseTooLargeError        a body over ``max_response_bytes`` (never retried)
    ├── HttpResponseError            the service answered with an error status
    │   ├── ClientAuthenticationError    401, 403
    │   ├── ResourceNotFoundError        404
    │   ├── ConflictError                409
    │   ├── PreconditionFailedError      412
    │   └── ThrottledError               429, or a Retry-After longer than the client will wait
    ├── OperationFailedError         a long-running operation ended Failed or Canceled
    ├── ApiVersionError              (also ValueError) a feature the chosen api-version lacks
    ├── UntrustedUrlError            (also ValueError) a URL from a response or a continuation
    │                                token off the client's origins; nothing was sent to it
    ├── PagingError                  a listing that would not end (nextLink repeated, page cap)
    └── WaitError                    a waiter did not see the outcome it waited for
        ├── WaitTimeoutError             the deadline passed first
        ├── VMDeletionFailedError        Resilient delete gave up (or was off) and the VM remains
        └── VMCreationFailedError        the VM (or scale set) settled Failed

    InvalidNameError (a ValueError, not an AzureError): a name unsafe to put in a URL path.

Messages name the operation, the resource and the ARM error code; they never carry tokens or
request bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiovmss._rate_limits import RateLimitHeaders

__all__ = [
    "MAX_DETAILS",
    "MAX_DETAIL_DEPTH",
    "MAX_TEXT",
    "ApiVersionError",
    "ArmError",
    "AzureError",
    "ClientAuthenticationError",
    "ConflictError",
    "HttpResponseError",
    "InvalidNameError",
    "OperationFailedError",
    "PagingError",
    "PreconditionFailedError",
    "ResourceNotFoundError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServiceRequestError",
    "ServiceResponseError",
    "ThrottledError",
    "UntrustedUrlError",
    "VMCreationFailedError",
    "VMDeletionFailedError",
    "WaitError",
    "WaitTimeoutError",
]


@dataclass(frozen=True, slots=True)
class ArmError:
    """The ``error`` object of an ARM error body: code, message, target and details."""

    code: str = "Unknown"
    message: str = ""
    target: str | None = None
    details: tuple[ArmError, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: Any, *, _depth: int = 0) -> ArmError:
        """Build from an ARM error body (``{"error": {...}}``) or the inner object; never raises.

        Bounded, whatever the body: ``details`` are read ``MAX_DETAIL_DEPTH`` levels down and
        ``MAX_DETAILS`` per level; a code, message or target that is not a string or number is
        ignored, and texts are cut at ``MAX_TEXT`` characters.
        """
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            data = data["error"]
        if not isinstance(data, dict):
            return cls()
        raw_details = data.get("details")
        details = (
            tuple(
                cls.from_json(item, _depth=_depth + 1)
                for item in raw_details[:MAX_DETAILS]
                if isinstance(item, dict)
            )
            if isinstance(raw_details, list) and _depth < MAX_DETAIL_DEPTH
            else ()
        )
        return cls(
            code=_text(data.get("code")) or "Unknown",
            message=_text(data.get("message")) or "",
            target=_text(data.get("target")),
            details=details,
        )


MAX_DETAIL_DEPTH = 8
"""How many levels of ``details`` :meth:`ArmError.from_json` reads (ARM sends one or two)."""
MAX_DETAILS = 100
"""How many ``details`` per level :meth:`ArmError.from_json` reads."""
MAX_TEXT = 16 * 1024
"""Longest code, message or target kept (a longer one is cut, and ends with an ellipsis)."""


def _text(value: Any) -> str | None:
    """A code, message or target as text; None for anything but a str or a number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        text = value if isinstance(value, str) else str(value)
    except ValueError:  # an int past Python's digit limit for str()
        return None
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "\u2026"


class AzureError(Exception):
    """Root of every error aiovmss raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServiceRequestError(AzureError):
    """The request never reached the service; always safe to retry."""


class ServiceResponseError(AzureError):
    """The request was sent but no complete response arrived; retry only if idempotent."""


class ResponseDecodeError(ServiceResponseError):
    """A 2xx response whose body could not be decoded; the message never quotes the body.

    ``invalid_json`` is True when the body is not JSON at all (truncated, or an HTML page from
    a proxy): the answer was damaged on the way, so an idempotent read may be sent again.
    False means valid JSON that does not fit the expected model, which no retry would change.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None,
        invalid_json: bool,
        request_id: str | None = None,
        operation: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.invalid_json = invalid_json
        self.request_id = request_id
        self.operation = operation
        self.resource = resource


class ResponseTooLargeError(ServiceResponseError):
    """A response body over ``max_response_bytes``, on the wire or decompressed.

    Never retried: the same request would bring the same body. The connection it came on is
    closed, not reused. ``limit`` is the limit in bytes.
    """

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        operation: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(message)
        self.limit = limit
        self.operation = operation
        self.resource = resource


class HttpResponseError(AzureError):
    """The service answered with an error status.

    ``rate_limits`` are the rate-limit headers of that answer (``RateLimitHeaders``: ARM's
    remaining requests per bucket, the Compute provider's per policy); empty when it sent none.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error: ArmError | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        resource: str | None = None,
        rate_limits: RateLimitHeaders | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.rate_limits = rate_limits if rate_limits is not None else RateLimitHeaders()
        self.error = error or ArmError()
        self.request_id = request_id
        self.operation = operation
        self.resource = resource

    @property
    def code(self) -> str:
        """The ARM error code (``error.code``)."""
        return self.error.code


class ClientAuthenticationError(HttpResponseError):
    """401 or 403: the credential was refused."""


class ResourceNotFoundError(HttpResponseError):
    """404: the resource does not exist (or no longer does)."""


class ConflictError(HttpResponseError):
    """409: the operation conflicts with the resource's state."""


class PreconditionFailedError(HttpResponseError):
    """412: an If-Match / If-None-Match precondition did not hold."""


class ThrottledError(HttpResponseError):
    """429, or a Retry-After longer than the client's cap; ``retry_after`` in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class OperationFailedError(AzureError):
    """A long-running operation ended ``Failed`` or ``Canceled``."""

    def __init__(
        self,
        message: str,
        *,
        status: str,
        error: ArmError | None = None,
        operation: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error or ArmError()
        self.operation = operation
        self.resource = resource

    @property
    def code(self) -> str:
        """The ARM error code of the failed operation."""
        return self.error.code


class ApiVersionError(AzureError, ValueError):
    """A feature was used with an api-version that lacks it; raised before any request."""


class UntrustedUrlError(AzureError, ValueError):
    """A URL the client did not build names an origin its token must not go to; nothing was sent.

    The URL came from a response (``nextLink``, ``Azure-AsyncOperation``, ``Location``) or a
    continuation token, and is off ``base_url`` and ``trusted_origins``, or malformed.
    ``origin`` is the refused ``scheme://host:port`` (never the path, query or userinfo);
    ``reason`` says what is wrong with it. A ValueError too, as a bad continuation token was.
    """

    def __init__(
        self,
        message: str,
        *,
        origin: str,
        reason: str,
        operation: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(message)
        self.origin = origin
        self.reason = reason
        self.operation = operation
        self.resource = resource


class PagingError(AzureError):
    """A listing that would not end: a repeated ``nextLink``, or more pages than ``max_pages``.

    ``pages`` is how many pages had been requested when the listing stopped.
    """

    def __init__(
        self, message: str, *, pages: int, operation: str | None = None, resource: str | None = None
    ) -> None:
        super().__init__(message)
        self.pages = pages
        self.operation = operation
        self.resource = resource


class InvalidNameError(ValueError):
    """A resource group, scale set or instance name that is unsafe to put in a URL path."""


class WaitError(AzureError):
    """A waiter did not see the outcome it waited for; ``result`` holds what it saw."""

    def __init__(self, message: str, *, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


class WaitTimeoutError(WaitError):
    """The waiter's deadline passed before the resource settled."""


class VMDeletionFailedError(WaitError):
    """Deletion settled as failed: retries spent, or policy off and the delete failed."""


class VMCreationFailedError(WaitError):
    """Creation settled as failed."""
