"""The query string of ``GET /_fake/ui/data``: checked, bounded, typed.

Anything out of range is an ARM-shaped 400 ``InvalidParameter`` naming the parameter, never
a 500 and never an unbounded page (docs/fake/ui.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fakevmss._errors import invalid_parameter

__all__ = ["MAX_FILTER", "MAX_REQUEST_LIMIT", "MAX_VM_LIMIT", "ViewQuery", "parse_query"]

#: The most VM rows one answer holds.
MAX_VM_LIMIT = 200
#: The most request-log rows one answer holds.
MAX_REQUEST_LIMIT = 500
#: The longest filter text accepted.
MAX_FILTER = 200
# The largest offset accepted (far beyond any fleet the fake can hold in memory).
_MAX_OFFSET = 10**9

_KNOWN = frozenset(
    {"vm_offset", "vm_limit", "vm_q", "scale_set", "req_offset", "req_limit", "req_q"}
)


@dataclass(frozen=True, slots=True)
class ViewQuery:
    """Which page of VM rows and of the request log to show, and their filters.

    Attributes:
        vm_offset, vm_limit: the page of VM rows (after filtering).
        vm_q: keep VMs whose name, instance id or states contain this (case-insensitive).
        scale_set: keep VMs of the scale set ``<resource group>/<name>`` (case-insensitive).
        req_offset, req_limit: the page of the request log, newest first (after filtering).
        req_q: keep requests whose method, path, status or api-version contain this.
    """

    vm_offset: int = 0
    vm_limit: int = 50
    vm_q: str = ""
    scale_set: str = ""
    req_offset: int = 0
    req_limit: int = 100
    req_q: str = ""


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise invalid_parameter(name, f"'{name}' must be a whole number.")
    value = int(raw)
    if not low <= value <= high:
        raise invalid_parameter(name, f"'{name}' must be between {low} and {high}.")
    return value


def _text(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "")
    if len(value) > MAX_FILTER:
        raise invalid_parameter(name, f"'{name}' must be at most {MAX_FILTER} characters.")
    return value.strip().lower()


def parse_query(params: Mapping[str, str]) -> ViewQuery:
    """Check the data endpoint's query parameters.

    Raises:
        ArmException: 400 ``InvalidParameter`` (``target`` is the parameter) for an unknown
            parameter, a number that is not a whole number in range, or too long a filter.
    """
    unknown = sorted(set(params) - _KNOWN)
    if unknown:
        raise invalid_parameter(unknown[0][:50], f"Unknown parameter '{unknown[0][:50]}'.")
    return ViewQuery(
        vm_offset=_int(params, "vm_offset", 0, 0, _MAX_OFFSET),
        vm_limit=_int(params, "vm_limit", 50, 1, MAX_VM_LIMIT),
        vm_q=_text(params, "vm_q"),
        scale_set=_text(params, "scale_set"),
        req_offset=_int(params, "req_offset", 0, 0, _MAX_OFFSET),
        req_limit=_int(params, "req_limit", 100, 1, MAX_REQUEST_LIMIT),
        req_q=_text(params, "req_q"),
    )
