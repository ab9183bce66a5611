"""Parsing request bodies safely: anything malformed is a 400, never an exception escaping."""

from __future__ import annotations

import json
import math
from typing import Any

from fakevmss._errors import INVALID_REQUEST_CONTENT, ArmException

__all__ = ["MAX_DEPTH", "dump_json", "parse_json_object"]

#: Deepest nesting of objects and arrays a body may have.
MAX_DEPTH = 64

#: Longest integer literal accepted (beyond this Python's own parser limits apply anyway).
_MAX_INT_DIGITS = 30


def _bad_content(reason: str) -> ArmException:
    return ArmException(
        400,
        INVALID_REQUEST_CONTENT,
        f"The request content was invalid and could not be deserialized: {reason}",
    )


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"number out of range: {text[:40]}...")
    return int(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _depth(value: Any) -> int:
    """Nesting depth of ``value``, computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object.

    Raises:
        ArmException: 400 ``InvalidRequestContent`` for an empty, non-UTF-8, unparseable,
            non-finite, too deeply nested body or one that is not an object.
    """
    if not body.strip():
        raise _bad_content("the request body is empty.")
    try:
        text = body.decode("utf-8")
        value = json.loads(
            text,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_reject_constant,
        )
    except RecursionError:
        raise _bad_content(f"nesting deeper than {MAX_DEPTH} levels.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad_content(str(exc)[:200]) from None
    if not isinstance(value, dict):
        raise _bad_content("the request body must be a JSON object.")
    if _depth(value) > MAX_DEPTH:
        raise _bad_content(f"nesting deeper than {MAX_DEPTH} levels.")
    return value


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON (ASCII-escaped, so lone surrogates from a request cannot break it)."""
    return json.dumps(value, separators=(",", ":")).encode("ascii")
