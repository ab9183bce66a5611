"""Which Compute policies charge which operation: the charges the endpoint registry names.

*Our reading* throughout (Microsoft lists policy names only in examples); docs/fake/limits.md
gives the evidence. Each entry of the endpoint registry (``fakevmss._wire._endpoints``) names
its charge in its ``throttling`` attribute; a Compute endpoint without one is charged by its
method's row in ``FALLBACK`` (the lifecycle actions are, for now).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = [
    "DELETE_INSTANCES",
    "DELETE_SCALE_SET",
    "DELETE_VM",
    "FALLBACK",
    "GET_OPERATION",
    "GET_SCALE_SET",
    "GET_VM",
    "LIST",
    "PUT_SCALE_SET",
    "Charge",
    "kind_of",
    "vm_count",
]


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

# The charges of the endpoints that have one of their own (the registry names them).
LIST = Charge(_SET_LIST)
"""A list of scale sets (of a group or the subscription) or of a scale set's VMs."""
GET_SCALE_SET = Charge(_SET_GET)
"""GET of one scale set."""
PUT_SCALE_SET = Charge(_SET_PUT)
"""PUT or PATCH of a scale set."""
DELETE_SCALE_SET = Charge(_SET_DELETE + _BATCHED)
"""DELETE of a scale set."""
DELETE_INSTANCES = Charge(per_vm=_BATCHED)
"""POST of a delete of instances: per VM named."""
GET_VM = Charge(_LOW_GET, instance_view=_HIGH_GET)
"""GET of one VM (the high-cost read with ``$expand=instanceView``)."""
DELETE_VM = Charge(_BATCHED)
"""DELETE of one VM."""
GET_OPERATION = Charge(("GetOperation3Min", "GetOperation30Min"))
"""GET of an asynchronous operation's status."""

#: A routed Compute operation without a charge of its own: charged by its method.
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
