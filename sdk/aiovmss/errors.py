"""The exceptions of aiovmss.

Every exception the client raises on purpose derives from :class:`AzureError`::

    AzureError
    ├── ServiceRequestError          the request never reached the service (connect failed, ...)
    ├── ServiceResponseError         sent, but no complete response came back (reset, timeout, ...)
    │   └── ResponseDecodeError          a 2xx body cut short, not JSON, or of the wrong shape
    ├── HttpResponseError            the service answered with an error status
    │   ├── ClientAuthenticationError    401, 403
    │   ├── ResourceNotFoundError        404
    │   ├── ConflictError                409
    │   ├── PreconditionFailedError      412
    │   └── ThrottledError               429, or a Retry-After longer than the client will wait
    ├── OperationFailedError         a long-running operation ended Failed or Canceled
    ├── ApiVersionError              (also ValueError) a feature the chosen api-version lacks
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

__all__ = [
    "ApiVersionError",
    "ArmError",
    "AzureError",
    "ClientAuthenticationError",
    "ConflictError",
    "HttpResponseError",
    "InvalidNameError",
    "OperationFailedError",
    "PreconditionFailedError",
    "ResourceNotFoundError",
    "ResponseDecodeError",
    "ServiceRequestError",
    "ServiceResponseError",
    "ThrottledError",
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
    def from_json(cls, data: Any) -> ArmError:
        """Build from an ARM error body (``{"error": {...}}``) or the inner object; never raises."""
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            data = data["error"]
        if not isinstance(data, dict):
            return cls()
        raw_details = data.get("details")
        details = (
            tuple(cls.from_json(item) for item in raw_details if isinstance(item, dict))
            if isinstance(raw_details, list)
            else ()
        )
        target = data.get("target")
        return cls(
            code=str(data.get("code") or "Unknown"),
            message=str(data.get("message") or ""),
            target=str(target) if target is not None else None,
            details=details,
        )


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


class HttpResponseError(AzureError):
    """The service answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error: ArmError | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
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
