"""Name checks: every name the client puts in a URL path is validated before any request."""

from __future__ import annotations

from collections.abc import Sequence

from aiovmss.errors import InvalidNameError

__all__ = ["validate_instance_ids", "validate_name"]

# Characters that would change the meaning of a URL path (or of a query, once decoded).
_FORBIDDEN = frozenset("/?#%\\")


def _problem(value: str) -> str | None:
    """Why ``value`` is not a safe path segment, or None when it is."""
    if not value:
        return "must not be empty"
    if value in (".", ".."):
        return "must not be '.' or '..'"
    if value != value.strip():
        return "must not start or end with whitespace"
    for char in value:
        if char in _FORBIDDEN:
            return f"must not contain {char!r}"
        if ord(char) < 32 or ord(char) == 127:
            return "must not contain control characters"
    return None


def validate_name(kind: str, value: object) -> str:
    r"""Return ``value`` if it is a safe URL path segment for a ``kind`` name.

    Raises:
        TypeError: ``value`` is not a ``str``.
        InvalidNameError: empty, ``.``/``..``, leading or trailing whitespace, or one of
            ``/ ? # % \`` or a control character.
    """
    if not isinstance(value, str):
        raise TypeError(f"{kind} must be a str, not {type(value).__name__}")
    problem = _problem(value)
    if problem is not None:
        raise InvalidNameError(f"invalid {kind} {value!r}: {problem}")
    return value


def validate_instance_ids(kind: str, value: object) -> list[str]:
    """Return ``value`` as a new non-empty list of valid instance ids; ``kind`` names the argument.

    Every argument that takes instance ids goes through here. An empty list is refused, not
    passed on: in an action's body an absent list means "every VM of the scale set", and an
    empty one computed by a filter must not come close to meaning that.

    Raises:
        TypeError: ``value`` is a bare ``str`` (or bytes), not a list or tuple, or holds
            something other than ``str`` (``[0]``: ids are strings on the wire).
        ValueError: ``value`` is empty.
        InvalidNameError: an id is not a safe path segment (see :func:`validate_name`).
    """
    if isinstance(value, str | bytes | bytearray) or not isinstance(value, Sequence):
        raise TypeError(f"{kind} must be a list of str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{kind} must not be empty")
    return [validate_name("instance id", item) for item in value]
