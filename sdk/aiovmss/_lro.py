"""Pure decisions of ARM long-running operations: strategy, status, delays, tokens.

Nothing here awaits; :mod:`aiovmss._polling` runs the loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from aiovmss._json import loads
from aiovmss._operation import FinalStateVia
from aiovmss._origin import AllowedOrigins, check_url
from aiovmss._retry import retry_after_seconds

__all__ = [
    "STRATEGIES",
    "TERMINAL_STATUSES",
    "LroState",
    "PollingSettings",
    "canonical_status",
    "check_state_urls",
    "default_final_state",
    "final_get_url",
    "initial_state",
    "operation_status",
    "poll_delay",
    "provisioning_state",
]

IN_PROGRESS = "InProgress"
SUCCEEDED = "Succeeded"
TERMINAL_STATUSES = frozenset({"succeeded", "failed", "canceled", "cancelled"})
_CANONICAL = {
    "succeeded": SUCCEEDED,
    "failed": "Failed",
    "canceled": "Canceled",
    "cancelled": "Canceled",
    "inprogress": IN_PROGRESS,
}
# How the operation is watched after its first response.
ASYNC_OPERATION = "azure-async-operation"
LOCATION = "location"
RESOURCE = "resource"
DONE = "done"
STRATEGIES = frozenset({ASYNC_OPERATION, LOCATION, RESOURCE, DONE})


@dataclass(frozen=True, slots=True)
class PollingSettings:
    """How often a poller polls: ``interval`` unless the service's Retry-After says otherwise.

    A Retry-After is clamped to ``[min_interval, max_interval]``; ``interval`` is used as given.
    """

    interval: float = 30.0
    min_interval: float = 1.0
    max_interval: float = 60.0

    def __post_init__(self) -> None:
        if not 0 <= self.min_interval <= self.max_interval:
            raise ValueError("polling intervals need 0 <= min_polling_interval <= max")
        if self.interval < 0:
            raise ValueError("polling_interval must be >= 0")


@dataclass(slots=True)
class LroState:
    """Everything needed to watch (or resume watching) one long-running operation."""

    method: str
    resource_url: str
    operation: str
    resource: str
    result_type: str | None
    api_version: str
    strategy: str
    async_url: str | None = None
    location_url: str | None = None
    status: str = IN_PROGRESS
    final_body: bytes | None = field(default=None, repr=False)
    final_state_via: str | None = None

    @property
    def done(self) -> bool:
        """True once the status is terminal."""
        return self.status.lower() in TERMINAL_STATUSES

    @property
    def wants_resource(self) -> bool:
        """The result is the resource the request named (PUT, PATCH: ``original-uri``)."""
        return self.final_state_via == FinalStateVia.ORIGINAL_URI

    @property
    def wants_location(self) -> bool:
        """The result is what the ``Location`` URL answers once done (``location``)."""
        return self.final_state_via == FinalStateVia.LOCATION


def default_final_state(method: str, result_type: str | None) -> str | None:
    """Where the result is read when the spec says nothing: as azure-core reads it.

    No result model: nowhere (POST actions and deletes end with nothing). PUT and PATCH: the
    resource itself. Any other method with a result: the ``Location`` URL.
    """
    if result_type is None:
        return None
    if method.upper() in ("PUT", "PATCH"):
        return FinalStateVia.ORIGINAL_URI.value
    return FinalStateVia.LOCATION.value


def final_get_url(state: LroState) -> str | None:
    """The URL whose answer is the result, once the operation succeeded (None: no GET)."""
    if state.wants_resource:
        return state.resource_url
    if state.wants_location:
        return state.location_url
    return None


def canonical_status(value: object) -> str:
    """ARM status spelled canonically (``"succeeded"`` -> ``"Succeeded"``); unknown kept."""
    text = str(value) if value is not None else ""
    return _CANONICAL.get(text.replace(" ", "").lower(), text)


def _body_json(body: bytes, strict: bool = False) -> Any:
    """The decoded JSON body; None for an empty one, and (unless ``strict``) a damaged one.

    Raises:
        ValueError: ``strict`` and the body is not JSON (or nested too deeply to parse).
    """
    if not body:
        return None
    try:
        return loads(body)
    except ValueError:
        if strict:
            raise
        return None


def provisioning_state(body: bytes, *, strict: bool = False) -> str | None:
    """``properties.provisioningState`` of a resource body, or None.

    Raises:
        ValueError: ``strict`` and the body is not JSON (a damaged answer, not a missing state).
    """
    data = _body_json(body, strict)
    if not isinstance(data, dict) or not isinstance(data.get("properties"), dict):
        return None
    state = data["properties"].get("provisioningState")
    return canonical_status(state) if isinstance(state, str) else None


def operation_status(body: bytes, *, strict: bool = False) -> tuple[str, Any]:
    """``(status, error)`` of an Azure-AsyncOperation body; a missing status is InProgress.

    Raises:
        ValueError: ``strict`` and the body is not JSON.
    """
    data = _body_json(body, strict)
    if not isinstance(data, dict):
        return IN_PROGRESS, None
    status = data.get("status")
    return canonical_status(status) if status else IN_PROGRESS, data.get("error")


def poll_delay(headers: Mapping[str, str], settings: PollingSettings) -> float:
    """Delay before the next poll: clamped Retry-After if present, else the interval."""
    asked = retry_after_seconds(headers)
    if asked is None:
        return settings.interval
    return min(max(asked, settings.min_interval), settings.max_interval)


def initial_state(
    method: str,
    url: str,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    operation: str,
    resource: str,
    result_type: str | None,
    api_version: str,
    final_state_via: str | None = None,
) -> LroState:
    """The LRO state after the first response (ARM: async header, then Location, then state).

    ``final_state_via`` is the spec's option for the operation; None: the default for
    ``method`` (see :func:`default_final_state`).

    Raises:
        ValueError: no polling header and a body that is not JSON (the body is the only news).
    """
    state = LroState(
        method=method.upper(),
        resource_url=url,
        operation=operation,
        resource=resource,
        result_type=result_type,
        api_version=api_version,
        strategy=DONE,
        final_state_via=final_state_via or default_final_state(method, result_type),
    )
    state.async_url = _absolute(url, headers.get("azure-asyncoperation"))
    state.location_url = _absolute(url, headers.get("location"))
    if status_code == 204:
        state.status = SUCCEEDED
    elif state.async_url:
        state.strategy = ASYNC_OPERATION
    elif state.location_url:
        state.strategy = LOCATION
    else:
        _from_body(state, status_code, body)
    return state


def _from_body(state: LroState, status_code: int, body: bytes) -> None:
    """No polling header: judge by the resource's provisioningState (PUT/PATCH 200/201).

    Raises:
        ValueError: the body is not JSON, so there is nothing to judge by.
    """
    if status_code == 202:  # accepted, nothing to read: watch the resource
        state.strategy = RESOURCE
        return
    current = provisioning_state(body, strict=True)
    if current is not None and current.lower() not in TERMINAL_STATUSES:
        state.strategy = RESOURCE
        return
    state.status = current or SUCCEEDED
    if state.final_state_via is not None and body:
        state.final_body = body  # done at once: this answer is the result


def _absolute(request_url: str, value: str | None) -> str | None:
    """A polling header's URL made absolute against the request's (HTTP allows relative)."""
    if not value:
        return None
    try:
        relative = not urlsplit(value).scheme
    except ValueError:  # not a URL at all: kept as sent, and check_state_urls refuses it
        return value
    return urljoin(request_url, value) if relative else value


_STATE_URLS = (
    ("resource_url", "resource"),
    ("async_url", "Azure-AsyncOperation"),
    ("location_url", "Location"),
)


def check_state_urls(state: LroState, allowed: AllowedOrigins, *, source: str = "") -> None:
    """Refuse the state if any of its URLs is off ``allowed``; nothing has been polled yet.

    ``source`` (e.g. ``"continuation token "``) goes in front of the URL's name in the message.

    Raises:
        UntrustedUrlError: the first URL refused (see :func:`aiovmss._origin.refusal`).
    """
    for key, what in _STATE_URLS:
        url = getattr(state, key)
        if url is not None:
            check_url(
                url,
                allowed,
                what=f"{source}{what}",
                operation=state.operation,
                resource=state.resource,
            )
