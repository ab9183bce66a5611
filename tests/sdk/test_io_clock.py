"""The per-attempt timeout runs on the transport's I/O clock; every other wait on ``clock=``.

``RecordingClock`` below is the test clock users write most: ``sleep()`` returns at once and
``now()`` advances by what was asked. Against a real server it must skip the backoff without
timing out a single real request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from manual_clock import ManualClock as RecordingClock
from sdk_support import serve_app

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss._clock import LoopClock
from aiovmss._pipeline import Pipeline
from aiovmss._retry import RetryPolicy
from aiovmss.errors import ServiceResponseError
from aiovmss.transport import HttpRequest, HttpResponse, HttpxTransport, transport_io_clock
from fakevmss import FakeCompute, VirtualClock

URL = "https://management.azure.com/x?api-version=2024-07-01"
OP: dict[str, Any] = {"operation": "scale_sets.get", "resource": "rg/web"}
SCALE_SET = {"name": "web", "location": "westus", "properties": {"provisioningState": "Succeeded"}}
HITS = web.AppKey("hits", list[str])


async def throttle_once(request: web.Request) -> web.Response:
    """429 with ``Retry-After: 7`` on the first request, the scale set after that."""
    hits = request.app[HITS]
    hits.append(request.method)
    if len(hits) == 1:
        error = {"error": {"code": "TooManyRequests", "message": "slow down"}}
        return web.json_response(error, status=429, headers={"Retry-After": "7"})
    return web.json_response(SCALE_SET)


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[str]]]:
    app = web.Application()
    app[HITS] = []
    app.router.add_get("/{tail:.*}", throttle_once)
    async with serve_app(app) as url:
        yield url, app[HITS]


# --- the rule, end to end ---------------------------------------------------------------------


async def test_recording_clock_against_a_real_server_sleeps_only_the_retry_after(
    server: tuple[str, list[str]],
) -> None:
    url, hits = server
    clock = RecordingClock()
    async with ComputeClient(
        StaticTokenCredential("t"), "sub", base_url=url, clock=clock
    ) as client:  # the default AiohttpTransport, the default 120 s per-attempt timeout
        scale_set = await client.scale_sets.get("rg", "web")
    assert scale_set.name == "web"
    assert clock.sleeps == [7.0]  # exactly the Retry-After: no watchdog slept on this clock
    assert hits == ["GET", "GET"]  # neither request timed out and was sent again


async def test_a_slow_fake_response_times_out_on_the_fakes_virtual_clock() -> None:
    fake = FakeCompute()
    fake.create_scale_set("rg", "web", capacity=0)
    fake.faults.slow_response(600, method="GET")
    clock = RecordingClock()  # the client's own waits go elsewhere: nothing to retry here
    async with ComputeClient(
        StaticTokenCredential("t"),
        fake.subscription_id,
        transport=fake.transport(),
        clock=clock,
        retry=RetryPolicy(max_attempts=1, timeout=30),
    ) as client:
        started = fake.clock.now()
        with pytest.raises(ServiceResponseError, match="timed out after 30 s"):
            await client.scale_sets.get("rg", "web")
    assert fake.clock.now() - started == 30.0
    assert clock.sleeps == []


async def test_a_slow_fake_response_is_retried_after_its_virtual_timeout() -> None:
    fake = FakeCompute()
    fake.create_scale_set("rg", "web", capacity=0)
    fake.faults.slow_response(600, method="GET", times=1)
    async with ComputeClient(
        StaticTokenCredential("t"),
        fake.subscription_id,
        transport=fake.transport(),
        clock=fake.clock,
        retry=RetryPolicy(timeout=30),
    ) as client:
        scale_set = await client.scale_sets.get("rg", "web")
    assert scale_set.name == "web"
    assert [r.method for r in fake.requests] == ["GET"]  # the timed-out one never answered
    assert 30.0 <= fake.clock.now() < 600.0


# --- which clock, decided once ----------------------------------------------------------------


class Bare:
    async def send(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(200)

    async def aclose(self) -> None:
        pass


def test_a_transport_without_io_clock_means_real_time() -> None:
    assert transport_io_clock(Bare()) is None


def test_io_clock_is_read_from_the_transport() -> None:
    fake = FakeCompute()
    assert transport_io_clock(fake.transport()) is fake.clock
    clock = RecordingClock()
    assert transport_io_clock(HttpxTransport(httpx.AsyncClient(), io_clock=clock)) is clock
    assert transport_io_clock(HttpxTransport(httpx.AsyncClient())) is None


def test_an_io_clock_that_is_no_clock_is_refused_at_construction() -> None:
    transport = Bare()
    transport.io_clock = 30  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=r"Bare\.io_clock must have now\(\) and async sleep"):
        ComputeClient(StaticTokenCredential("t"), "sub", transport=transport)


# --- the fast path (loop time) and the watchdog path agree ------------------------------------


class Hanging:
    """Never answers until released; ``io_clock`` chooses the timeout path."""

    def __init__(self, io_clock: Any = None) -> None:
        self.io_clock = io_clock
        self.release: asyncio.Future[HttpResponse] | None = None

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.release = asyncio.get_running_loop().create_future()
        return await self.release

    async def aclose(self) -> None:
        pass


def pipeline(transport: Any, clock: Any) -> Pipeline:
    return Pipeline(
        transport=transport,
        credential=StaticTokenCredential("t"),
        clock=clock,
        retry=RetryPolicy(max_attempts=1, timeout=30),
    )


async def _timed_out(transport: Hanging, clock: Any, *, on_loop: bool) -> str:
    sender = pipeline(transport, clock)
    sending = asyncio.ensure_future(sender.send("GET", URL, **OP))
    for _ in range(5):
        await asyncio.sleep(0)
    if on_loop:  # the loop's deadline passes: expire it as the shared timer would
        assert sender._timeout.watch is not None
        sender._timeout.watch.expire(asyncio.get_running_loop().time() + 30)
    with pytest.raises(ServiceResponseError) as caught:
        await sending
    return str(caught.value)


@pytest.mark.parametrize("io_clock", [None, LoopClock()], ids=["no io_clock", "LoopClock"])
async def test_a_recording_client_clock_leaves_real_io_on_the_loop(io_clock: Any) -> None:
    clock = RecordingClock()
    transport = Hanging(io_clock)
    message = await _timed_out(transport, clock, on_loop=True)
    assert clock.sleeps == []  # the client's clock never timed the request
    assert message.endswith("timed out after 30 s")


async def test_the_loop_path_and_the_watchdog_path_say_the_same() -> None:
    on_loop = await _timed_out(Hanging(), RecordingClock(), on_loop=True)
    io_clock = RecordingClock()  # sleeps return at once: the watchdog fires at once
    on_clock = await _timed_out(Hanging(io_clock), RecordingClock(), on_loop=False)
    assert on_loop == on_clock
    assert io_clock.sleeps == [30]


@pytest.mark.parametrize("io_clock", [None, VirtualClock()], ids=["loop", "watchdog"])
async def test_both_paths_return_an_answer_given_in_time(io_clock: Any) -> None:
    class Quick:
        def __init__(self) -> None:
            self.io_clock = io_clock

        async def send(self, request: HttpRequest) -> HttpResponse:
            await asyncio.sleep(0)  # suspends, so the watchdog (if any) is scheduled
            return HttpResponse(200, {}, b"{}")

        async def aclose(self) -> None:
            pass

    response = await pipeline(Quick(), RecordingClock()).send("GET", URL, **OP)
    task = asyncio.current_task()
    assert response.status_code == 200
    assert task is not None and task.cancelling() == 0
