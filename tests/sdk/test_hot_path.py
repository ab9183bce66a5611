"""The client's hot-path speed-ups keep behaviour: GC pause, caches, request ids, headers."""

from __future__ import annotations

import asyncio
import gc
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest
from sdk_support import ManualClock, ScriptedTransport

from aiovmss._clock import LoopClock
from aiovmss._credentials import StaticTokenCredential
from aiovmss._deadlines import DeadlineWatch
from aiovmss._paging import gc_paused, model_page_parser
from aiovmss._pipeline import Pipeline, request_id
from aiovmss._retry import RetryPolicy
from aiovmss.errors import ServiceResponseError
from aiovmss.models import VirtualMachineScaleSetVM, VirtualMachineScaleSetVMListResult
from aiovmss.transport import HttpRequest, HttpResponse

URL = "https://management.azure.com/subscriptions/s/resourceGroups/rg/x?api-version=2024-07-01"
OP: dict[str, Any] = {"operation": "scale_sets.get", "resource": "rg/x"}


def make_pipeline(transport: Any, clock: Any, **policy: Any) -> Pipeline:
    return Pipeline(
        transport=transport,
        credential=StaticTokenCredential("canary-token"),
        clock=clock,
        retry=RetryPolicy(**policy),
        rng=lambda: 0.5,
    )


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


# --- request ids ------------------------------------------------------------------------------


def test_request_id_is_a_random_uuid4_string() -> None:
    ids = {request_id() for _ in range(500)}
    assert len(ids) == 500
    for value in list(ids)[:50]:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value


async def test_every_request_carries_a_fresh_request_id(clock: ManualClock) -> None:
    transport = ScriptedTransport(HttpResponse(200), HttpResponse(200))
    pipeline = make_pipeline(transport, clock)
    await pipeline.send("GET", URL, **OP)
    await pipeline.send("GET", URL, **OP)
    ids = [r.headers["x-ms-client-request-id"] for r in transport.requests]
    assert ids[0] != ids[1]
    assert all(uuid.UUID(i).version == 4 for i in ids)


# --- per-attempt deadlines on the loop clock ------------------------------------------------


class HangingTransport:
    """Never answers until ``release`` is set; counts the sends."""

    def __init__(self) -> None:
        self.sent = 0
        self.release: asyncio.Future[HttpResponse] | None = None

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.sent += 1
        self.release = asyncio.get_running_loop().create_future()
        return await self.release

    async def aclose(self) -> None:
        """Nothing to release."""


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_loop_clock_attempt_times_out_when_its_deadline_passes() -> None:
    transport = HangingTransport()
    pipeline = make_pipeline(transport, LoopClock(), max_attempts=1, timeout=30)
    sending = asyncio.ensure_future(pipeline.send("GET", URL, **OP))
    await _settle()
    watch = pipeline._timeout.watch
    assert watch is not None and len(watch) == 1
    assert watch.expire(asyncio.get_running_loop().time() + 31) == 1
    with pytest.raises(ServiceResponseError, match="timed out after 30 s"):
        await sending
    assert len(watch) == 0 and transport.sent == 1


async def test_loop_clock_attempt_within_its_deadline_is_untouched() -> None:
    transport = HangingTransport()
    pipeline = make_pipeline(transport, LoopClock(), max_attempts=1, timeout=30)
    sending = asyncio.ensure_future(pipeline.send("GET", URL, **OP))
    await _settle()
    watch = pipeline._timeout.watch
    assert watch is not None
    assert watch.expire(asyncio.get_running_loop().time() + 29) == 0
    assert transport.release is not None
    transport.release.set_result(HttpResponse(200, {}, b"{}"))
    assert (await sending).status_code == 200
    assert len(watch) == 0


async def test_outer_cancellation_on_the_loop_clock_stays_a_cancellation() -> None:
    transport = HangingTransport()
    pipeline = make_pipeline(transport, LoopClock(), max_attempts=1, timeout=30)
    sending = asyncio.ensure_future(pipeline.send("GET", URL, **OP))
    await _settle()
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    assert pipeline._timeout.watch is not None and len(pipeline._timeout.watch) == 0


async def test_deadline_watch_fires_only_overdue_tasks_and_rearms() -> None:
    loop = asyncio.get_running_loop()
    watch = DeadlineWatch(loop)
    late = asyncio.ensure_future(asyncio.get_running_loop().create_future())
    early = asyncio.ensure_future(asyncio.get_running_loop().create_future())
    await _settle()
    watch.watch(late, loop.time() + 1000)
    watch.watch(early, loop.time() - 1)  # already due: the shared timer fires next iteration
    await _settle()
    assert early.cancelled() and not late.done()
    assert watch.unwatch(early) is True
    assert watch.unwatch(early) is False  # reported once
    assert len(watch) == 1 and "watching=1" in repr(watch)
    assert watch.unwatch(late) is False
    late.cancel()
    await _settle()


async def test_each_loop_gets_its_own_watch() -> None:
    pipeline = make_pipeline(ScriptedTransport(HttpResponse(200)), LoopClock(), timeout=30)
    await pipeline.send("GET", URL, **OP)
    watch = pipeline._timeout.watch
    assert watch is not None and watch.loop is asyncio.get_running_loop()
    assert len(watch) == 0


# --- names and URLs -----------------------------------------------------------------------------


def test_cached_names_still_reject_bad_names_every_time() -> None:
    from aiovmss.errors import InvalidNameError
    from aiovmss.operations._common import names

    assert names(("resource group", "rg 1"), ("scale set name", "web")) == ["rg%201", "web"]
    assert names(("resource group", "rg 1")) == ["rg%201"]  # served from the cache
    for _ in range(2):
        with pytest.raises(InvalidNameError):
            names(("resource group", "a/b"))
        with pytest.raises(TypeError):
            names(("resource group", 3))


# --- token fast path ------------------------------------------------------------------------


async def test_fresh_authorization_reads_only_a_fresh_cached_token() -> None:
    import time

    from aiovmss._credentials import BearerTokenCache

    soon = BearerTokenCache(StaticTokenCredential("t", expires_on=int(time.time()) + 60), "s")
    assert soon.fresh_authorization() is None  # nothing cached yet
    assert await soon.authorization() == "Bearer t"
    assert soon.fresh_authorization() is None  # inside the 300 s refresh margin
    later = BearerTokenCache(StaticTokenCredential("u"), "s")
    await later.authorization()
    assert later.fresh_authorization() == "Bearer u"
    later.invalidate()
    assert later.fresh_authorization() is None
