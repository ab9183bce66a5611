"""Helpers for the conformance suite: the official azure-mgmt-compute client against the fake.

Two ways an azure-core client reaches the fake: ``in-process`` (``FakeAzureCoreTransport``,
virtual clock, instant) and ``http`` (a real aiohttp server on 127.0.0.1, the client's own default
transport, a fast real clock).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from azure.core.credentials import AccessToken
from azure.mgmt.compute.aio import ComputeManagementClient

from fakevmss import FakeCompute
from fakevmss._clock import RealClock

SPEED = 3600.0  # virtual seconds per real second for the HTTP leg: a 90 s create takes 25 ms


class StubCredential:
    """An async credential that hands out a fixed token (no network)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        assert scopes == ("https://management.azure.com/.default",)
        return AccessToken("fake-token", 4_102_444_800)  # year 2100

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> StubCredential:
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


@dataclass
class Official:
    """The official client wired to a fake, plus the keyword arguments every call needs."""

    fake: FakeCompute
    client: ComputeManagementClient
    mode: str
    kw: dict[str, Any] = field(default_factory=dict)


async def serve(fake: FakeCompute) -> tuple[web.AppRunner, str]:
    """Serve ``fake`` on 127.0.0.1 (any free port); return the runner and the base URL."""
    runner = web.AppRunner(fake.aiohttp_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def make_official(
    mode: str, *, api_version: str | None = "2024-07-01", **fake_kwargs: Any
) -> AsyncIterator[Official]:
    """An Official for ``mode`` ("in-process" or "http"), closed afterwards."""
    kw: dict[str, Any] = {} if api_version is None else {"api_version": api_version}
    if mode == "in-process":
        fake = FakeCompute(**fake_kwargs)
        client = ComputeManagementClient(
            StubCredential(), fake.subscription_id, transport=fake.azure_core_transport()
        )
        async with client:
            yield Official(fake, client, mode, kw)
        return
    fake = FakeCompute(clock=RealClock(speed=SPEED), **fake_kwargs)
    runner, base_url = await serve(fake)
    # azure-core's bearer policy refuses plain http unless told, per request.
    kw["enforce_https"] = False
    client = ComputeManagementClient(
        StubCredential(), fake.subscription_id, base_url=base_url, polling_interval=1
    )
    try:
        async with client:
            yield Official(fake, client, mode, kw)
    finally:
        await runner.cleanup()
