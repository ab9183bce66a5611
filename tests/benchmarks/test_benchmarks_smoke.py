"""Smoke tests: every benchmark script runs end to end with tiny sizes, so none of them rots.

No timing assertions anywhere: only that the scripts run, check their answers, and report the
rows and keys they promise.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` (the folder is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(script: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def has_client() -> bool:
    try:
        from aiovmss import ComputeClient, StaticTokenCredential  # noqa: F401
    except ImportError:
        return False
    return True


def has_fake() -> bool:
    try:
        from fakevmss import FakeCompute  # noqa: F401
    except ImportError:
        return False
    return True


async def test_arm_server_pages_and_lro() -> None:
    arm = load("arm_server")
    server = arm.ArmServer(vms=25, page_size=10)
    base = await server.start()
    ss = f"{base}/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute"
    ss += "/virtualMachineScaleSets/ss"
    try:
        async with aiohttp.ClientSession() as session:
            ids: list[str] = []
            url: str | None = f"{ss}/VIRTUALMACHINES?api-version=2024-07-01"
            while url:
                async with session.get(url) as resp:
                    page: dict[str, Any] = await resp.json()
                ids += [vm["instanceId"] for vm in page["value"]]
                url = page.get("nextLink")
                assert url is None or url.startswith(base)
            assert ids == [str(i) for i in range(25)]

            async with session.put(f"{ss}?api-version=2024-07-01", json={}) as resp:
                assert resp.status == 201
                assert resp.headers["Retry-After"] == "0"
                status_url = resp.headers["Azure-AsyncOperation"]
            statuses = []
            for _ in range(3):
                async with session.get(status_url) as resp:
                    statuses.append((await resp.json())["status"])
            assert statuses == ["InProgress", "InProgress", "Succeeded"]

            async with session.get(f"{ss}/virtualMachines/4?$expand=instanceView") as resp:
                vm = await resp.json()
            assert vm["properties"]["storageProfile"]["osDisk"]["osType"] == "Linux"
            assert "instanceView" in vm["properties"]
    finally:
        await server.stop()


def test_percentile_and_summary_are_pure() -> None:
    bench = load("client_bench")
    assert bench.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert bench.percentile([1.0], 0.9) == 1.0
    rows = bench.summarise({"get": {"aiovmss": [2.0, 4.0], "raw aiohttp": [1.0, 1.0]}})
    assert [r["library"] for r in rows] == ["raw aiohttp", "aiovmss"]
    assert rows[1]["ratio"] == pytest.approx(3.0)


def test_client_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "client.json"
    args = ["--quick", "--rounds", "1", "--warmup", "0", "--vms", "30", "--page-size", "10"]
    proc = run("client_bench.py", *args, "--concurrency", "5", "--json", str(out))
    data = json.loads(out.read_text())
    libraries = {row["library"] for row in data["summary"]}
    assert "raw aiohttp" in libraries
    assert "azure-mgmt-compute" in libraries
    if has_client():
        assert "aiovmss" in libraries
    assert {row["case"] for row in data["summary"]} == {"get", "list", "lro", "concurrent"}
    assert "| list 30 VMs (3 pages), parsed | raw aiohttp |" in proc.stdout


@pytest.mark.skipif(not has_client(), reason="aiovmss not built yet")
def test_list_breakdown_runs(tmp_path: Path) -> None:
    out = tmp_path / "breakdown.json"
    args = ["--rounds", "1", "--vms", "250", "--repeat", "2", "--latency-rounds", "1"]
    proc = run(
        "list_breakdown.py", *args, "--latency-ms", "1", "--work-ms", "1", "--json", str(out)
    )
    data = json.loads(out.read_text())
    assert set(data["samples_s"]) == {
        "floor",
        "aiovmss",
        "aiovmss, no read-ahead",
        "aiovmss paging, dict pages",
        "aiovmss paging, dict pages, no read-ahead",
    }
    assert all(len(samples) == 1 for samples in data["samples_s"].values())
    assert set(data["page_cpu_ms"]) >= {"parse a page, models", "free a page, json.loads"}
    assert "| aiovmss paging, dict pages |" in proc.stdout
    assert set(data["with_latency_s"]) == {"floor", "aiovmss", "aiovmss, no read-ahead"}
    assert "| 1 ms a page at the server, 1 ms a page in the caller |" in proc.stdout


def test_import_time_runs(tmp_path: Path) -> None:
    out = tmp_path / "import.json"
    proc = run("import_time.py", "--repeat", "1", "--json", str(out))
    data = json.loads(out.read_text())
    assert data["import tenacity"]["total_ms"] > 0
    assert "import aiovmss" in data
    assert "| import aiohttp |" in proc.stdout


@pytest.mark.skipif(not (has_fake() and has_client()), reason="fakevmss/aiovmss not built yet")
def test_fake_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "fake.json"
    args = ["--vms", "40", "--per-scale-set", "20", "--held", "30", "--requests", "20"]
    run("fake_bench.py", *args, "--json", str(out))
    data = json.loads(out.read_text())
    scenario = data["scenario"]
    assert scenario["vms"] == 40 and scenario["scale_sets"] == 2
    assert 0 <= scenario["scale_sets_deleted"] <= 2
    assert scenario["requests"] > 0
    assert data["rps"]["transport_get_rps"] > 0
    assert data["held"]["held_vms"] == 30
    assert data["scenario-tracemalloc"]["tracemalloc_peak_mib"] > 0
    assert data["bodies"]["check_us_cpu"] > 0 and data["bodies"]["patch_rps_strict"] > 0


@pytest.mark.skipif(not has_fake(), reason="fakevmss not built yet")
def test_ui_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "ui.json"
    args = ["--vms", "40", "--per-scale-set", "20", "--requests", "50", "--rounds", "2"]
    proc = run("ui_bench.py", *args, "--json", str(out))
    data = json.loads(out.read_text())
    assert data["meta"]["vms"] == 40 and data["meta"]["scale_sets"] == 2
    results = data["results"]
    assert {f"view {case}" for case in load("ui_bench").CASES} <= set(results)
    assert all(r["median_ms"] > 0 for name, r in results.items() if name.startswith("http"))
    assert results["timeline_html whole fleet"]["mib"] > 0
    assert "| view first page |" in proc.stdout


@pytest.mark.skipif(not has_fake(), reason="needs fakevmss")
def test_pattern_bench_quick(tmp_path: Path) -> None:
    out = tmp_path / "pattern.json"
    run("pattern_bench.py", "--quick", "--json", str(out))
    results = json.loads(out.read_text())
    assert set(results) == {"matcher", "served"}
    assert set(results["served"]) == {
        "no fault", "(a+)+$ in force", "(.*a){31}$ in force", "(a|b)*a(a|b){29}$ in force"
    }  # fmt: skip
    assert all(row["steps_per_char"] >= 1 for name, row in results["matcher"].items()
               if not name.startswith("re "))  # fmt: skip


@pytest.mark.skipif(not (has_fake() and has_client()), reason="fakevmss/aiovmss not built yet")
def test_fleet_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    proc = run("fleet_bench.py", "--sizes", "3x4", "--ways", "aiovmss", "naive", "--json", str(out))
    results = {r["way"]: r for r in json.loads(out.read_text())}
    assert set(results) == {"aiovmss", "naive"}
    for result in results.values():
        assert result["size"] == "3x4" and result["reads"] > 0 and result["throttled_429"] >= 0
        assert sum(result["outcomes"].values()) == 2 * 3 * 4  # each VM created, then deleted
        assert result["settle_over_bound"] >= 1.0 and result["peak_rss_mib"] > 0
        assert result["by_kind"]["PUT scale set"] == 3
    assert results["aiovmss"]["reads"] < results["naive"]["reads"]
    assert "| 3x4 | aiovmss | on |" in proc.stdout


def test_fleet_bench_lower_bounds_follow_the_retry_schedule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))  # for its ``from _bodies import ...``
    bench = load("fleet_bench")
    from fakevmss import Timings

    timings = Timings()
    assert bench.create_settles(0, True, timings) == 90.0
    assert bench.create_settles(3, True, timings) == 3 * 480.0 + 90.0
    assert bench.create_settles(4, False, timings) == 1800.0  # cut at the 30-minute limit
    assert bench.delete_settles(0, timings) == 60.0
    assert bench.delete_settles(3, timings) == 4 * 60.0 + 600.0 + 1200.0  # the 2,040 s case
