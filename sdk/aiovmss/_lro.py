"""Pure decisions of ARM long-running operations: strategy, status, delays, tokens.

Nothing here awaits; :mod:`aiovmss._polling` runs the loop.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiovmss._operation import FinalStateVia
from aiovmss._retry import retry_after_seconds

__all__ = [
    "TERMINAL_STATUSES",
    "LroState",
    "PollingSettings",
    "canonical_status",
    "default_final_state",
    "final_get_url",
    "initial_state",
    "operation_status",
    "origin_of",
    "poll_delay",
    "provisioning_state",
    "state_from_token",
    "state_to_token",
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
_TOKEN_VERSION = 1

# How the operation is watched after its first response.
ASYNC_OPERATION = "azure-async-operation"
LOCATION = "location"
RESOURCE = "resource"
DONE = "done"
_STRATEGIES = frozenset({ASYNC_OPERATION, LOCATION, RESOURCE, DONE})


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
        ValueError: ``strict`` and the body is not JSON.
    """
    if not body:
        return None
    try:
        return json.loads(body)
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
    state.async_url = headers.get("azure-asyncoperation") or None
    state.location_url = headers.get("location") or None
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


def state_to_token(state: LroState) -> str:
    """A JSON continuation token (URLs and names only; never credentials)."""
    data = asdict(state)
    del data["final_body"], data["status"]
    data["version"] = _TOKEN_VERSION
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


_TOKEN_STR_FIELDS = ("method", "resource_url", "operation", "resource", "api_version", "strategy")
_TOKEN_OPT_FIELDS = ("async_url", "location_url", "result_type", "final_state_via")
_FINAL_STATES = frozenset(option.value for option in FinalStateVia)


def state_from_token(token: str, *, origin: str) -> LroState:
    """Rebuild the state from :func:`state_to_token`'s output.

    Every URL must share ``origin`` (scheme and host of the client's base URL): a forged token
    must not send the client's bearer token elsewhere.

    Raises:
        ValueError: the token is malformed or points at another host.
    """
    data = _decode_token(token)
    values: dict[str, Any] = {}
    for key in _TOKEN_STR_FIELDS:
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"invalid continuation token: {key!r} missing or not a string")
        values[key] = data[key]
    for key in _TOKEN_OPT_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValueError(f"invalid continuation token: {key!r} must be a string or null")
        values[key] = data.get(key)
    if values["strategy"] not in _STRATEGIES:
        raise ValueError(f"invalid continuation token: unknown strategy {values['strategy']!r}")
    if "final_state_via" not in data:  # a token from before final-state-via was recorded
        values["final_state_via"] = default_final_state(values["method"], values["result_type"])
    elif values["final_state_via"] not in _FINAL_STATES | {None}:
        raise ValueError("invalid continuation token: unknown final_state_via")
    for key in ("resource_url", "async_url", "location_url"):
        if values[key] is not None and origin_of(values[key]) != origin_of(origin):
            raise ValueError(f"invalid continuation token: {key} is not on {origin}")
    return LroState(**values)


def _decode_token(token: object) -> dict[str, Any]:
    """The token's JSON object, checked for its version."""
    if not isinstance(token, str):
        raise ValueError("invalid continuation token: expected the str from continuation_token()")
    try:
        data = json.loads(token)
    except ValueError:
        raise ValueError("invalid continuation token: not JSON") from None
    if not isinstance(data, dict) or data.get("version") != _TOKEN_VERSION:
        raise ValueError("invalid continuation token: not an aiovmss token of version 1")
    return data


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower case."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
