"""aiovmss's paging (with its read-ahead) against the fake, through every adapter.

The same listing runs over the in-process transport, over httpx through respx, and over real
HTTP on loopback; each must list every VM once, in order, and send the page after the current
one before the caller is handed the current one (from the second page on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager

import httpx
import pytest
from contract_support import serve

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.transport import (
    AiohttpTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
)
from fakevmss import FakeCompute

RG = "rg"
VMS = 10
PAGE = 3  # four pages: 3, 3, 3, 1


class Counting:
    """A transport that counts the list requests it was given before passing them on."""

    def __init__(self, inner: AsyncTransport) -> None:
        self.inner = inner
        self.io_clock = getattr(inner, "io_clock", None)  # delays pass on the fake's clock
        self.lists = 0

    async def send(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and "/virtualMachines?" in request.url:
            self.lists += 1  # counted when sent: over HTTP the server sees it a little later
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@asynccontextmanager
async def client_for(mode: str, fake: FakeCompute) -> AsyncIterator[tuple[ComputeClient, Counting]]:
    """An aiovmss client reaching ``fake`` by ``mode``, and its counting transport."""
    credential = StaticTokenCredential("t")
    sub = fake.subscription_id
    if mode == "in-process":
        counting = Counting(fake.transport())
        async with ComputeClient(credential, sub, transport=counting) as client:
            yield client, counting
    elif mode == "respx":
        with fake.respx_router():
            async with httpx.AsyncClient() as http:
                counting = Counting(HttpxTransport(http))
                async with ComputeClient(credential, sub, transport=counting) as client:
                    yield client, counting
    else:
        runner, base_url = await serve(fake)
        counting = Counting(AiohttpTransport())  # the client closes only what it created
        try:
            async with ComputeClient(
                credential, sub, base_url=base_url, transport=counting
            ) as client:
                yield client, counting
        finally:
            await counting.aclose()
            await runner.cleanup()


def list_requests(fake: FakeCompute) -> int:
    """The list requests the fake answered."""
    return sum(
        1 for r in fake.requests if r.method == "GET" and r.path.endswith("/virtualMachines")
    )


@pytest.fixture
def fake() -> FakeCompute:
    fake = FakeCompute(page_size=PAGE)
    fake.create_scale_set(RG, "web", capacity=VMS)
    fake.clock.advance(600)
    return fake


@pytest.mark.parametrize("mode", ["in-process", "respx", "http"])
async def test_listing_reads_ahead_through_every_adapter(mode: str, fake: FakeCompute) -> None:
    sent: dict[str, int] = {}
    async with client_for(mode, fake) as (client, counting):
        async for vm in client.scale_set_vms.list(RG, "web"):
            sent[vm.instance_id] = counting.lists
    assert list(sent) == [str(i) for i in range(VMS)]
    # Page 1 alone; from page 2 on, the next page had been requested already.
    assert [sent[i] for i in ("0", "3", "6", "9")] == [1, 3, 4, 4]
    assert list_requests(fake) == 4
    assert all(r.status == 200 for r in fake.requests)


@pytest.mark.parametrize("mode", ["in-process", "respx", "http"])
async def test_without_read_ahead_through_every_adapter(mode: str, fake: FakeCompute) -> None:
    sent: dict[str, int] = {}
    async with client_for(mode, fake) as (client, counting):
        async for vm in client.scale_set_vms.list(RG, "web").without_read_ahead():
            sent[vm.instance_id] = counting.lists
    assert [sent[i] for i in ("0", "3", "6", "9")] == [1, 2, 3, 4]


@pytest.mark.parametrize("mode", ["in-process", "respx", "http"])
async def test_stopping_early_through_every_adapter(mode: str, fake: FakeCompute) -> None:
    async with client_for(mode, fake) as (client, counting):
        pages = client.scale_set_vms.list(RG, "web").by_page()
        async with aclosing(pages):
            async for page in pages:
                if page[0].instance_id == "3":
                    break
        # The client still works after a listing stopped with its read-ahead in flight.
        assert (await client.scale_set_vms.get(RG, "web", "9")).instance_id == "9"
    assert counting.lists == 3 and list_requests(fake) <= 3
