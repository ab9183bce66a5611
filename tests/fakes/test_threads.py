"""One FakeCompute shared by several threads, each running its own event loop.

The thread switch interval is shortened so that threads interleave inside the fake's request
handling as often as possible; every request must still be answered, recorded once, and leave
consistent state behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from thread_support import run_in_threads
from wire_support import BASE, SUB, S, scale_set_body

from fakevmss import FakeCompute, RealClock, Timings, VirtualClock
from fakevmss._http import WireRequest

THREADS = 6
PER_THREAD = 40
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def busy_switching() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _url(path: str) -> str:
    return f"{BASE}{path}?api-version=2024-07-01"


async def _worker(fake: FakeCompute, index: int, statuses: list[int]) -> None:
    name = f"t{index}"
    put = WireRequest("PUT", _url(f"{S}/{name}"), AUTH, json.dumps(scale_set_body(3)).encode())
    statuses.append((await fake.handle(put)).status)
    for i in range(PER_THREAD):
        if i % 4 == 0:
            path, method = f"{S}/{name}/virtualMachines", "GET"
        elif i % 4 == 1:
            path, method = f"{S}/{name}/virtualMachines/{i % 3}", "GET"
        elif i % 4 == 2:
            path, method = S, "GET"
        else:
            path, method = f"{S}/t{(index + 1) % THREADS}", "GET"
        answer = await fake.handle(WireRequest(method, _url(path), AUTH))
        statuses.append(answer.status)
    delete = WireRequest("DELETE", _url(f"{S}/{name}/virtualMachines/2"), AUTH)
    statuses.append((await fake.handle(delete)).status)


def _run_threads(fake: FakeCompute) -> list[list[int]]:
    results: list[list[int]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def run(index: int) -> None:
        try:
            barrier.wait()
            asyncio.run(_worker(fake, index, results[index]))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.usefixtures("busy_switching")
@pytest.mark.parametrize("round_", range(3))
def test_one_fake_many_threads(round_: int) -> None:
    fake = FakeCompute(seed=round_, subscription_id=SUB)
    results = _run_threads(fake)
    for statuses in results:
        assert len(statuses) == PER_THREAD + 2
        assert statuses[0] == 201
        assert statuses[-1] == 202
        assert all(s < 500 for s in statuses), statuses
    assert len(fake.requests) == THREADS * (PER_THREAD + 2)
    fake.clock.advance(3600)
    for index in range(THREADS):
        view = fake.scale_set("rg", f"t{index}")
        assert view.provisioning_state == "Succeeded"
        assert view.instance_ids == ["0", "1"]
        assert fake.vm("rg", f"t{index}", "2").delete_attempts == 1


def test_threads_with_their_own_clients() -> None:
    """Each thread drives its own ComputeClient (own loop) against one shared fake."""
    from aiovmss import ComputeClient, StaticTokenCredential

    fake = FakeCompute(seed=9, subscription_id=SUB)
    for index in range(THREADS):
        fake.create_scale_set("rg", f"c{index}", capacity=2)
    fake.clock.advance(600)
    found: dict[int, list[str]] = {}

    async def use(index: int) -> None:
        async with ComputeClient(
            StaticTokenCredential("t"), SUB, transport=fake.transport()
        ) as client:
            got = [vm.instance_id async for vm in client.scale_set_vms.list("rg", f"c{index}")]
            vmss = await client.scale_sets.get("rg", f"c{index}")
            assert vmss.name == f"c{index}"
            found[index] = [str(i) for i in got]

    threads = [threading.Thread(target=lambda i=i: asyncio.run(use(i))) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert found == {i: ["0", "1"] for i in range(THREADS)}


async def _grow_and_list(fake: FakeCompute, index: int, statuses: list[int]) -> None:
    for i in range(PER_THREAD):
        if index % 2 == 0:
            capacity = 3 + index * PER_THREAD + i
            body = json.dumps({"sku": {"capacity": capacity}}).encode()
            request = WireRequest("PATCH", _url(f"{S}/shared"), AUTH, body)
        else:
            request = WireRequest("GET", _url(f"{S}/shared/virtualMachines"), AUTH)
        statuses.append((await fake.handle(request)).status)


@pytest.mark.usefixtures("busy_switching")
def test_writers_and_readers_of_one_scale_set() -> None:
    fake = FakeCompute(seed=1, subscription_id=SUB)
    fake.create_scale_set("rg", "shared", capacity=3)
    results: list[list[int]] = [[] for _ in range(THREADS)]
    threads = [
        threading.Thread(target=lambda i=i: asyncio.run(_grow_and_list(fake, i, results[i])))
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for statuses in results:
        assert statuses and all(s < 500 for s in statuses), statuses
    ids = fake.scale_set("rg", "shared").instance_ids
    assert ids == [str(i) for i in range(len(ids))]  # no id lost or reused
    assert len(fake.requests) == THREADS * PER_THREAD


# -- one fake, several threads, clients sleeping on the fake's clock ----------------------

CLOCK_THREADS = 4
ROUNDS = 20


def note_sleeping_threads(clock: VirtualClock | RealClock) -> list[int]:
    """Make ``clock`` note the thread of every sleep; the list fills as they sleep."""
    threads: list[int] = []
    sleep = clock.sleep

    async def noting(seconds: float) -> None:
        if seconds > 0:
            threads.append(threading.get_ident())  # list.append is atomic
        await sleep(seconds)

    clock.sleep = noting  # type: ignore[method-assign]
    return threads


async def _create_delete_wait(fake: FakeCompute, index: int) -> tuple[int, list[str]]:
    """ROUNDS of: create a scale set (1-2 VMs), delete VM 0, wait for its deletion."""
    from aiovmss import ComputeClient, StaticTokenCredential
    from aiovmss.waiters import wait_for_vm_deletion

    outcomes: list[str] = []
    async with ComputeClient(
        StaticTokenCredential("t"), SUB, transport=fake.transport(), clock=fake.clock
    ) as client:
        for round_ in range(ROUNDS):
            name = f"w{index}r{round_}"
            poller = await client.scale_sets.begin_create_or_update(
                "rg", name, scale_set_body(1 + round_ % 2)
            )
            await poller.result()  # an LRO poller sleeping on the fake's clock
            await client.scale_set_vms.begin_delete("rg", name, "0")
            result = await wait_for_vm_deletion(client, "rg", name, "0")
            # Gone: Deleted, or NotFound when the delete finished before the first poll (a
            # fast RealClock, or other threads moving the shared clock in between).
            outcomes.append("gone" if result.gone else str(result.outcome))
    return threading.get_ident(), outcomes


@pytest.mark.parametrize(
    "clock", [VirtualClock, lambda: RealClock(speed=20_000)], ids=["virtual", "real"]
)
def test_threads_with_clients_sleeping_on_the_fakes_clock(clock: Any) -> None:
    """4 threads x 20 rounds of create, delete and wait_for_vm_deletion on one fake."""
    timings = Timings()
    if clock is not VirtualClock:
        # A 10-minute delete (30 ms of real time at this speed) leaves the waiters polling, and
        # so sleeping, well after their first look.
        timings = dataclasses.replace(timings, delete_attempt=600.0)
    fake = FakeCompute(clock=clock(), seed=3, subscription_id=SUB, timings=timings)
    sleeping = note_sleeping_threads(fake.clock)
    jobs = [lambda i=i: _create_delete_wait(fake, i) for i in range(CLOCK_THREADS)]
    idents, outcomes = zip(*run_in_threads(*jobs), strict=True)
    assert list(outcomes) == [["gone"] * ROUNDS] * CLOCK_THREADS
    # Every thread's pollers and waiters slept on the shared clock, and woke up.
    assert all(ident in sleeping for ident in idents), idents
    for index in range(CLOCK_THREADS):
        for round_ in range(ROUNDS):
            name = f"w{index}r{round_}"
            assert fake.scale_set("rg", name).provisioning_state == "Succeeded"
            vm = fake.vm("rg", name, "0")
            assert (vm.exists, vm.delete_attempts) == (False, 1)
    # Every loop is closed now, and the clock holds none of them back.
    assert all(loop.is_closed() for loop in fake.clock._loops)
