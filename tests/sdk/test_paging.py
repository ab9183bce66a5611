from __future__ import annotations

import pytest
from sdk_support import ScriptedTransport, respond, scripted_client, split

from aiovmss import AsyncPaged
from aiovmss._paging import next_page_url
from aiovmss.errors import PagingError, ResourceNotFoundError
from aiovmss.models import VirtualMachineScaleSet, VirtualMachineScaleSetVM

BASE = "https://management.azure.com"
S = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"


def _vm(instance_id: str) -> dict[str, object]:
    return {
        "name": f"web_{instance_id}",
        "instanceId": instance_id,
        "properties": {"provisioningState": "Succeeded"},
    }


def _page(ids: list[str], next_link: str | None) -> dict[str, object]:
    body: dict[str, object] = {"value": [_vm(i) for i in ids]}
    if next_link is not None:
        body["nextLink"] = next_link
    return body


# --- next_page_url: a pure decision -----------------------------------------------------------


def test_next_page_url_absent_or_empty_ends() -> None:
    assert next_page_url(None, f"{BASE}/x", "2024-07-01") is None
    assert next_page_url("", f"{BASE}/x", "2024-07-01") is None


def test_next_page_url_used_as_is_when_it_has_api_version() -> None:
    link = f"{BASE}/x?api-version=2024-07-01&$skiptoken=abc%3D"
    assert next_page_url(link, f"{BASE}/y", "2023-07-01") == link


def test_next_page_url_gets_api_version_when_missing() -> None:
    assert (
        next_page_url(f"{BASE}/x?$skiptoken=1", f"{BASE}/y", "2024-07-01")
        == f"{BASE}/x?$skiptoken=1&api-version=2024-07-01"
    )
    assert next_page_url(f"{BASE}/x", f"{BASE}/y", "2023-07-01") == (
        f"{BASE}/x?api-version=2023-07-01"
    )


def test_next_page_url_relative_is_resolved_against_current() -> None:
    assert next_page_url("/x?api-version=v", f"{BASE}/y?z=1", "v") == f"{BASE}/x?api-version=v"


# --- AsyncPaged --------------------------------------------------------------------------------


def _three_pages() -> ScriptedTransport:
    return ScriptedTransport(
        respond(
            200, _page(["0", "1"], f"{BASE}{S}/web/virtualMachines?api-version=2024-07-01&p=2")
        ),
        respond(200, _page(["2"], f"{BASE}{S}/web/virtualMachines?api-version=2024-07-01&p=3")),
        respond(200, _page(["3", "4"], None)),
    )


async def test_items_across_three_pages_follow_next_link() -> None:
    transport = _three_pages()
    client = scripted_client(transport)
    paged = client.scale_set_vms.list("rg", "web")
    assert isinstance(paged, AsyncPaged)
    assert transport.requests == []  # lazy: nothing sent before iteration
    vms = [vm async for vm in paged]
    assert [vm.instance_id for vm in vms] == ["0", "1", "2", "3", "4"]
    assert all(isinstance(vm, VirtualMachineScaleSetVM) for vm in vms)
    urls = [r.url for r in transport.requests]
    assert urls[0] == f"{BASE}{S}/web/virtualMachines?api-version=2024-07-01"
    assert urls[1].endswith("&p=2") and urls[2].endswith("&p=3")
    assert all(r.method == "GET" for r in transport.requests)


async def test_by_page_yields_lists() -> None:
    client = scripted_client(_three_pages())
    pages = [page async for page in client.scale_set_vms.list("rg", "web").by_page()]
    assert [[vm.instance_id for vm in page] for page in pages] == [["0", "1"], ["2"], ["3", "4"]]


async def test_each_iteration_starts_again() -> None:
    transport = ScriptedTransport(
        respond(200, _page(["0"], None)), respond(200, _page(["0"], None))
    )
    paged = scripted_client(transport).scale_set_vms.list("rg", "web")
    assert len([vm async for vm in paged]) == 1
    assert len([vm async for vm in paged]) == 1
    assert len(transport.requests) == 2


async def test_empty_list_and_empty_next_link() -> None:
    transport = ScriptedTransport(respond(200, {"value": [], "nextLink": ""}))
    assert [s async for s in scripted_client(transport).scale_sets.list("rg")] == []
    assert len(transport.requests) == 1


async def test_next_link_loop_stops_with_an_error() -> None:
    link = f"{BASE}{S}?api-version=2024-07-01&p=2"
    transport = ScriptedTransport(
        respond(200, {"value": [{"name": "a"}], "nextLink": link}),
        respond(200, {"value": [{"name": "b"}], "nextLink": link}),
    )
    seen: list[str | None] = []
    with pytest.raises(PagingError, match="repeated a nextLink"):
        async for scale_set in scripted_client(transport).scale_sets.list("rg"):
            seen.append(scale_set.name)
    assert seen == ["a", "b"]
    assert len(transport.requests) == 2


async def test_list_all_scale_sets_path_and_models() -> None:
    transport = ScriptedTransport(respond(200, {"value": [{"name": "a", "location": "westus"}]}))
    items = [s async for s in scripted_client(transport, "2023-07-01").scale_sets.list_all()]
    assert isinstance(items[0], VirtualMachineScaleSet) and items[0].location == "westus"
    method, path, query = split(transport.requests[0])
    assert (method, path) == (
        "GET",
        "/subscriptions/sub/providers/Microsoft.Compute/virtualMachineScaleSets",
    )
    assert query == {"api-version": ["2023-07-01"]}


async def test_error_on_a_later_page_propagates() -> None:
    transport = ScriptedTransport(
        respond(200, _page(["0"], f"{BASE}{S}/web/virtualMachines?api-version=2024-07-01&p=2")),
        respond(404, {"error": {"code": "ResourceNotFound", "message": "gone"}}),
    )
    got: list[str | None] = []
    with pytest.raises(ResourceNotFoundError) as info:
        async for vm in scripted_client(transport).scale_set_vms.list("rg", "web"):
            got.append(vm.instance_id)
    assert got == ["0"]
    assert info.value.operation == "scale_set_vms.list"
