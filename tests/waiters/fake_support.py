"""Helpers for waiter tests on the real fake: scale sets, a client, request counting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.errors import OperationFailedError
from aiovmss.transport import HttpRequest, HttpResponse

RG = "rg"


def body(
    capacity: int,
    *,
    deletion: bool = True,
    creation: bool = True,
    mode: str = "Uniform",
    os_type: str = "Linux",
) -> dict[str, Any]:
    return {
        "location": "westus",
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": capacity},
        "properties": {
            "orchestrationMode": mode,
            "virtualMachineProfile": {
                "storageProfile": {"osDisk": {"osType": os_type, "createOption": "FromImage"}}
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": creation},
                "resilientVMDeletionPolicy": {"enabled": deletion},
            },
        },
    }


class CountingTransport:
    """Wraps the fake's transport and tracks how many requests are in flight at once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.io_clock = getattr(inner, "io_clock", None)  # delays pass on the fake's clock
        self.in_flight = 0
        self.max_in_flight = 0

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # give other polls the chance to start
            return await self.inner.send(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


@asynccontextmanager
async def client_for(
    fake: Any, *, api_version: str = "2024-07-01", transport: Any = None
) -> AsyncIterator[ComputeClient]:
    async with ComputeClient(
        StaticTokenCredential("fake-token"),
        fake.subscription_id,
        api_version=api_version,
        transport=transport or fake.transport(),
        clock=fake.clock,
    ) as client:
        yield client


async def create(client: ComputeClient, name: str, capacity: int, **kwargs: Any) -> Any:
    poller = await client.scale_sets.begin_create_or_update(RG, name, body(capacity, **kwargs))
    return await poller.result()


def vm_gets(fake: Any, name: str, instance_id: str) -> list[Any]:
    suffix = f"/virtualmachinescalesets/{name}/virtualmachines/{instance_id}".lower()
    return [r for r in fake.requests if r.method == "GET" and r.path.lower().endswith(suffix)]


def list_calls(fake: Any, name: str) -> list[Any]:
    suffix = f"/virtualmachinescalesets/{name}/virtualmachines".lower()
    return [r for r in fake.requests if r.method == "GET" and r.path.lower().endswith(suffix)]


async def settle_lro(poller: Any) -> None:
    """Await an LRO whose Failed end is expected (Resilient delete retries after it)."""
    with contextlib.suppress(OperationFailedError):
        await poller.result()
