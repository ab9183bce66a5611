"""Handlers for scale set VM operations: list, get, delete.

``resilientVMDeletionStatus`` shows only from api-version 2024-07-01: in list VMs always
(Uniform only; the backend refuses Flexible), on GET VM with ``$expand=resiliencyView``.
"""

from __future__ import annotations

from fakevmss._http import WireResponse
from fakevmss._wire._call import (
    EXPAND_VM,
    Call,
    Env,
    json_response,
    parse_expand,
    raw_json_response,
)
from fakevmss._wire._json import dump_json
from fakevmss._wire._links import decode_skiptoken, encode_skiptoken, page_after
from fakevmss._wire._serialize import quoted_etag, vm_body_key, vm_json
from fakevmss._wire._types import VMLike
from fakevmss._wire._validate import parse_bool_flag
from fakevmss._wire._versions import (
    has_etag,
    has_resiliency_view,
    has_vm_time_created,
    vm_fields,
)
from fakevmss._wire._vm_bytes import VMBytes, page_bytes

__all__ = ["delete_vm", "get_vm", "list_vms"]


def _vm_sort_key(vm: VMLike) -> tuple[str, str]:
    """Numeric order for Uniform ids ("2" before "10"), then by name."""
    digits = vm.instance_id if vm.instance_id.isdigit() else ""
    return digits.rjust(20, "0"), vm.instance_id.lower()


def list_vms(env: Env, call: Call) -> WireResponse:
    """``GET S/{name}/virtualMachines``: one page of VMs (``$filter``/``$select`` ignored)."""
    expand = parse_expand(call, EXPAND_VM)
    token = call.arg("$skiptoken")
    after = decode_skiptoken(token, 2) if token is not None else None
    sub, rg, name = call.key
    scale_set = env.backend.sets.get(sub, rg, name)
    vms = env.backend.vms.list(sub, rg, name)
    # Only Uniform scale sets list their VMs; the backend lists them in creation order, and
    # their ids ("0", "1", ...) grow with it: already in _vm_sort_key order.
    page, last = page_after(vms, _vm_sort_key, after, env.page_size, presorted=True)
    bodies = VMBytes(
        scale_set,
        env.clock,
        etag=has_etag(call.version),
        deletion_status=has_resiliency_view(call.version),
        instance_view="instanceview" in expand,
        user_data="userdata" in expand,
        time_created=has_vm_time_created(call.version),
    )
    link = None
    if last is not None:
        link = call.origin.next_link(call.path, call.query, encode_skiptoken(last))
    # Straight to bytes (fakevmss._wire._vm_bytes: the same JSON as the dict path, faster).
    return raw_json_response(200, page_bytes((bodies.body_bytes(vm) for vm in page), link))


def get_vm(env: Env, call: Call) -> WireResponse:
    """``GET S/{name}/virtualMachines/{id}``; ``$expand`` instanceView, userData, resiliencyView."""
    expand = parse_expand(call, EXPAND_VM)
    params = call.params  # the hot path: plain look-ups (benchmarks/fake_bench.py, part rps)
    sub, rg, name = params["subscriptionId"], params["resourceGroupName"], params["vmScaleSetName"]
    scale_set = env.backend.sets.get(sub, rg, name)
    vm = env.backend.vms.get(sub, rg, name, params["instanceId"])
    etag, created = vm_fields(call.version)

    def build() -> bytes:
        body = vm_json(
            scale_set,
            vm,
            env.clock,
            etag=etag,
            deletion_status="resiliencyview" in expand,
            instance_view="instanceview" in expand,
            user_data="userdata" in expand,
            time_created=created,
        )
        return dump_json(body)

    key = (etag, created, expand, vm_body_key(scale_set, vm))
    headers = {"ETag": quoted_etag(vm.etag)} if etag else None
    return raw_json_response(200, env.bodies.get(vm, key, build), headers)


def delete_vm(env: Env, call: Call) -> WireResponse:
    """``DELETE S/{name}/virtualMachines/{id}``: 202 with the LRO headers."""
    force = parse_bool_flag("forceDeletion", call.arg("forceDeletion"))
    sub, rg, name = call.key
    operation = env.backend.vms.delete(sub, rg, name, call.instance_id, force=force)
    return json_response(202, None, env.lro_headers(call, operation))
