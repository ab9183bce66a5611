"""Which Compute policies charge which operation, as data keyed by route name and method.

*Our reading* throughout (Microsoft lists policy names only in examples); docs/fake/limits.md
gives the evidence. A routed Compute request missing from ``CHARGES`` falls back on its
method's row in ``FALLBACK`` (lifecycle actions added later are charged without an entry).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["CHARGES", "FALLBACK", "Charge", "kind_of", "vm_count"]


@dataclass(frozen=True, slots=True)
class Charge:
    """The policies one operation charges.

    ``policies`` are charged 1; ``per_vm`` are charged the number of VMs the request names
    (its ``instanceIds``; 1 without a list). With ``$expand=instanceView``, ``instance_view``
    replaces ``policies`` when given (the high-cost read).
    """

    policies: tuple[str, ...] = ()
    per_vm: tuple[str, ...] = ()
    instance_view: tuple[str, ...] | None = None


_LOW_GET = ("LowCostGet3Min", "LowCostGet30Min")
_HIGH_GET = ("HighCostGet3Min", "HighCostGet30Min")
_SET_GET = ("GetVMScaleSet3Min", "GetVMScaleSet30Min")
_SET_LIST = ("HighCostGetVMScaleSet3Min", "HighCostGetVMScaleSet30Min")
_SET_PUT = ("PutVMScaleSet3Min", "PutVMScaleSet30Min")
_SET_DELETE = ("DeleteVMScaleSet3Min", "DeleteVMScaleSet30Min")
_BATCHED = ("VMScaleSetBatchedVMRequests5Min",)

#: (route name, method) -> the policies that operation charges.
CHARGES: dict[tuple[str, str], Charge] = {
    ("list_scale_sets", "GET"): Charge(_SET_LIST),
    ("list_all_scale_sets", "GET"): Charge(_SET_LIST),
    ("scale_set", "GET"): Charge(_SET_GET),
    ("scale_set", "PUT"): Charge(_SET_PUT),
    ("scale_set", "PATCH"): Charge(_SET_PUT),
    ("scale_set", "DELETE"): Charge(_SET_DELETE + _BATCHED),
    ("delete_instances", "POST"): Charge(per_vm=_BATCHED),
    ("list_vms", "GET"): Charge(_SET_LIST),
    ("vm", "GET"): Charge(_LOW_GET, instance_view=_HIGH_GET),
    ("vm", "DELETE"): Charge(_BATCHED),
    ("operation", "GET"): Charge(("GetOperation3Min", "GetOperation30Min")),
}

#: A routed Compute operation without a row above: charged by its method.
FALLBACK: dict[str, Charge] = {
    "GET": Charge(_LOW_GET, instance_view=_HIGH_GET),
    "PUT": Charge(_SET_PUT),
    "PATCH": Charge(_SET_PUT),
    "POST": Charge(_SET_PUT, per_vm=_BATCHED),
    "DELETE": Charge(_SET_DELETE, per_vm=_BATCHED),
}


def kind_of(method: str) -> str:
    """ARM's kind of a request: ``reads`` (GET, HEAD), ``deletes`` or ``writes`` (the rest)."""
    if method in ("GET", "HEAD"):
        return "reads"
    return "deletes" if method == "DELETE" else "writes"


def vm_count(body: bytes) -> int:
    """How many VMs a request body names in ``instanceIds`` (1 when it names none)."""
    if b"instanceIds" not in body:
        return 1
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # the wire layer answers 400 for it anyway
        return 1
    ids = parsed.get("instanceIds") if isinstance(parsed, dict) else None
    return max(1, len(ids)) if isinstance(ids, list) else 1
