"""Continuation tokens: an LRO's state as JSON, and its strict check on the way back in.

A token crosses a trust boundary (a file, a queue, another process), so everything in it is
checked before anything is polled: its size before parsing, its nesting, every field's type,
the method, the strategy and the URL that strategy needs, and every URL against the client's
origins (:mod:`aiovmss._origin`). See docs/client/security.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from aiovmss._json import loads
from aiovmss._lro import (
    ASYNC_OPERATION,
    LOCATION,
    STRATEGIES,
    LroState,
    check_state_urls,
    default_final_state,
)
from aiovmss._operation import FinalStateVia
from aiovmss._origin import AllowedOrigins

__all__ = ["MAX_TOKEN_CHARS", "state_from_token", "state_to_token"]

MAX_TOKEN_CHARS = 64 * 1024
"""Longer tokens are refused unread (ours are well under 2 KiB)."""

_VERSION = 1
_METHODS = frozenset({"PUT", "PATCH", "DELETE", "POST"})
_KEYS = frozenset(
    {
        *("method", "resource_url", "operation", "resource", "api_version", "strategy"),
        *("async_url", "location_url", "result_type", "final_state_via", "version"),
    }
)
_URL_NEEDED = {ASYNC_OPERATION: "async_url", LOCATION: "location_url"}
_FINAL_STATES = frozenset(option.value for option in FinalStateVia)


def state_to_token(state: LroState) -> str:
    """A JSON continuation token (URLs and names only; never credentials)."""
    data = asdict(state)
    del data["final_body"], data["status"]
    data["version"] = _VERSION
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def state_from_token(token: object, allowed: AllowedOrigins) -> LroState:
    """Rebuild the state from :func:`state_to_token`'s output, checking every field.

    Raises:
        ValueError: the token is malformed: too long, not JSON, too deeply nested, not
            version 1, an unknown or missing field, a field of the wrong type, an unknown
            method, strategy or final_state_via, no URL for its strategy.
        UntrustedUrlError: (a ValueError too) a URL off ``allowed``, or malformed.
    """
    data = _decode(token)
    state = LroState(
        method=_string(data, "method"),
        resource_url=_string(data, "resource_url", url=True),
        operation=_string(data, "operation"),
        resource=_string(data, "resource"),
        result_type=_optional_string(data, "result_type"),
        api_version=_string(data, "api_version"),
        strategy=_string(data, "strategy"),
        async_url=_optional_string(data, "async_url", url=True),
        location_url=_optional_string(data, "location_url", url=True),
        final_state_via=_optional_string(data, "final_state_via"),
    )
    if "final_state_via" not in data:  # a token from before final-state-via was recorded
        state.final_state_via = default_final_state(state.method, state.result_type)
    elif state.final_state_via is not None and state.final_state_via not in _FINAL_STATES:
        raise _invalid(f"unknown final_state_via {state.final_state_via!r}")
    if state.method not in _METHODS:
        raise _invalid(f"unknown method {state.method!r}")
    if state.strategy not in STRATEGIES:
        raise _invalid(f"unknown strategy {state.strategy!r}")
    needed = _URL_NEEDED.get(state.strategy)
    if needed is not None and getattr(state, needed) is None:
        raise _invalid(f"strategy {state.strategy!r} needs {needed!r}")
    check_state_urls(state, allowed, source="continuation token's ")
    return state


def _invalid(problem: str) -> ValueError:
    return ValueError(f"invalid continuation token: {problem}")


def _decode(token: object) -> dict[str, Any]:
    """The token's JSON object: bounded, parsed, version 1, no unknown fields."""
    if not isinstance(token, str):
        raise _invalid("expected the str from continuation_token()")
    if len(token) > MAX_TOKEN_CHARS:
        raise _invalid(f"longer than {MAX_TOKEN_CHARS} characters")
    try:
        data = loads(token)
    except ValueError:
        raise _invalid("not JSON (or nested too deeply)") from None
    version = data.get("version") if isinstance(data, dict) else None
    if type(version) is not int or version != _VERSION:  # True == 1, but is no version
        raise _invalid("not an aiovmss token of version 1")
    unknown = sorted(data.keys() - _KEYS)
    if unknown:
        raise _invalid(f"unknown field(s) {', '.join(repr(key[:40]) for key in unknown[:5])}")
    checked: dict[str, Any] = data
    return checked


def _string(data: dict[str, Any], key: str, *, url: bool = False) -> str:
    """A non-empty string field; a name must be printable (a URL meets the origin rule later)."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise _invalid(f"{key!r} missing or not a string")
    if not url and not value.isprintable():  # names go into messages and logs: no forged lines
        raise _invalid(f"{key!r} holds control characters")
    return value


def _optional_string(data: dict[str, Any], key: str, *, url: bool = False) -> str | None:
    if data.get(key) is None:
        return None
    if not isinstance(data[key], str) or not data[key]:
        raise _invalid(f"{key!r} must be a non-empty string or null")
    return _string(data, key, url=url)
