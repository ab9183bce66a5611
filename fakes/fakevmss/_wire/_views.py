"""Handlers of the read-only views: scale set and VM instance views, and the SKU list."""

from __future__ import annotations

from typing import Any

from fakevmss._http import WireResponse
from fakevmss._wire._call import Call, Env, json_response
from fakevmss._wire._instance_views import scale_set_instance_view
from fakevmss._wire._links import decode_skiptoken, encode_skiptoken, page_after
from fakevmss._wire._serialize import VMBodies, iso_time
from fakevmss._wire._types import ScaleSetLike

__all__ = ["SKUS", "get_instance_view", "get_vm_instance_view", "list_skus", "skus_for"]

#: The VM sizes every location offers a scale set (a static list, the same everywhere).
SKUS = (
    "Standard_B1s",
    "Standard_B2s",
    "Standard_D2s_v3",
    "Standard_D2s_v5",
    "Standard_D4s_v3",
    "Standard_D4s_v5",
    "Standard_D8s_v3",
    "Standard_E2s_v3",
    "Standard_F2s_v2",
    "Standard_F4s_v2",
)
#: How far each SKU scales (the fake's own limit of 1,000 VMs per scale set).
_CAPACITY = {"minimum": 0, "maximum": 1000, "defaultCapacity": 1, "scaleType": "Automatic"}
_TYPE = "Microsoft.Compute/virtualMachineScaleSets"


def get_instance_view(env: Env, call: Call) -> WireResponse:
    """``GET S/{name}/instanceView``: the VMs counted by status code, and the scale set's own."""
    scale_set = env.backend.sets.get(*call.key)
    vms = env.backend.vms.live(*call.key)
    times: dict[float, str] = {}

    def time_of(t: float) -> str:
        text = times.get(t)
        if text is None:
            text = times[t] = iso_time(env.clock, t)
        return text

    body = scale_set_instance_view(
        scale_set.provisioning_state,
        time_of(scale_set.state_time),
        vms,
        lambda vm: time_of(vm.status_time),
    )
    return json_response(200, body)


def get_vm_instance_view(env: Env, call: Call) -> WireResponse:
    """``GET S/{name}/virtualMachines/{id}/instanceView``: the VM's statuses."""
    scale_set = env.backend.sets.get(*call.key)
    vm = env.backend.vms.get(*call.key, call.instance_id)
    view = VMBodies(scale_set, env.clock, etag=False, deletion_status=False).instance_view(vm)
    return json_response(200, view)


def skus_for(scale_set: ScaleSetLike) -> list[dict[str, Any]]:
    """The SKUs ``scale_set`` may be resized to (its own size included), ordered by name."""
    sku = scale_set.spec.get("sku")
    own = sku.get("name") if isinstance(sku, dict) else None
    names = sorted({*SKUS, own} if isinstance(own, str) and own else set(SKUS))
    return [
        {
            "resourceType": _TYPE,
            "sku": {"name": name, "tier": "Standard"},
            "capacity": dict(_CAPACITY),
        }
        for name in names
    ]


def list_skus(env: Env, call: Call) -> WireResponse:
    """``GET S/{name}/skus``: one page of SKUs and an absolute ``nextLink``."""
    token = call.arg("$skiptoken")
    after = decode_skiptoken(token, 1) if token is not None else None
    skus = skus_for(env.backend.sets.get(*call.key))
    page, last = page_after(skus, lambda item: (item["sku"]["name"],), after, env.page_size)
    body: dict[str, Any] = {"value": page}
    if last is not None:
        body["nextLink"] = call.origin.next_link(call.path, call.query, encode_skiptoken(last))
    return json_response(200, body)
