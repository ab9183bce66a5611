"""Name checks: every name the client puts in a URL path is validated before any request."""

from __future__ import annotations

from collections.abc import Iterable

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


def validate_instance_ids(kind: str, value: object, *, allow_empty: bool = False) -> list[str]:
    """Return ``value`` (any iterable of instance ids but a string) as a list of valid names.

    ``kind`` names the argument in messages (``"instance_ids"``). A bare ``str`` is refused,
    not read as one id per character (``"12"`` is not ``["1", "2"]``), and so is every item
    that is not a ``str`` (an ``int`` id included), as ``get()`` refuses one.

    Raises:
        TypeError: ``value`` is a str, bytes or not iterable, or one of its items is not a str.
        ValueError: ``value`` is empty (unless ``allow_empty``).
        InvalidNameError: an item is not a safe URL path segment.
    """
    if isinstance(value, str | bytes | bytearray):
        one = value if isinstance(value, str) else value.decode(errors="replace")
        raise TypeError(
            f"{kind} must be a list of str, not {type(value).__name__} (one id: [{one!r}])"
        )
    if not isinstance(value, Iterable):
        raise TypeError(f"{kind} must be a list of str, not {type(value).__name__}")
    ids = [validate_name(f"{kind}[{index}]", item) for index, item in enumerate(value)]
    if not ids and not allow_empty:
        raise ValueError(f"{kind} must not be empty")
    return ids
