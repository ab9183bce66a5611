"""Pure decisions about a 2xx body that would not decode: what went wrong, and the error to raise.

A body that is not JSON at all (cut short, an HTML page from a proxy) was damaged on the way:
an idempotent read may be sent again. Valid JSON that does not fit the model is the service's
answer, and no retry changes it. Messages say where the body broke, never what it held.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from aiovmss._json import TOO_DEEP
from aiovmss.errors import ResponseDecodeError
from aiovmss.transport import HttpResponse

__all__ = [
    "BodyDecoder",
    "ParseInto",
    "decode_error",
    "decoded_name",
    "json_problem",
    "schema_problem",
]

T = TypeVar("T")


def json_problem(body: bytes) -> str | None:
    """None when ``body`` is valid JSON; else where it breaks (``invalid JSON at byte 57``)."""
    if not body:
        return "empty body"
    try:
        json.loads(body)
    except UnicodeDecodeError as exc:  # before JSONDecodeError: both are ValueErrors
        return f"not UTF-8 at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return f"invalid JSON at byte {len(exc.doc[: exc.pos].encode('utf-8', 'surrogatepass'))}"
    except ValueError:
        return "invalid JSON"
    except RecursionError:  # nested deeper than the stdlib parses: still JSON (see decode_error)
        return None
    return None


def _too_deep(exc: ValueError) -> bool:
    """Whether ``exc`` refused JSON for its depth (``aiovmss._json.loads``, or pydantic's)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc) == TOO_DEEP
    try:
        items = errors(include_url=False, include_context=False, include_input=False)
    except TypeError:  # not pydantic's ValidationError after all
        return False
    return any(
        item.get("type") == "json_invalid" and "recursion limit" in str(item.get("msg"))
        for item in items
    )


def _location(loc: Any) -> str:
    """``properties.osProfile[0]`` from a pydantic error location; dict keys not shown."""
    text = ""
    for part in loc if isinstance(loc, tuple | list) else ():
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            text += f".{part}" if text else part
        else:  # e.g. a key of ``tags``: the caller's data, not the schema
            text += "[?]"
    return text or "the top level"


def schema_problem(exc: ValueError) -> str:
    """Why valid JSON did not fit: the count and first location of pydantic's errors."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return f"rejected by the decoder ({type(exc).__name__})"
    try:
        items = errors(include_url=False, include_context=False, include_input=False)
    except TypeError:  # not pydantic's ValidationError after all
        return f"rejected by the decoder ({type(exc).__name__})"
    if not items:
        return "rejected by the model"
    first = items[0]
    count = f"{len(items)} error{'s' if len(items) != 1 else ''}"
    return f"{count}, first at {_location(first.get('loc'))} ({first.get('type', 'invalid')})"


def decoded_name(decode: Callable[..., Any]) -> str:
    """What ``decode`` builds: its ``decodes``, the model of a bound classmethod, or its name."""
    name = getattr(decode, "decodes", None)
    if isinstance(name, str):
        return name
    owner = getattr(decode, "__self__", None)
    if isinstance(owner, type):
        return owner.__name__
    return str(getattr(decode, "__name__", "the expected model"))


def decode_error(
    exc: ValueError,
    body: bytes,
    *,
    status_code: int | None,
    headers: Mapping[str, str],
    what: str,
    operation: str,
    resource: str,
) -> ResponseDecodeError:
    """The error for a 2xx ``body`` that ``decode`` rejected with ``exc``.

    The message names the operation, the resource, the status and the model, and where the
    body broke; never the body, nor the values pydantic saw.
    """
    problem = json_problem(body)
    invalid_json = problem is not None
    if problem is None and _too_deep(exc):  # the same answer again: not retried either
        problem = TOO_DEEP
    elif problem is None:
        problem = f"valid JSON that does not fit: {schema_problem(exc)}"
    status = f"HTTP {status_code} response" if status_code is not None else "response"
    message = f"{operation} {resource}: {status} body could not be decoded as {what}: {problem}"
    request_id = headers.get("x-ms-request-id")
    if request_id:
        message += f" (x-ms-request-id {request_id})"
    return ResponseDecodeError(
        message,
        status_code=status_code,
        invalid_json=invalid_json,
        request_id=request_id,
        operation=operation,
        resource=resource,
    )


class BodyDecoder(Generic[T]):
    """``decode(response.body)``, named after what ``decode`` builds."""

    __slots__ = ("decode", "decodes")

    def __init__(self, decode: Callable[[bytes], T]) -> None:
        self.decode = decode
        self.decodes = decoded_name(decode)

    def __call__(self, response: HttpResponse) -> T:
        return self.decode(response.body)


class ParseInto(Generic[T]):
    """Parses each 2xx a retry loop receives into ``parsed``, or raises ``ResponseDecodeError``.

    The retry predicate then judges that error like any failed attempt.
    """

    __slots__ = ("operation", "parse", "parsed", "resource", "what")

    def __init__(
        self,
        parse: Callable[[HttpResponse], T],
        what: str,
        parsed: list[T],
        operation: str,
        resource: str,
    ) -> None:
        self.parse = parse
        self.what = what
        self.parsed = parsed
        self.operation = operation
        self.resource = resource

    def __call__(self, response: HttpResponse) -> None:
        try:
            value = self.parse(response)
        except ValueError as exc:
            # No cause chained: a JSON decoder's exception holds the whole body (``doc``).
            raise decode_error(
                exc,
                response.body,
                status_code=response.status_code,
                headers=response.headers,
                what=self.what,
                operation=self.operation,
                resource=self.resource,
            ) from None
        self.parsed.append(value)
