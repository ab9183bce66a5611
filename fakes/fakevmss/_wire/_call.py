"""One parsed request as the handlers see it, the endpoint it reached, and shared helpers.

:class:`Endpoint` describes one operation of the fake (the registry in ``_endpoints`` holds one
per operation); :class:`Call` is a request routed to it; :class:`Env` is what every handler
needs besides the call.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fakevmss._errors import invalid_parameter
from fakevmss._http import WireRequest, WireResponse
from fakevmss._limits import Charge
from fakevmss._wire._backend_types import BackendLike
from fakevmss._wire._cache import BodyCache
from fakevmss._wire._json import dump_json
from fakevmss._wire._links import Origin
from fakevmss._wire._schema_check import BodyChecker
from fakevmss._wire._types import ClockLike, OperationLike
from fakevmss._wire._versions import has_resiliency_view

__all__ = [
    "Body",
    "Call",
    "Endpoint",
    "Env",
    "Handler",
    "Lro",
    "etag_headers",
    "json_response",
    "parse_expand",
    "raw_json_response",
]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class Body(enum.Enum):
    """Whether an endpoint takes a JSON body: never, when given, or always."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class Lro(enum.Enum):
    """How an endpoint answers when it starts a long-running operation.

    ``NONE``: it does not. ``ASYNC_OPERATION``: the resource with ``Azure-AsyncOperation``
    (a PUT). ``WITH_LOCATION``: ``Azure-AsyncOperation`` and ``Location`` (PATCH, DELETE and
    the POST actions).
    """

    NONE = "none"
    ASYNC_OPERATION = "async-operation"
    WITH_LOCATION = "with-location"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation of the fake, declared once; routes, bodies and version gates follow.

    Attributes:
        name: the client method it serves (``scale_sets.begin_start``).
        method: the HTTP method.
        template: the path template, parameters named as the published API names them.
        handler: ``(env, call) -> response``.
        operation_id: the published operation whose body schema and responses apply.
        body: whether a JSON body is taken (it is then checked against the schema).
        since: the first api-version serving it (None: every configured api-version).
        any_api_version: any well-formed api-version is served (Microsoft.Features).
        lro: how it answers when it starts a long-running operation.
        throttling: the Compute policies it charges (``_limits.Charge``; None: its
            method's ``FALLBACK`` row for a Compute endpoint, nothing otherwise;
            docs/fake/limits.md).
    """

    name: str
    method: str
    template: str
    handler: Handler
    operation_id: str | None = None
    body: Body = Body.NONE
    since: str | None = None
    any_api_version: bool = False
    lro: Lro = Lro.NONE
    throttling: Charge | None = None


@dataclass(slots=True)
class Call:
    """A routed, authenticated, version-checked request.

    ``version`` is the api-version whose behaviour serves the request (after lenient mapping);
    ``origin`` builds URLs with the api-version the client actually sent; ``params`` are the
    path parameters under the template's names (``vmScaleSetName``).
    """

    request: WireRequest
    endpoint: Endpoint
    path: str
    query: dict[str, str]
    params: dict[str, str]
    version: str
    origin: Origin
    body: dict[str, Any] | None = None
    lowered: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.lowered = {key.lower(): value for key, value in self.query.items()}

    @property
    def method(self) -> str:
        """The HTTP method (upper case)."""
        return self.endpoint.method

    @property
    def sub(self) -> str:
        """The subscription id of the path."""
        return self.params["subscriptionId"]

    @property
    def key(self) -> tuple[str, str, str]:
        """Subscription, resource group and scale set name of a scale set (or VM) path."""
        params = self.params
        return params["subscriptionId"], params["resourceGroupName"], params["vmScaleSetName"]

    @property
    def instance_id(self) -> str:
        """The instance id of a VM path."""
        return self.params["instanceId"]

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
    """What every handler needs: backend, clock, page size, LRO headers, caches, body checker.

    The body checker is the app's own; the VM's PUT reuses its schema knowledge.
    """

    backend: BackendLike
    clock: ClockLike
    page_size: int
    retry_after: str
    bodies: BodyCache = field(default_factory=BodyCache)
    body_checker: BodyChecker = field(default_factory=BodyChecker)

    def lro_headers(
        self, call: Call, operation: OperationLike, *, location: bool | None = None
    ) -> dict[str, str]:
        """``Azure-AsyncOperation``, ``Location`` and ``Retry-After`` for ``operation``.

        ``Location`` is sent when ``location`` says so (default: when the endpoint's ``lro``
        is ``WITH_LOCATION``).
        """
        sub = call.sub
        headers = {
            "Azure-AsyncOperation": call.origin.operation_url(
                sub, operation.location, operation.id, monitor=False
            )
        }
        if call.endpoint.lro is Lro.WITH_LOCATION if location is None else location:
            headers["Location"] = call.origin.operation_url(
                sub, operation.location, operation.id, monitor=True
            )
        headers["Retry-After"] = self.retry_after
        return headers


Handler = Callable[[Env, Call], WireResponse]


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
