"""fakevmss benchmark: a 10,000-VM resilient create/delete on the virtual clock, requests/s, memory.

Parts (each in a fresh child process, so every RSS figure is its own):

- ``scenario``: 10,000 VMs (Uniform scale sets of at most 1,000 VMs: the fake, like Azure,
  refuses a larger ``sku.capacity``) created with 5% ``OSProvisioningTimeout`` create faults,
  then deleted with 5% ``InternalExecutionError`` delete faults, until every scale set is gone;
  wall time (target <= 2 s), virtual time, requests, peak RSS.
- ``scenario-tracemalloc``: the same under ``tracemalloc`` for the peak of Python allocations
  (slower: its wall time is not the figure to quote).
- ``rps``: GET VM through ``fake.transport().send`` (target >= 10,000/s) and through a whole
  ``aiovmss.ComputeClient``; per wall second and per CPU second of this process (the latter
  is steadier on a shared machine).
- ``held``: 100,000 VMs created and held; RSS before and after.
- ``bodies``: what checking a request body against the api-version's schema costs: the
  checker alone on the benchmark's PUT body (CPU microseconds per check; the first call, which
  loads the schema and compiles the checkers, apart), and PATCH requests per second through
  ``fake.transport().send`` with the check on and with ``strict_bodies=False``.

    python benchmarks/fake_bench.py              # full run
    python benchmarks/fake_bench.py --quick      # 1,000 / 10,000 VMs
    python benchmarks/fake_bench.py --json fake.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from _bodies import RG, scale_set_body


def rss_mib() -> float:
    """Current resident set size in MiB (Linux ``/proc``; else the peak from getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mib()


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (``ru_maxrss`` is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def sizes(total: int, per: int) -> list[int]:
    """Split ``total`` VMs into scale sets of at most ``per``."""
    return [min(per, total - start) for start in range(0, total, per)]


def client_for(fake: Any) -> Any:
    """An aiovmss client wired to ``fake`` in-process, on its virtual clock."""
    from aiovmss import ComputeClient, StaticTokenCredential

    return ComputeClient(
        StaticTokenCredential("bench"),
        fake.subscription_id,
        transport=fake.transport(),
        clock=fake.clock,
    )


async def create(client: Any, name: str, capacity: int) -> str:
    """Create a scale set of ``capacity`` VMs; return its final state (Failed if a VM failed)."""
    from aiovmss.errors import OperationFailedError

    body = scale_set_body(capacity)
    poller = await client.scale_sets.begin_create_or_update(RG, name, body)
    try:
        result = await poller.result()
    except OperationFailedError:
        return "Failed"
    return str(result.properties.provisioning_state)


async def failed_vms(client: Any, name: str) -> int:
    """How many VMs of ``name`` ended their create Failed."""
    return sum(
        [
            1
            async for vm in client.scale_set_vms.list(RG, name)
            if str(vm.properties.provisioning_state).lower() == "failed"
        ]
    )


async def delete(client: Any, clock: Any, name: str) -> str:
    """Delete ``name`` and wait on the virtual clock until it is gone (or ends Failed)."""
    from aiovmss.errors import OperationFailedError, ResourceNotFoundError

    poller = await client.scale_sets.begin_delete(RG, name)
    # Resilient retries go on after the LRO; wait for the scale set itself below.
    with contextlib.suppress(OperationFailedError):
        await poller.result()
    while True:
        try:
            scale_set = await client.scale_sets.get(RG, name)
        except ResourceNotFoundError:
            return "Deleted"
        if str(scale_set.properties.provisioning_state).lower() == "failed":
            return "Failed"
        await clock.sleep(60)


async def scenario(args: argparse.Namespace) -> dict[str, Any]:
    """Resilient create then resilient delete of ``args.vms`` VMs with 5% faults each way."""
    from fakevmss import FakeCompute

    fake = FakeCompute(seed=args.seed)
    fake.faults.fail_create("OSProvisioningTimeout", probability=0.05)
    counts = sizes(args.vms, args.per_scale_set)
    names = [f"bench{i}" for i in range(len(counts))]
    async with client_for(fake) as client:
        start, cpu = time.perf_counter(), time.process_time()
        states = await asyncio.gather(
            *(create(client, n, c) for n, c in zip(names, counts, strict=True))
        )
        created_at, virtual_created = time.perf_counter(), fake.clock.now()
        failed = sum(await asyncio.gather(*(failed_vms(client, n) for n in names)))
        ids = {n: fake.scale_set(RG, n).instance_ids for n in names}
        fake.faults.clear()
        fake.faults.fail_delete("InternalExecutionError", probability=0.05)
        deleted = await asyncio.gather(*(delete(client, fake.clock, n) for n in names))
        end, cpu_end = time.perf_counter(), time.process_time()
    return {
        "vms": args.vms,
        "scale_sets": len(names),
        "wall_create_s": created_at - start,
        "wall_total_s": end - start,
        "cpu_total_s": cpu_end - cpu,
        "virtual_create_min": virtual_created / 60,
        "virtual_total_min": fake.clock.now() / 60,
        "scale_sets_failed_create": states.count("Failed"),
        "vms_failed_create": failed,
        "scale_sets_deleted": deleted.count("Deleted"),
        **attempts(fake, ids),
        "requests": len(fake.requests),
        "peak_rss_mib": peak_rss_mib(),
    }


def attempts(fake: Any, ids: dict[str, list[str]]) -> dict[str, int]:
    """Create and delete attempts over every VM (first attempts plus resilient retries)."""
    vms = [fake.vm(RG, name, i) for name, instance_ids in ids.items() for i in instance_ids]
    return {
        "create_attempts": sum(vm.create_attempts for vm in vms),
        "delete_attempts": sum(vm.delete_attempts for vm in vms),
        "delete_retry_rounds": sum(len(fake.scale_set(RG, name).history) for name in ids),
    }


async def scenario_tracemalloc(args: argparse.Namespace) -> dict[str, Any]:
    """The scenario under tracemalloc: peak Python allocations."""
    tracemalloc.start()
    result = await scenario(args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tracemalloc_peak_mib": peak / 2**20, "wall_total_s_traced": result["wall_total_s"]}


def unrefusing_limits() -> Any:
    """Limits that charge and answer every header but never refuse (their cost alone)."""
    from fakevmss import Limits

    limits = dataclasses.replace(
        Limits(), reads_capacity=1e12, reads_refill=1e12, writes_capacity=1e12
    )
    for policy in limits.policies:
        limits = limits.with_policy(policy.name, limit=10**12)
    return limits


async def rps(args: argparse.Namespace) -> dict[str, Any]:
    """GET VM requests per second through the raw transport and through the client."""
    from aiovmss.transport import HttpRequest
    from fakevmss import FakeCompute

    # The wire path's own speed: limits off here (1,000s of GETs at one virtual instant would
    # be throttled); their cost is measured apart, with limits too large to refuse anything.
    fake = FakeCompute(seed=args.seed, limits=None)
    async with client_for(fake) as client:
        await create(client, "rps", 10)
        transport = fake.transport()
        url = (
            f"https://management.azure.com/subscriptions/{fake.subscription_id}/resourceGroups/"
            f"{RG}/providers/Microsoft.Compute/virtualMachineScaleSets/rps/virtualMachines/3"
            "?api-version=2024-07-01"
        )
        headers = {"Authorization": "Bearer bench", "x-ms-client-request-id": "bench"}
        status = (await transport.send(HttpRequest("GET", url, headers))).status_code
        assert status == 200, f"GET VM answered {status}"
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            await transport.send(HttpRequest("GET", url, headers))
        raw = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            await client.scale_set_vms.get(RG, "rps", "3")
        full = (time.perf_counter() - wall, time.process_time() - cpu)
        fake.set_limits(unrefusing_limits())
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            await transport.send(HttpRequest("GET", url, headers))
        limited = (time.perf_counter() - wall, time.process_time() - cpu)
        await transport.aclose()
    n = args.requests
    return {
        "transport_get_rps": n / raw[0],
        "transport_get_rps_cpu": n / raw[1],
        "transport_get_rps_limits_on": n / limited[0],
        "transport_get_rps_limits_on_cpu": n / limited[1],
        "client_get_rps": n / full[0],
        "client_get_rps_cpu": n / full[1],
        "requests": n,
    }


async def patch_rps(strict: bool, n: int) -> tuple[float, float]:
    """PATCH requests (a tags change) per wall second and per CPU second, raw transport."""
    from aiovmss.transport import HttpRequest
    from fakevmss import FakeCompute

    fake = FakeCompute(strict_bodies=strict, limits=None)  # the schema check's cost alone
    fake.create_scale_set(RG, "bodies", capacity=1)
    url = (
        f"https://management.azure.com/subscriptions/{fake.subscription_id}/resourceGroups/"
        f"{RG}/providers/Microsoft.Compute/virtualMachineScaleSets/bodies?api-version=2024-07-01"
    )
    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    body = json.dumps({"tags": {"team": "bench"}, "sku": {"capacity": 1}}).encode()
    transport = fake.transport()
    status = (await transport.send(HttpRequest("PATCH", url, headers, body))).status_code
    assert status == 200, f"PATCH answered {status}"
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await transport.send(HttpRequest("PATCH", url, headers, body))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await transport.aclose()
    return n / wall, n / cpu


async def bodies(args: argparse.Namespace) -> dict[str, Any]:
    """The schema check's cost: alone per body, and PATCH requests per second with and without."""
    from fakevmss._wire._schema_check import BodyChecker

    raw = json.dumps(scale_set_body(10)).encode()
    checker = BodyChecker()
    op = "VirtualMachineScaleSets_CreateOrUpdate"
    start = time.process_time()
    checker.check(op, "2024-07-01", json.loads(raw), raw)
    first = time.process_time() - start
    parsed = [json.loads(raw) for _ in range(args.requests)]
    start = time.process_time()
    for body in parsed:
        checker.check(op, "2024-07-01", body, raw)
    each = (time.process_time() - start) / args.requests
    n = max(1, args.requests // 4)
    strict, lenient = await patch_rps(True, n), await patch_rps(False, n)
    return {
        "check_first_ms_cpu": first * 1000,
        "check_us_cpu": each * 1e6,
        "patch_rps_strict": strict[0],
        "patch_rps_strict_cpu": strict[1],
        "patch_rps_lenient": lenient[0],
        "patch_rps_lenient_cpu": lenient[1],
        "body_bytes": len(raw),
    }


async def held(args: argparse.Namespace) -> dict[str, Any]:
    """Create ``args.held`` VMs without faults and hold them; RSS before and after."""
    from fakevmss import FakeCompute

    warm = FakeCompute(seed=args.seed)  # imports and first-use caches before the baseline
    async with client_for(warm) as client:
        await create(client, "warm", 1)
    del warm, client
    gc.collect()
    before = rss_mib()
    fake = FakeCompute(seed=args.seed, limits=None)  # VM memory, not the throttle's counters
    start = time.perf_counter()
    async with client_for(fake) as client:
        counts = sizes(args.held, args.per_scale_set)
        await asyncio.gather(*(create(client, f"held{i}", c) for i, c in enumerate(counts)))
    wall = time.perf_counter() - start
    fake.requests.clear()  # the request log is not VM state
    after = rss_mib()
    return {
        "held_vms": args.held,
        "rss_before_mib": before,
        "rss_after_mib": after,
        "bytes_per_vm": (after - before) * 2**20 / max(1, args.held),
        "wall_create_s": wall,
    }


PARTS = {
    "scenario": scenario,
    "scenario-tracemalloc": scenario_tracemalloc,
    "rps": rps,
    "held": held,
    "bodies": bodies,
}


def run_part(part: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run ``part`` in a child process and return what it printed (one JSON object)."""
    cmd = [
        sys.executable,
        __file__,
        "--part",
        part,
        "--vms",
        str(args.vms),
        "--held",
        str(args.held),
        "--requests",
        str(args.requests),
        "--per-scale-set",
        str(args.per_scale_set),
        "--seed",
        str(args.seed),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def report(results: dict[str, dict[str, Any]]) -> str:
    """A markdown table of every figure."""
    lines = ["| part | figure | value |", "|---|---|---:|"]
    for part, figures in results.items():
        for key, value in figures.items():
            shown = f"{value:,.2f}" if isinstance(value, float) else f"{value}"
            lines.append(f"| {part} | {key} | {shown} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--part", choices=list(PARTS), help="run one part here (internal)")
    p.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS))
    p.add_argument("--quick", action="store_true", help="1,000 VMs, 10,000 held")
    p.add_argument("--vms", type=int, default=10_000)
    p.add_argument("--held", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=20_000)
    p.add_argument("--per-scale-set", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    if args.quick:
        args.vms, args.held, args.requests = (
            min(args.vms, 1000),
            min(args.held, 10_000),
            min(args.requests, 5000),
        )
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.part:
        print(json.dumps(asyncio.run(PARTS[args.part](args))))
        return
    results = {part: run_part(part, args) for part in args.parts}
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if any("error" in r for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
