"""The faults in force, described for people: kind, what happens, to which requests, how often."""

from __future__ import annotations

import re
from typing import Any

from fakevmss._faults import Faults, HttpFault

__all__ = ["describe_fault", "describe_faults"]

# HttpFault.kind -> the name of the Faults method (and control-API kind) that adds it.
_HTTP_KINDS = {
    "error": "http_error",
    "throttle": "throttle",
    "drop": "drop_connection",
    "slow": "slow_response",
    "garbage": "garbage_body",
}


def _http_what(fault: HttpFault) -> str:
    if fault.kind == "throttle":
        return f"429 TooManyRequests, Retry-After {fault.retry_after:g} s"
    if fault.kind == "drop":
        return "drop the connection " + ("after acting" if fault.after_send else "before acting")
    if fault.kind == "slow":
        return f"answer {fault.seconds:g} s late"
    if fault.kind == "garbage":
        status = f", status {fault.status}" if fault.status else ""
        return f"mangle the body ({fault.mode}{status})"
    return f"{fault.status} {fault.code}"


def _http_filters(fault: HttpFault) -> str:
    path = fault.path.pattern if isinstance(fault.path, re.Pattern) else fault.path
    parts = []
    if fault.method:
        parts.append(f"method={fault.method.upper()}")
    if path:
        parts.append(f"path~{path}")
    return " and ".join(parts)


def describe_fault(fault: Any) -> dict[str, Any]:
    """``kind`` (the ``Faults`` method), ``what`` it does, ``filters``, ``times`` left."""
    if isinstance(fault, HttpFault):
        return {
            "kind": _HTTP_KINDS.get(fault.kind, fault.kind),
            "what": _http_what(fault),
            "filters": _http_filters(fault),
            "times": fault.times,
        }
    what = str(fault.code)
    if fault.kind == "delete" and fault.fallback_state != "Failed":
        what += f" (VM shows {fault.fallback_state} until retried)"
    kind = f"fail_{fault.kind}"
    if fault.kind not in ("create", "delete"):
        what, kind = f"{fault.kind}: {what}", "fail_operation"
    return {
        "kind": kind,
        "what": what,
        "filters": fault.matcher.describe(),
        "times": None,
    }


def describe_faults(faults: Faults) -> list[dict[str, Any]]:
    """Every fault in ``faults``' plan, VM faults first, each in the order added."""
    return [describe_fault(fault) for fault in faults.in_force()]
