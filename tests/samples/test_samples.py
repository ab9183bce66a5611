"""Every sample runs on the embedded fake as a subprocess, exits 0 and prints its summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CANARY = "Canary-Pa55word-never-printed!"


def run(*args: str, cwd: Path = SAMPLES) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "error", "COLUMNS": "110"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_canary_is_the_samples_password() -> None:
    assert CANARY in (SAMPLES / "_common.py").read_text()


@pytest.mark.parametrize(
    ("script", "summary"),
    [
        ("quickstart.py", "Settled: scale set Deleted, 3/3 VMs Deleted"),
        ("resilient_create.py", "Settled: 3 Succeeded, 1 Failed"),
        ("resilient_delete.py", "Settled: 5 Deleted, 1 Failed"),
        ("fleet_maintenance.py", "Settled: 6 VMs, 5 on the latest model, 4 running, 2 deallocated"),
    ],
)
def test_sample_runs_on_the_fake(script: str, summary: str) -> None:
    done = run(str(SAMPLES / script))
    assert done.returncode == 0, done.stderr[-3000:]
    assert summary in done.stdout, done.stdout[-3000:]
    assert CANARY not in done.stdout + done.stderr


def test_resilient_delete_shows_attempts_and_timeline() -> None:
    done = run(str(SAMPLES / "resilient_delete.py"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Timeline (virtual time):" in done.stdout
    assert "InProgress" in done.stdout


def test_resilient_create_waits_with_one_waiter_and_names_the_failure() -> None:
    done = run(str(SAMPLES / "resilient_create.py"))
    assert done.returncode == 0, done.stderr[-3000:]
    # VM 3's row: 4 attempts, Failed, the error code the waiter read from its instance view.
    assert re.search(r"\b3\W+4\W+Failed\W+OSProvisioningTimeout\b", done.stdout), done.stdout
    assert "Scale-out settled: 2 new VMs (4, 5) Succeeded" in done.stdout


def test_fleet_maintenance_skips_the_protected_canary() -> None:
    done = run(str(SAMPLES / "fleet_maintenance.py"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Failed after Resilient create: 2" in done.stdout
    assert "reimaged 2" in done.stdout
    assert "update_instances 0, 1, 2: latest on 1, 2" in done.stdout  # 0 is protected


def test_live_mode_needs_a_subscription() -> None:
    done = run(str(SAMPLES / "quickstart.py"), "--live")
    assert done.returncode == 2
    assert "--subscription" in done.stderr


def test_downstream_example_passes_with_the_plugin() -> None:
    example = SAMPLES / "downstream_test_example"
    done = run("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=example)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout  # with the compute_client marker at 2023-07-01
