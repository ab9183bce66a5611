"""List pages of VMs serialised straight to bytes: the fake's fast path for ``list VMs``.

A page of 100 VMs built as dicts and run through ``json.dumps`` cost about 1.7 ms, most of a
list request's time, and a fleet waiter's first round lists every VM of the fleet
(``benchmarks/fleet_bench.py``, 100 x 1,000 VMs). Here the parts of a body that are the same for
every VM of the scale set are serialised once per page, and each VM adds only its own strings.
The bytes are exactly ``dump_json`` of the dict ``VMBodies.body`` builds (a test compares the
two for every optional part); bodies with ``instanceView`` or ``userData`` take the dict path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii
from typing import Any

from fakevmss._wire._json import dump_json
from fakevmss._wire._serialize import VM_TYPE, VMBodies, quoted_etag
from fakevmss._wire._types import VMLike

__all__ = ["VMBytes", "page_bytes"]


def _js(value: Any) -> str:
    """``value`` as compact ASCII JSON, as ``dump_json`` writes it."""
    if type(value) is str:
        return encode_basestring_ascii(value)
    return json.dumps(value, separators=(",", ":"))


class VMBytes(VMBodies):
    """``VMBodies`` that also writes each body straight to bytes (:meth:`body_bytes`)."""

    _head_tail: str
    _admin_json: str
    _parts_json: dict[int, tuple[str, str, str]]

    def _prepare(self) -> None:
        """The pieces shared by every VM of the page, serialised once."""
        self._head_tail = f',"type":{_js(VM_TYPE)},"location":{_js(self._location)},"instanceId":'
        self._admin_json = "" if self._admin is None else f',"adminUsername":{_js(self._admin)}'
        self._parts_json = {}

    def _model_json(self, vm: VMLike) -> tuple[str, str, str]:
        """The members taken from the model ``vm`` runs, serialised once per model.

        ``sku`` (with ``tags``), ``hardwareProfile`` and ``imageReference``.
        """
        parts = self._parts(vm)
        found = self._parts_json.get(id(parts))
        if found is None:
            sku = "" if parts.sku is None else f',"sku":{_js(parts.sku)}'
            tags = "" if self._tags is None else f',"tags":{_js(self._tags)}'
            hardware = "" if parts.hardware is None else f',"hardwareProfile":{_js(parts.hardware)}'
            image = "" if parts.image is None else f',"imageReference":{_js(parts.image)}'
            found = self._parts_json[id(parts)] = (sku + tags, hardware, image)
        return found

    def body_bytes(self, vm: VMLike) -> bytes:
        """``dump_json(self.body(vm))``, assembled from strings."""
        if self._instance_view or self._user_data:
            return dump_json(self.body(vm))
        if not hasattr(self, "_head_tail"):
            self._prepare()
        members, hardware, image = self._model_json(vm)
        vm_id = self._base_id + vm.instance_id
        parts = [f'{{"id":{_js(vm_id)},"name":{_js(vm.name)}', self._head_tail]
        parts.append(_js(vm.instance_id))
        parts.append(members)
        if self._etag:
            parts.append(f',"etag":{_js(quoted_etag(vm.etag))}')
        parts.append(self._properties_json(vm, vm_id, hardware, image))
        parts.append("}")
        return "".join(parts).encode("ascii")

    def _properties_json(self, vm: VMLike, vm_id: str, hardware: str, image: str) -> str:
        """The ``properties`` member, as ``VMBodies._properties`` builds it."""
        os_disk = f"{self._scale_set_name}_{vm.name}_OsDisk_1_{vm.vm_id.replace('-', '')}"
        applied = vm.latest_model_applied
        applied_json = "true" if applied is True else "false" if applied is False else _js(applied)
        created = f',"timeCreated":{_js(self._time(vm.time_created))}' if self._time_created else ""
        parts = [
            f',"properties":{{"provisioningState":{_js(vm.provisioning_state)}',
            f',"latestModelApplied":{applied_json},"vmId":{_js(vm.vm_id)}',
            created,
            hardware,
            f',"storageProfile":{{"osDisk":{{"osType":{_js(vm.os_type)},"name":{_js(os_disk)}',
            ',"createOption":"FromImage"}',
            image,
            f'}},"osProfile":{{"computerName":{_js(self._computer_name(vm))}',
            self._admin_json,
        ]
        nic = _js(f"{vm_id}/networkInterfaces/nic0")
        parts.append(f'}},"networkProfile":{{"networkInterfaces":[{{"id":{nic}}}]}}')
        if vm.protection is not None:
            parts.append(f',"protectionPolicy":{_js(dict(vm.protection))}')
        if self._deletion_status:
            parts.append(f',"resilientVMDeletionStatus":{_js(vm.deletion_status)}')
        parts.append("}")
        return "".join(parts)


def page_bytes(items: Iterable[bytes], next_link: str | None) -> bytes:
    """``dump_json({"value": [...], "nextLink": ...})`` from items already serialised."""
    link = b"" if next_link is None else b',"nextLink":' + _js(next_link).encode("ascii")
    return b'{"value":[' + b",".join(items) + b"]" + link + b"}"
