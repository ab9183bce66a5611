"""One parsed request as the handlers see it, and the small response helpers they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fakevmss._errors import invalid_parameter
from fakevmss._http import WireRequest, WireResponse
from fakevmss._wire._cache import BodyCache
from fakevmss._wire._json import dump_json
from fakevmss._wire._links import Origin
from fakevmss._wire._types import BackendLike, ClockLike, OperationLike
from fakevmss._wire._versions import has_resiliency_view

__all__ = [
    "Call",
    "Env",
    "etag_headers",
    "json_response",
    "parse_expand",
    "raw_json_response",
]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(slots=True)
class Call:
    """A routed, authenticated, version-checked request.

    ``version`` is the api-version whose behaviour serves the request (after lenient mapping);
    ``origin`` builds URLs with the api-version the client actually sent.
    """

    request: WireRequest
    method: str
    path: str
    query: dict[str, str]
    params: dict[str, str]
    version: str
    origin: Origin
    body: dict[str, Any] | None = None
    lowered: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.lowered = {key.lower(): value for key, value in self.query.items()}

    def arg(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively."""
        return self.lowered.get(name.lower())


def json_response(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> WireResponse:
    """A response with a JSON body (none when ``body`` is None)."""
    if body is None:
        return WireResponse(status, dict(headers or {}), b"")
    return raw_json_response(status, dump_json(body), headers)


def etag_headers(body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers`` plus an ``ETag`` header when ``body`` carries an ``etag`` (as ARM sends)."""
    out = dict(headers) if headers else {}
    etag = body.get("etag")
    if isinstance(etag, str):
        out["ETag"] = etag
    return out


def raw_json_response(
    status: int, body: bytes, headers: dict[str, str] | None = None
) -> WireResponse:
    """A response whose body is JSON already serialised."""
    all_headers = dict(headers) if headers else {}
    all_headers["Content-Type"] = JSON_CONTENT_TYPE
    return WireResponse(status, all_headers, body)


@dataclass(frozen=True, slots=True)
class Env:
    """What every handler needs: the backend, the clock, the page size, LRO headers, caches."""

    backend: BackendLike
    clock: ClockLike
    page_size: int
    retry_after: str
    bodies: BodyCache = field(default_factory=BodyCache)

    def lro_headers(
        self, call: Call, operation: OperationLike, *, location: bool
    ) -> dict[str, str]:
        """``Azure-AsyncOperation`` (+ ``Location``) and ``Retry-After`` for ``operation``."""
        sub = call.params["sub"]
        headers = {
            "Azure-AsyncOperation": call.origin.operation_url(
                sub, operation.location, operation.id, monitor=False
            )
        }
        if location:
            headers["Location"] = call.origin.operation_url(
                sub, operation.location, operation.id, monitor=True
            )
        headers["Retry-After"] = self.retry_after
        return headers


#: ``$expand`` values each operation serves, lower-case.
EXPAND_SCALE_SET = frozenset({"userdata"})
EXPAND_VM = frozenset({"instanceview", "userdata", "resiliencyview"})


def parse_expand(call: Call, allowed: frozenset[str]) -> frozenset[str]:
    """The lower-cased ``$expand`` values of ``call`` (comma-separated, any case).

    Raises:
        ArmException: 400 ``InvalidParameter`` (target ``$expand``) for a value the operation
            does not serve, or ``resiliencyView`` before api-version 2024-07-01 (our reading).
    """
    raw = call.arg("$expand")
    if raw is None:
        raw = call.arg("expand")
    if raw is None or not raw.strip():
        return frozenset()
    values = frozenset(part.strip().lower() for part in raw.split(",") if part.strip())
    unknown = values - allowed
    if unknown:
        raise invalid_parameter(
            "$expand", f"The value '{raw[:100]}' of $expand is not supported by this operation."
        )
    if "resiliencyview" in values and not has_resiliency_view(call.version):
        raise invalid_parameter(
            "$expand",
            f"$expand=resiliencyView is not supported by api-version '{call.version}'; "
            "use 2024-07-01 or later.",
        )
    return values
