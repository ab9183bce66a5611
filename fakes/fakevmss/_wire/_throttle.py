"""The fake's request limits applied to one request: charge it, or answer ARM's 429.

``WireApp`` calls :func:`throttled` once per request when limits are on. It finds whose
request this is (``_limits._principal``), which subscription and which Compute policies it
charges (its endpoint's ``throttling``, else its method's ``_limits.FALLBACK``), asks the
``RequestLimiter``, and either
answers the request with the rate-limit headers added, or answers 429 with the body of the
layer that refused it: ARM's ``SubscriptionRequestsThrottled``, or the Compute provider's
``OperationNotAllowed`` with a ``TooManyRequests`` detail. See docs/fake/limits.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fakevmss._errors import (
    OPERATION_NOT_ALLOWED,
    SUBSCRIPTION_REQUESTS_THROTTLED,
    THROTTLED_BY_COMPUTE,
    TOO_MANY_REQUESTS,
    ArmException,
    arm_error_body,
    arm_throttled_message,
)
from fakevmss._http import WireResponse
from fakevmss._limits import (
    FALLBACK,
    Charge,
    Refusal,
    RequestLimiter,
    ThrottleEvent,
    vm_count,
)
from fakevmss._wire._call import json_response
from fakevmss._wire._endpoints import resolve
from fakevmss._wire._request import Incoming, query_value
from fakevmss._wire._types import ClockLike

__all__ = ["charge_of", "subscription_of", "throttled"]

Respond = Callable[[Incoming], WireResponse]
RetryAfter = Callable[[float], str]

_ROUTE_CACHE_SIZE = 4096
#: (method, path) -> the route's charge (None: no Compute policy), remembered per process.
_charges: dict[tuple[str, str], Charge | None] = {}


def subscription_of(path: str) -> str | None:
    """The subscription id of a ``/subscriptions/{id}/...`` path, else None (tenant level)."""
    parts = path.split("/", 3)
    if len(parts) >= 3 and parts[1].lower() == "subscriptions" and parts[2]:
        return parts[2]
    return None


def charge_of(method: str, path: str) -> Charge | None:
    """The Compute policies a request charges (None: not a routed Compute operation)."""
    key = (method, path)
    if key in _charges:
        return _charges[key]
    try:
        match = resolve(method, path)
    except ArmException:  # unknown path or method: ARM answers it, Compute never sees it
        charge = None
    else:
        charge = match.endpoint.throttling
        if charge is None and "Microsoft.Compute" in match.endpoint.template:
            charge = FALLBACK.get(method)
    if len(_charges) >= _ROUTE_CACHE_SIZE:
        _charges.clear()
    _charges[key] = charge
    return charge


def _charge_counts(charge: Charge | None, incoming: Incoming) -> list[tuple[str, int]]:
    if charge is None:
        return []
    policies = charge.policies
    if charge.instance_view is not None:
        expand = query_value(incoming.query, "$expand") or ""
        if "instanceview" in expand.lower():
            policies = charge.instance_view
    counts = [(name, 1) for name in policies]
    if charge.per_vm:
        vms = vm_count(incoming.request.body)
        counts += [(name, vms) for name in charge.per_vm]
    return counts


def _bearer(incoming: Incoming) -> str | None:
    scheme, _, token = (incoming.authorization or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def throttled(
    limiter: RequestLimiter,
    incoming: Incoming,
    respond: Respond,
    retry_after: RetryAfter,
    clock: ClockLike,
) -> WireResponse:
    """``respond(incoming)`` with the rate-limit headers, or the 429 of the layer that refused.

    A request without a bearer token (its answer is 401) or outside a subscription is not
    counted. ``incoming.principal`` is its ``x-ms-fake-principal`` header.
    """
    token = _bearer(incoming)
    sub = subscription_of(incoming.path)
    if token is None or sub is None:
        return respond(incoming)
    principal = limiter.principals.of(token, incoming.principal)
    counts = _charge_counts(charge_of(incoming.method, incoming.path), incoming)
    verdict = limiter.admit(sub, principal, incoming.method, counts)
    refusal = verdict.refusal
    if refusal is None:
        response = respond(incoming)
        response.headers.update(verdict.headers)
        return response
    seconds = retry_after(refusal.wait)
    limiter.record(
        ThrottleEvent(
            clock.now(), incoming.method, incoming.path, principal, refusal.limit, refusal.wait
        )
    )
    body = _arm_body(refusal, sub, principal, seconds) if refusal.layer == "arm" else None
    if body is None:
        body = _compute_body(refusal, clock)
    headers = {**verdict.headers, "Retry-After": seconds}
    return json_response(429, body, headers)


def _arm_body(refusal: Refusal, sub: str, principal: str, seconds: str) -> dict[str, object]:
    shared = refusal.limit.startswith("global-")
    kind = refusal.limit.removeprefix("global-").removesuffix("s")
    actor = f"'{sub}'" if shared else f"actor '{sub}:{principal}'"
    message = arm_throttled_message(kind, actor, seconds)
    return arm_error_body(SUBSCRIPTION_REQUESTS_THROTTLED, message)


def _compute_body(refusal: Refusal, clock: ClockLike) -> dict[str, object]:
    policy = refusal.policy
    assert policy is not None
    now = clock.now()
    detail = {
        "operationGroup": policy.name,
        "startTime": clock.to_datetime(now - policy.seconds).isoformat(),
        "endTime": clock.to_datetime(now).isoformat(),
        "allowedRequestCount": policy.limit,
        "measuredRequestCount": refusal.measured,
    }
    details = [
        {
            "code": TOO_MANY_REQUESTS,
            "target": policy.name,
            "message": json.dumps(detail, separators=(",", ":")),
        }
    ]
    return arm_error_body(OPERATION_NOT_ALLOWED, THROTTLED_BY_COMPUTE, details=details)
