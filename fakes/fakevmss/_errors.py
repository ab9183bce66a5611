"""Every ARM error the fake can answer, as one exception type and constants in one place."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ALLOCATION_FAILED",
    "AUTHENTICATION_FAILED",
    "CROSS_ORIGIN_REFUSED",
    "HOST_NOT_ALLOWED",
    "INTERNAL_EXECUTION_ERROR",
    "INTERNAL_SERVER_ERROR",
    "INVALID_HOST_HEADER",
    "INVALID_PARAMETER",
    "INVALID_REQUEST_CONTENT",
    "INVALID_RESOURCE_GROUP",
    "INVALID_RESOURCE_NAME",
    "INVALID_RESOURCE_TYPE",
    "INVALID_SUBSCRIPTION_ID",
    "METHOD_NOT_ALLOWED",
    "MISSING_API_VERSION",
    "NO_REGISTERED_PROVIDER",
    "OPERATION_FAILED",
    "OPERATION_NOT_ALLOWED",
    "OS_PROVISIONING_TIMEOUT",
    "PRECONDITION_FAILED",
    "PROPERTY_CHANGE_NOT_ALLOWED",
    "REQUEST_TOO_LARGE",
    "RESOURCE_NOT_FOUND",
    "RETRIABLE_CREATE_CODES",
    "SUBSCRIPTION_NOT_REGISTERED_FOR_FEATURE",
    "SUBSCRIPTION_REQUESTS_THROTTLED",
    "THROTTLED_BY_COMPUTE",
    "TOO_MANY_REQUESTS",
    "UNSUPPORTED_MEDIA_TYPE",
    "VM_START_TIMEOUT",
    "ArmException",
    "arm_error_body",
    "arm_throttled_message",
    "invalid_parameter",
    "not_allowed",
    "not_found",
]

# Client mistakes (4xx).
RESOURCE_NOT_FOUND = "ResourceNotFound"
INVALID_PARAMETER = "InvalidParameter"
INVALID_REQUEST_CONTENT = "InvalidRequestContent"
MISSING_API_VERSION = "MissingApiVersionParameter"
NO_REGISTERED_PROVIDER = "NoRegisteredProviderFound"
AUTHENTICATION_FAILED = "AuthenticationFailed"
OPERATION_NOT_ALLOWED = "OperationNotAllowed"
PRECONDITION_FAILED = "PreconditionFailed"
PROPERTY_CHANGE_NOT_ALLOWED = "PropertyChangeNotAllowed"
TOO_MANY_REQUESTS = "TooManyRequests"
REQUEST_TOO_LARGE = "RequestEntityTooLarge"
SUBSCRIPTION_NOT_REGISTERED_FOR_FEATURE = "SubscriptionNotRegisteredForFeature"
METHOD_NOT_ALLOWED = "MethodNotAllowed"
#: ARM's 429 when a subscription bucket is empty (docs/fake/limits.md).
SUBSCRIPTION_REQUESTS_THROTTLED = "SubscriptionRequestsThrottled"
#: The Compute provider's 429 message; its code is ``OperationNotAllowed`` with a
#: ``TooManyRequests`` detail naming the policy.
THROTTLED_BY_COMPUTE = (
    "The server rejected the request because too many requests have been received for this "
    "subscription."
)
INVALID_RESOURCE_NAME = "InvalidResourceName"
INVALID_RESOURCE_GROUP = "InvalidResourceGroup"
INVALID_SUBSCRIPTION_ID = "InvalidSubscriptionId"
INVALID_RESOURCE_TYPE = "InvalidResourceType"
INTERNAL_SERVER_ERROR = "InternalServerError"
# The served fake's own refusals (docs/fake/http.md).
HOST_NOT_ALLOWED = "HostNotAllowed"
INVALID_HOST_HEADER = "InvalidHostHeader"
CROSS_ORIGIN_REFUSED = "CrossOriginRequestRefused"
UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType"
#: A failed operation whose own error carries no code (the fake always sets one).
OPERATION_FAILED = "OperationFailed"

# Platform outcomes of VM create and delete attempts.
OS_PROVISIONING_TIMEOUT = "OSProvisioningTimeout"
VM_START_TIMEOUT = "VMStartTimeout"
ALLOCATION_FAILED = "AllocationFailed"
INTERNAL_EXECUTION_ERROR = "InternalExecutionError"

#: Create errors that Resilient create retries (the seed: OS provisioning and VM start timeouts).
RETRIABLE_CREATE_CODES = frozenset({OS_PROVISIONING_TIMEOUT, VM_START_TIMEOUT})


class ArmException(Exception):
    """An ARM error answer: HTTP status, code, message, optional target, details and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body ARM sends for this error."""
        return arm_error_body(self.code, self.message, target=self.target, details=self.details)


def arm_error_body(
    code: str,
    message: str,
    *,
    target: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``{"error": {"code", "message", "target"?, "details"?}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if target is not None:
        error["target"] = target
    if details:
        error["details"] = details
    return {"error": error}


def not_found(kind: str, name: str) -> ArmException:
    """404 ``ResourceNotFound`` for a resource of ``kind`` named ``name``."""
    return ArmException(404, RESOURCE_NOT_FOUND, f"The Resource '{kind}/{name}' was not found.")


def arm_throttled_message(kind: str, actor: str, seconds: str) -> str:
    """ARM's throttling message: ``kind`` ``read``/``write``/``delete``, ``actor`` whose bucket."""
    return (
        f"Number of '{kind}' requests for subscription {actor} exceeded. Please try again "
        f"after '{seconds}' seconds after additional tokens are available. Refer to "
        "https://aka.ms/arm-throttling for additional information."
    )


def invalid_parameter(target: str, message: str) -> ArmException:
    """400 ``InvalidParameter`` naming the bad field in ``target``."""
    return ArmException(400, INVALID_PARAMETER, message, target=target)


def not_allowed(
    message: str,
    *,
    status: int = 409,
    target: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> ArmException:
    """``OperationNotAllowed``: 409 for a resource's state, 400 for a request the fake refuses."""
    return ArmException(status, OPERATION_NOT_ALLOWED, message, target=target, details=details)
