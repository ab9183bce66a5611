"""Fleet benchmark: create then delete 100 scale sets of 100 or 1,000 VMs, on the virtual clock.

Every job runs in a fresh child process against one in-process ``FakeCompute`` (Resilient create
and delete on, 5% ``OSProvisioningTimeout`` create faults and 5% ``InternalExecutionError``
delete faults, drawn from ``--seed``; ARM's throttling on when the fake has it), so its peak RSS
(``ru_maxrss``) is the whole process's, fake included. Two ways to do the same job:

- ``aiovmss``: PUT every scale set with its capacity (pollers not awaited), then
  ``wait_for_fleet_created``; DELETE every scale set (the scale set delete, not instance
  deletes), then ``wait_for_fleet_deleted``. Default settings.
- ``naive``: the official client's pattern, reproduced with aiovmss calls: the same PUTs and
  DELETEs, then every VM polled by its own GET every 30 s until it settled, all VMs at once
  (at most 100 requests in flight: aiohttp's default connection pool), retries as
  azure-core's default policy makes them (10, each after the service's Retry-After), and no
  pacer (``pacing=None``: the official client has none).

Reported per job: ARM requests by kind, 429s, virtual time to settle against its lower bound
(the retry schedule itself: the latest VM's create or delete, computed from the faults the fake
drew and its ``Timings``, and checked against the fake's own record), wall and CPU time, peak RSS.

    python benchmarks/fleet_bench.py                        # 100x100 and 100x1000, both ways
    python benchmarks/fleet_bench.py --sizes 100x100 --ways aiovmss
    python benchmarks/fleet_bench.py --no-limits             # the fake never throttles
    python benchmarks/fleet_bench.py --json benchmarks/results/fleet.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _bodies import RG, scale_set_body

POLL = 30.0
DEADLINE = 8 * 3600.0


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (``ru_maxrss`` is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# -- the lower bound: the retry schedule itself ---------------------------------------------


def create_settles(failures: int, succeeded: bool, timings: Any) -> float:
    """Seconds from the PUT until a Linux VM's Resilient create settled, from its failed attempts.

    Each failed attempt (an OS provisioning timeout) takes the Linux timeout, a good one the
    create duration; the whole create is cut at the time limit (docs/fake/emulation.md).
    """
    spent = failures * timings.provisioning_timeout_linux
    if succeeded:
        spent += timings.create_linux
    return min(spent, timings.create_time_limit)


def delete_settles(failures: int, timings: Any) -> float:
    """Seconds from the DELETE until a VM was gone, from its failed attempts (retry k is due
    ``delete_retry_delay(k)`` after attempt k failed; every attempt takes ``delete_attempt``)."""
    spent = timings.delete_attempt
    for retry in range(1, failures + 1):
        spent += timings.delete_attempt + timings.delete_retry_delay(retry)
    return spent


def _event_time(history: list[Any], *events: str) -> float:
    return next(e.time for e in history if e.event in events)


def vm_bounds(history: list[Any], timings: Any) -> tuple[float, float]:
    """One VM's create and delete times, from the faults it drew, checked against its history."""
    started = [e for e in history if e.event == "create-attempt-started"]
    created = any(e.event == "created" for e in history)
    create = create_settles(len(started) - int(created), created, timings)
    put_at = started[0].time
    recorded = _event_time(history, "created", "create-failed") - put_at
    assert abs(recorded - create) < 1e-6, (recorded, create)
    deletes = [e for e in history if e.event == "delete-attempt-started"]
    delete = delete_settles(len(deletes) - 1, timings)
    recorded = _event_time(history, "deleted") - _event_time(history, "delete-requested")
    assert abs(recorded - delete) < 1e-6, (recorded, delete)
    return create, delete


def lower_bounds(views: list[Any], timings: Any) -> dict[str, float]:
    """The latest VM's create and delete: the retry schedule of the faults the fake drew."""
    create = delete = 0.0
    for view in views:
        one = vm_bounds(view.history, timings)
        create, delete = max(create, one[0]), max(delete, one[1])
    return {"create": create, "delete": delete}


class Views:
    """Collects a live view of every VM once they exist; the time it takes is not measured."""

    def __init__(self, fake: Any, names: list[str], vms: int) -> None:
        self.fake, self.names, self.vms = fake, names, vms
        self.views: list[Any] = []
        self.spent = 0.0

    def __call__(self) -> None:
        start = time.perf_counter()
        self.views = [self.fake.vm(RG, n, str(i)) for n in self.names for i in range(self.vms)]
        self.spent += time.perf_counter() - start


# -- one job --------------------------------------------------------------------------------


def new_fake(args: argparse.Namespace) -> Any:
    from fakevmss import FakeCompute

    # Throttling is on by default in the fake (ARM's buckets and the Compute policies).
    fake = FakeCompute(seed=args.seed) if args.limits else FakeCompute(seed=args.seed, limits=None)
    fake.faults.fail_create("OSProvisioningTimeout", probability=0.05)
    fake.faults.fail_delete("InternalExecutionError", probability=0.05)
    return fake


class Bounded:
    """A transport with at most ``limit`` attempts in flight (aiohttp's pool, for the naive way)."""

    def __init__(self, inner: Any, limit: int) -> None:
        self.inner = inner
        self.io_clock = getattr(inner, "io_clock", None)
        self.semaphore = asyncio.Semaphore(limit)

    async def send(self, request: Any) -> Any:
        async with self.semaphore:
            return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def client_for(fake: Any, *, naive: bool) -> Any:
    from aiovmss import ComputeClient, StaticTokenCredential

    if not naive:
        transport = fake.transport()
        return ComputeClient(StaticTokenCredential("bench"), fake.subscription_id,
                             transport=transport, clock=fake.clock)  # fmt: skip
    # The official client's pattern: no pacer, a pool of 100 connections, and azure-core's
    # default retries (10 of them, each after the Retry-After the service asked for).
    from aiovmss import RetryPolicy

    transport = Bounded(fake.transport(), 100)
    retry = RetryPolicy(max_attempts=11, max_retry_after=3600.0)
    return ComputeClient(StaticTokenCredential("bench"), fake.subscription_id, retry=retry,
                         transport=transport, clock=fake.clock, pacing=None)  # fmt: skip


async def put_all(client: Any, names: list[str], vms: int) -> None:
    """PUT every scale set; the pollers are not awaited (the waiters judge the VMs)."""
    body = scale_set_body(vms)
    await asyncio.gather(*(client.scale_sets.begin_create_or_update(RG, n, body) for n in names))


async def delete_all(client: Any, names: list[str]) -> None:
    """DELETE every scale set (the pollers are not awaited)."""
    await asyncio.gather(*(client.scale_sets.begin_delete(RG, n) for n in names))


async def aiovmss_way(client: Any, names: list[str], vms: int, seen: Views) -> dict[str, Any]:
    from aiovmss.waiters import NewInstances, wait_for_fleet_created, wait_for_fleet_deleted

    clock = client.clock
    start = clock.now()
    await put_all(client, names, vms)
    seen()
    # Default settings but the deadline: under the Compute provider's list policy a 100,000-VM
    # fleet takes longer than the default hour to list once (see docs/performance.md).
    created = await wait_for_fleet_created(
        client,
        {(RG, n): NewInstances(count=vms) for n in names},
        raise_on_failure=False,
        timeout=DEADLINE,
    )
    created_at = clock.now()
    await delete_all(client, names)
    # The creation results say which VMs existed: the deletion wait needs no list to see them.
    deleted = await wait_for_fleet_deleted(
        client, created, raise_on_failure=False, timeout=DEADLINE
    )
    return {
        "create_s": created_at - start,
        "delete_s": clock.now() - created_at,
        "outcomes": lambda: outcomes("create", created) + outcomes("delete", deleted),
    }


def outcomes(kind: str, found: dict[Any, Any]) -> Counter[str]:
    """How many VMs ended each way (``"create Succeeded": 99,999``)."""
    counts: Counter[str] = Counter()
    for results in found.values():
        counts.update(f"{kind} {r.outcome.value}" for r in results.values())
    return counts


async def poll_vm(client: Any, name: str, iid: str, settled: Any, expand: str | None) -> str:
    """GET one VM every 30 s until ``settled(vm or None)`` names its outcome."""
    from aiovmss.errors import AzureError, ResourceNotFoundError

    while True:
        try:
            vm = await client.scale_set_vms.get(RG, name, iid, expand=expand)
        except ResourceNotFoundError:
            vm = None
        except AzureError:  # throttled or failed past the client's retries: try again later
            await client.clock.sleep(POLL)
            continue
        outcome = settled(vm)
        if outcome is not None:
            return str(outcome)
        await client.clock.sleep(POLL)


def created_state(vm: Any) -> str | None:
    state = None if vm is None else str(vm.properties.provisioning_state)
    return state if state in ("Succeeded", "Failed") else None


def deleted_state(vm: Any) -> str | None:
    if vm is None:
        return "Deleted"
    status = str(vm.properties.resilient_vm_deletion_status)
    return "Failed" if status == "Failed" else None


async def naive_way(client: Any, names: list[str], vms: int, seen: Views) -> dict[str, Any]:
    clock = client.clock
    start = clock.now()
    await put_all(client, names, vms)
    seen()
    ids = [(n, str(i)) for n in names for i in range(vms)]
    made = await asyncio.gather(*(poll_vm(client, n, i, created_state, None) for n, i in ids))
    created_at = clock.now()
    await delete_all(client, names)
    gone = await asyncio.gather(
        *(poll_vm(client, n, i, deleted_state, "resiliencyView") for n, i in ids)
    )
    counts = Counter(f"create {s}" for s in made) + Counter(f"delete {s}" for s in gone)  # few
    return {
        "create_s": created_at - start,
        "delete_s": clock.now() - created_at,
        "outcomes": lambda: counts,
    }


_KINDS = (
    ("operation status", re.compile(r"/operations/[^/]+$")),
    ("list VMs (page)", re.compile(r"/virtualmachinescalesets/[^/]+/virtualmachines$")),
    ("VM", re.compile(r"/virtualmachinescalesets/[^/]+/virtualmachines/[^/]+$")),
    ("list scale sets (page)", re.compile(r"/virtualmachinescalesets$")),
    ("scale set", re.compile(r"/virtualmachinescalesets/[^/]+$")),
    ("scale set instance view", re.compile(r"/virtualmachinescalesets/[^/]+/instanceview$")),
)


def kind_of(method: str, path: str) -> str:
    lowered = path.lower()
    for name, pattern in _KINDS:
        if pattern.search(lowered):
            return f"{method} {name}"
    return f"{method} other"


def requests_by_kind(fake: Any) -> tuple[dict[str, int], int, int]:
    """``({kind: count}, reads, 429s)`` from ``fake.requests``."""
    kinds = Counter(kind_of(r.method, r.path) for r in fake.requests)
    reads = sum(1 for r in fake.requests if r.method == "GET")
    throttled = sum(1 for r in fake.requests if r.status == 429)
    return dict(sorted(kinds.items())), reads, throttled


async def job(args: argparse.Namespace) -> dict[str, Any]:
    scale_sets, vms = (int(x) for x in args.size.split("x"))
    fake = new_fake(args)
    names = [f"fleet{i:03d}" for i in range(scale_sets)]
    run = aiovmss_way if args.way == "aiovmss" else naive_way
    seen = Views(fake, names, vms)
    async with client_for(fake, naive=args.way == "naive") as client:
        wall, cpu = time.perf_counter(), time.process_time()
        done = await run(client, names, vms, seen)
        wall, cpu = time.perf_counter() - wall - seen.spent, time.process_time() - cpu - seen.spent
    bounds = lower_bounds(seen.views, fake.timings)
    kinds, reads, throttled = requests_by_kind(fake)
    settle = done["create_s"] + done["delete_s"]
    bound = bounds["create"] + bounds["delete"]
    return {
        "size": args.size,
        "way": args.way,
        "throttling": args.limits,
        "requests": len(fake.requests),
        "reads": reads,
        "throttled_429": throttled,
        "by_kind": kinds,
        "create_virtual_s": done["create_s"],
        "delete_virtual_s": done["delete_s"],
        "create_bound_s": bounds["create"],
        "delete_bound_s": bounds["delete"],
        "settle_over_bound": settle / bound if bound else None,
        "outcomes": dict(sorted(done["outcomes"]().items())),  # counted outside the timing
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mib": peak_rss_mib(),
    }


# -- the parent: one child per job, a table -------------------------------------------------


def run_child(size: str, way: str, seed: int, limits: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--size", size, "--way", way]
    command += ["--seed", str(seed)] + ([] if limits else ["--no-limits"])
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{size} {way} failed:\n{proc.stdout}{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| fleet | way | throttling | reads | 429s | create / bound (virtual s) "
        "| delete / bound (virtual s) | settle / bound | wall s | CPU s | peak RSS MiB |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = [
        f"| {r['size']} | {r['way']} | {'on' if r['throttling'] else 'off'} | {r['reads']:,} "
        f"| {r['throttled_429']:,} | {r['create_virtual_s']:,.0f} / {r['create_bound_s']:,.0f} "
        f"| {r['delete_virtual_s']:,.0f} / {r['delete_bound_s']:,.0f} "
        f"| {r['settle_over_bound']:.3f} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} "
        f"| {r['peak_rss_mib']:,.0f} |"
        for r in results
    ]
    kinds = ["", "| fleet | way | requests by kind |", "|---|---|---|"]
    kinds += [
        f"| {r['size']} | {r['way']} | "
        + ", ".join(f"{k}: {v:,}" for k, v in r["by_kind"].items())
        + " |"
        for r in results
    ]
    return "\n".join([head, *rows, *kinds])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", nargs="+", default=["100x100", "100x1000"])
    parser.add_argument("--ways", nargs="+", default=["aiovmss", "naive"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-limits", dest="limits", action="store_false", help="the fake never throttles"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--way", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(job(args))))
        return
    results = [
        run_child(size, way, args.seed, args.limits) for size in args.sizes for way in args.ways
    ]
    print(table(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
