"""A scripted stand-in for ComputeClient: VM states as functions of a manual clock.

A uniquely named module (not conftest) so test files can import it under any rootdir.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from manual_clock import ManualClock as ManualClock

from aiovmss.errors import ArmError, HttpResponseError, ResourceNotFoundError

GONE = None


def not_found(what: str) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"{what} not found", status_code=404, error=ArmError(code="ResourceNotFound")
    )


def http_error(status: int, code: str) -> HttpResponseError:
    return HttpResponseError(f"{code}", status_code=status, error=ArmError(code=code))


@dataclass
class Timeline:
    """Piecewise-constant states: ``[(from_time, (provisioningState, status) | GONE | error)]``."""

    steps: list[tuple[float, Any]]

    def at(self, t: float) -> Any:
        current: Any = GONE
        for start, value in self.steps:
            if t >= start:
                current = value
        return current


def vm_body(iid: str, state: tuple[str, str | None]) -> dict[str, Any]:
    props: dict[str, Any] = {"provisioningState": state[0]}
    if state[1] is not None:
        props["resilientVMDeletionStatus"] = state[1]
    return {"instanceId": iid, "name": f"web_{iid}", "properties": props}


@dataclass
class Calls:
    gets: list[tuple[float, str, str | None]] = field(default_factory=list)
    lists: list[float] = field(default_factory=list)
    scale_set_gets: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


class StubVMs:
    def __init__(self, client: StubClient) -> None:
        self.client = client

    async def get(self, rg: str, name: str, iid: str, *, expand: str | None = None) -> Any:
        calls = self.client.calls
        calls.gets.append((self.client.clock.now(), iid, expand))
        calls.in_flight += 1
        calls.max_in_flight = max(calls.max_in_flight, calls.in_flight)
        try:
            await asyncio.sleep(0)  # let other polls start, so concurrency shows
            return self._answer(iid)
        finally:
            calls.in_flight -= 1

    def _answer(self, iid: str) -> Any:
        timeline = self.client.vms.get(iid)
        value = timeline.at(self.client.clock.now()) if timeline else GONE
        if isinstance(value, BaseException):
            raise value
        if value is GONE:
            raise not_found(f"VM {iid}")
        return vm_body(iid, value)

    def list(self, rg: str, name: str, **_: Any) -> AsyncIterator[Any]:
        return self._list()

    async def _list(self) -> AsyncIterator[Any]:
        client = self.client
        client.calls.lists.append(client.clock.now())
        if client.list_error is not None:
            raise client.list_error
        for iid, timeline in client.vms.items():
            value = timeline.at(client.clock.now())
            if isinstance(value, tuple):
                yield vm_body(iid, value)


class StubScaleSets:
    def __init__(self, client: StubClient) -> None:
        self.client = client

    async def get(self, rg: str, name: str, *, expand: str | None = None) -> Any:
        self.client.calls.scale_set_gets.append(self.client.clock.now())
        value = self.client.scale_set.at(self.client.clock.now())
        if isinstance(value, BaseException):
            raise value
        if value is GONE:
            raise not_found("scale set")
        return {"name": name, "properties": {"provisioningState": value[0]}}


class StubClient:
    """What the waiters use of a ComputeClient: clock, api_version, scale_set_vms, scale_sets."""

    def __init__(self, api_version: str = "2024-07-01") -> None:
        self.clock = ManualClock()
        self.api_version = api_version
        self.vms: dict[str, Timeline] = {}
        self.scale_set = Timeline([(0.0, ("Succeeded", None))])
        self.list_error: BaseException | None = None
        self.calls = Calls()
        self.scale_set_vms = StubVMs(self)
        self.scale_sets = StubScaleSets(self)

    def script(self, iid: str, *steps: tuple[float, Any]) -> None:
        self.vms[iid] = Timeline(list(steps))
