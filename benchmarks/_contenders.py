"""The three clients the client benchmark compares, behind one small interface.

Each contender runs four cases against the loopback ARM server (``arm_server.py``):
``get_one`` (GET one VM, parsed into the library's model), ``list_all`` (every VM of the
scale set, all pages, every item parsed), ``lro`` (PUT, poll the async operation to
``Succeeded``, final GET) and ``concurrent_get`` (N GETs at once). Every case reads
``provisioningState`` of each result, so lazy models pay for what a caller would use.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from _bodies import RG, scale_set_body

SUB = "00000000-0000-0000-0000-000000000000"
SS = "bench-ss"
SCALE_SET_BODY = scale_set_body(3)


class Contender:
    """One client under test; subclasses implement the four cases."""

    name = "?"

    async def open(self, base_url: str) -> None:
        """Create the client against ``base_url``."""

    async def close(self) -> None:
        """Release the client."""

    async def get_one(self) -> str:
        """GET VM 0 and return its provisioning state."""
        raise NotImplementedError

    async def list_all(self) -> int:
        """List every VM (all pages) and return how many were read."""
        raise NotImplementedError

    async def lro(self) -> str:
        """Create-or-update the scale set, wait for the LRO, return the final state."""
        raise NotImplementedError

    async def concurrent_get(self, n: int) -> int:
        """Run ``n`` GETs at once; return how many succeeded."""
        states = await asyncio.gather(*(self.get_one() for _ in range(n)))
        return sum(1 for s in states if s.lower() == "succeeded")


class RawAiohttp(Contender):
    """The floor: aiohttp + json.loads on dicts, no models, no retries, no auth cache."""

    name = "raw aiohttp"

    async def open(self, base_url: str) -> None:
        import aiohttp

        self.session = aiohttp.ClientSession()
        self.headers = {"Authorization": "Bearer bench"}
        prefix = f"{base_url}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute"
        self.ss_url = f"{prefix}/virtualMachineScaleSets/{SS}"
        self.q = "?api-version=2024-07-01"

    async def close(self) -> None:
        await self.session.close()

    async def _get(self, url: str) -> Any:
        async with self.session.get(url, headers=self.headers) as resp:
            return json.loads(await resp.read())

    async def get_one(self) -> str:
        vm = await self._get(f"{self.ss_url}/virtualMachines/0{self.q}")
        return str(vm["properties"]["provisioningState"])

    async def list_all(self) -> int:
        url: str | None = f"{self.ss_url}/virtualMachines{self.q}"
        count = 0
        while url:
            page = await self._get(url)
            count += sum(1 for vm in page["value"] if vm["properties"]["provisioningState"])
            url = page.get("nextLink")
        return count

    async def lro(self) -> str:
        body = json.dumps(SCALE_SET_BODY).encode()
        headers = {**self.headers, "Content-Type": "application/json"}
        async with self.session.put(f"{self.ss_url}{self.q}", data=body, headers=headers) as resp:
            json.loads(await resp.read())
            status_url = resp.headers["Azure-AsyncOperation"]
        while (await self._get(status_url))["status"] == "InProgress":
            pass
        final = await self._get(f"{self.ss_url}{self.q}")
        return str(final["properties"]["provisioningState"])


def _plentiful() -> Any:
    from aiovmss import PacingPolicy

    huge = 1e12
    return PacingPolicy(
        reads_capacity=huge, reads_rate=huge, writes_capacity=huge, writes_rate=huge,
        deletes_capacity=huge, deletes_rate=huge,
    )  # fmt: skip


class AiovmssClient(Contender):
    """aiovmss.ComputeClient with a static token over its default aiohttp transport."""

    name = "aiovmss"

    async def open(self, base_url: str) -> None:
        from aiovmss import ComputeClient, StaticTokenCredential

        self.client = ComputeClient(
            StaticTokenCredential("bench"),
            SUB,
            base_url=base_url,
            polling_interval=0.0,
            min_polling_interval=0.0,  # honour the server's Retry-After: 0 as azure-core does
            # The pacer runs (its cost is part of every request) with a budget that never runs
            # out: the default one would space the benchmark's thousands of reads at ARM's 25 a
            # second, and measure that instead of the client.
            pacing=_plentiful(),
        )
        await self.client.__aenter__()

    async def close(self) -> None:
        await self.client.aclose()

    async def get_one(self) -> str:
        vm = await self.client.scale_set_vms.get(RG, SS, "0")
        return str(vm.properties.provisioning_state)

    async def list_all(self) -> int:
        count = 0
        async for vm in self.client.scale_set_vms.list(RG, SS):
            count += 1 if vm.properties.provisioning_state else 0
        return count

    async def lro(self) -> str:
        poller = await self.client.scale_sets.begin_create_or_update(RG, SS, SCALE_SET_BODY)
        result = await poller.result()
        return str(result.properties.provisioning_state)


class StubAsyncCredential:
    """An azure-core async token credential that always hands out the same token."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("bench", int(time.time()) + 3600)

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self) -> StubAsyncCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class AzureMgmtCompute(Contender):
    """azure-mgmt-compute's aio ComputeManagementClient (http allowed per call)."""

    name = "azure-mgmt-compute"

    async def open(self, base_url: str) -> None:
        from azure.mgmt.compute.aio import ComputeManagementClient

        self.client = ComputeManagementClient(
            StubAsyncCredential(), SUB, base_url=base_url, polling_interval=0
        )
        await self.client.__aenter__()

    async def close(self) -> None:
        await self.client.close()

    async def get_one(self) -> str:
        # enforce_https=False: azure-core's bearer policy refuses http:// otherwise.
        vm = await self.client.virtual_machine_scale_set_vms.get(RG, SS, "0", enforce_https=False)
        return str(vm.properties.provisioning_state)

    async def list_all(self) -> int:
        count = 0
        pages = self.client.virtual_machine_scale_set_vms.list(RG, SS, enforce_https=False)
        async for vm in pages:
            count += 1 if vm.properties.provisioning_state else 0
        return count

    async def lro(self) -> str:
        ops = self.client.virtual_machine_scale_sets
        poller = await ops.begin_create_or_update(RG, SS, SCALE_SET_BODY, enforce_https=False)
        result = await poller.result()
        return str(result.properties.provisioning_state)


def available() -> list[Contender]:
    """The floor, then every client that imports here (missing ones are skipped)."""
    contenders: list[Contender] = [RawAiohttp()]
    for cls, module in ((AiovmssClient, "aiovmss"), (AzureMgmtCompute, "azure.mgmt.compute.aio")):
        try:
            __import__(module)
            if cls is AiovmssClient:
                from aiovmss import ComputeClient, StaticTokenCredential  # noqa: F401
        except ImportError as exc:
            print(f"skipping {cls.name}: {exc}")
            continue
        contenders.append(cls())
    return contenders
