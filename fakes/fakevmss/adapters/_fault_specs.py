"""The control API's fault objects: ``POST /_fake/faults`` bodies and ``--faults FILE.json``.

A fault object is ``{"kind": ..., ...the keyword options of the Python API...}``; each option
is type-checked before any fake is touched, so a mistake is a 400 naming the option.
``path_regex`` stands for ``path=``: it is compiled as a linear-time :class:`PathPattern`
(never Python's backtracking ``re``), because a pattern sent over HTTP is tried against every
request path on the server's event loop (docs/fake/http.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fakevmss._errors import INVALID_PARAMETER, ArmException
from fakevmss._pattern import PathPattern, PatternError

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = ["FAULT_KINDS", "add_fault", "check_fault", "is_number"]

Check = Callable[[Any], bool]


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A finite int or float, not a bool."""
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _optional(check: Check) -> Check:
    return lambda value: value is None or check(value)


_HTTP_FILTERS: dict[str, Check] = {
    "method": _optional(_is_str),
    "path": _optional(_is_str),
    "path_regex": _optional(_is_str),
    "times": _optional(_is_int),
}
_VM_FILTERS: dict[str, Check] = {
    "code": _is_str,
    "scale_set": _optional(_is_str),
    "instances": _optional(_is_str_list),
    "attempts": _optional(_is_int),
    "probability": _optional(is_number),
}

#: kind -> (positional option names, every accepted option with its type check).
FAULT_KINDS: dict[str, tuple[tuple[str, ...], dict[str, Check]]] = {
    "fail_create": (("code",), _VM_FILTERS),
    "fail_delete": (("code",), {**_VM_FILTERS, "fallback_state": _is_str}),
    "fail_operation": (("operation", "code"), {**_VM_FILTERS, "operation": _is_str}),
    "http_error": (
        ("status", "code"),
        {**_HTTP_FILTERS, "status": _is_int, "code": _is_str, "message": _optional(_is_str)},
    ),
    "throttle": ((), {**_HTTP_FILTERS, "retry_after": is_number}),
    "drop_connection": ((), {**_HTTP_FILTERS, "after_send": _is_bool}),
    "slow_response": (("seconds",), {**_HTTP_FILTERS, "seconds": is_number}),
    "garbage_body": ((), {**_HTTP_FILTERS, "mode": _is_str, "status": _optional(_is_int)}),
}


def _bad(target: str, message: str) -> ArmException:
    return ArmException(400, INVALID_PARAMETER, message, target=target)


def check_fault(spec: Any) -> tuple[str, list[Any], dict[str, Any]]:
    """Check a control-API fault object; return (``fake.faults`` method, args, kwargs).

    Raises:
        ArmException: 400 ``InvalidParameter`` (with ``target``) for a bad fault object.
    """
    if not isinstance(spec, dict):
        raise _bad("fault", "A fault must be a JSON object.")
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in FAULT_KINDS:
        raise _bad("kind", f"'kind' must be one of {', '.join(sorted(FAULT_KINDS))}.")
    positional, accepted = FAULT_KINDS[kind]
    options = {key: value for key, value in spec.items() if key != "kind"}
    for key, value in options.items():
        if key not in accepted:
            raise _bad(key, f"Unknown option '{key}' for a {kind} fault.")
        if not accepted[key](value):
            raise _bad(key, f"Option '{key}' of a {kind} fault has the wrong type.")
    missing = [name for name in positional if name not in options]
    if missing:
        raise _bad(missing[0], f"A {kind} fault needs '{missing[0]}'.")
    if options.get("path_regex") is not None:
        try:
            options["path"] = PathPattern(options.pop("path_regex"))
        except PatternError as exc:
            raise _bad("path_regex", f"Not a supported path pattern: {exc}.") from None
    options.pop("path_regex", None)
    args = [options.pop(name) for name in positional]
    return kind, args, options


def add_fault(fake: FakeCompute, spec: Any) -> Any:
    """Add the fault described by a control-API fault object; return the fault's handle.

    Raises:
        ArmException: 400 ``InvalidParameter`` (with ``target``) for a bad fault object.
    """
    kind, args, kwargs = check_fault(spec)
    try:
        return getattr(fake.faults, kind)(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise _bad(kind, f"Bad {kind} fault: {exc}") from None
