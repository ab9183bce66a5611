"""Error responses into exceptions: the ``HttpResponseError`` subclass for a status, its message."""

from __future__ import annotations

from typing import Any

from aiovmss._json import loads
from aiovmss._logging import redact_json_text
from aiovmss._rate_limits import parse_rate_limit_headers
from aiovmss._retry import DEFAULT_RETRY_STATUSES, is_retryable, retry_after_seconds
from aiovmss.errors import (
    ArmError,
    ClientAuthenticationError,
    ConflictError,
    HttpResponseError,
    PreconditionFailedError,
    ResourceNotFoundError,
    ThrottledError,
)
from aiovmss.transport import HttpResponse

__all__ = ["error_from_response"]

_ERROR_CLASSES: dict[int, type[HttpResponseError]] = {
    401: ClientAuthenticationError,
    403: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: ThrottledError,
}
_SNIPPET = 200


def error_from_response(
    response: HttpResponse,
    *,
    operation: str,
    resource: str,
    retry_after_cap: float | None = None,
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES,
    method: str | None = None,
) -> HttpResponseError:
    """The exception for an error response: the subclass for its status, with the ARM error.

    An answer that would have been retried but for its Retry-After exceeding
    ``retry_after_cap`` becomes a ``ThrottledError``: a status in ``retry_statuses`` and, when
    ``method`` is given, one that method retries (a PATCH's 500 is never retried, so its
    Retry-After changes nothing). Messages never include tokens or request bodies.
    """
    status = response.status_code
    request_id = response.headers.get("x-ms-request-id")
    demand = retry_after_seconds(response.headers)
    error = _arm_error(response.body)
    if error is None:
        error = ArmError(code="Unknown", message=f"HTTP {status}")
        text = f"HTTP {status} (no ARM error body: {_snippet(response.body)})"
    else:
        text = f"HTTP {status} {error.code}: {error.message}"
    cls = _ERROR_CLASSES.get(status, HttpResponseError)
    capped = retry_after_cap is not None and demand is not None and demand > retry_after_cap
    if capped and (
        status in retry_statuses
        if method is None
        else is_retryable(
            method, status=status, has_retry_after=True, retry_statuses=retry_statuses
        )
    ):
        cls = ThrottledError
        text += f"; Retry-After {demand:g} s exceeds the client's limit of {retry_after_cap:g} s"
    message = f"{operation} {resource}: {text}"
    if request_id:
        message += f" (x-ms-request-id {request_id})"
    kwargs: dict[str, Any] = {
        "status_code": status,
        "error": error,
        "request_id": request_id,
        "operation": operation,
        "resource": resource,
        "rate_limits": parse_rate_limit_headers(response.headers),
    }
    if cls is ThrottledError:
        return ThrottledError(message, retry_after=demand, **kwargs)
    return cls(message, **kwargs)


def _arm_error(body: bytes) -> ArmError | None:
    if not body:
        return None
    try:
        data = loads(body)
    except ValueError:  # not JSON, or nested too deeply: no ARM error body
        return None
    inner = data.get("error") if isinstance(data, dict) else None
    if isinstance(inner, dict) or (isinstance(data, dict) and "code" in data):
        return ArmError.from_json(data)
    return None


def _snippet(body: bytes) -> str:
    text = body[:_SNIPPET].decode("utf-8", errors="replace")
    return repr(redact_json_text(text).encode("utf-8"))
