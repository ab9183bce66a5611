"""The client's hot-path speed-ups keep behaviour: GC pause, caches, request ids, headers."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest

from aiovmss._paging import gc_paused, model_page_parser
from aiovmss.models import VirtualMachineScaleSetVM, VirtualMachineScaleSetVMListResult


@pytest.fixture
def gc_enabled() -> Iterator[None]:
    """Run the test with the collector on, and leave it as it was found."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def _vm(instance_id: str, state: Any = "Succeeded") -> dict[str, Any]:
    return {"instanceId": instance_id, "properties": {"provisioningState": state}}


def _page(*vms: dict[str, Any], next_link: str | None = None) -> bytes:
    body: dict[str, Any] = {"value": list(vms)}
    if next_link:
        body["nextLink"] = next_link
    return json.dumps(body).encode()


def test_gc_paused_disables_inside_and_restores(gc_enabled: None) -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_paused_restores_after_an_exception(gc_enabled: None) -> None:
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_gc_paused_leaves_a_disabled_collector_disabled(gc_enabled: None) -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_page_parser_validates_every_item_with_the_gc_restored(gc_enabled: None) -> None:
    parse = model_page_parser(VirtualMachineScaleSetVMListResult)
    items, next_link = parse(_page(_vm("0"), _vm("1"), next_link="https://x/next"))
    assert [type(vm) for vm in items] == [VirtualMachineScaleSetVM] * 2
    assert [vm.instance_id for vm in items] == ["0", "1"]
    assert items[1].provisioning_state == "Succeeded"
    assert next_link == "https://x/next"
    assert gc.isenabled()


def test_page_parser_rejects_a_bad_item_anywhere_in_the_page(gc_enabled: None) -> None:
    parse = model_page_parser(VirtualMachineScaleSetVMListResult)
    vms = [_vm(str(i)) for i in range(50)]
    vms[37]["properties"]["latestModelApplied"] = {"not": "a bool"}
    with pytest.raises(pydantic.ValidationError) as info:
        parse(_page(*vms))
    assert info.value.errors()[0]["loc"][:2] == ("value", 37)
    assert gc.isenabled()


def test_page_parser_takes_an_empty_body(gc_enabled: None) -> None:
    parse = model_page_parser(VirtualMachineScaleSetVMListResult)
    assert parse(b"") == ([], None)
    assert gc.isenabled()
