"""Reliability suite: print what the chaos and fuzz tests injected and checked.

Counters live in ``chaos_support.STATS`` per process; under xdist each worker hands its
counters to the controller through ``workeroutput``, which merges them before the summary.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from chaos_support import STATS


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: ship the counters
        workeroutput["chaos_stats"] = json.dumps(STATS.as_dict())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    data = getattr(node, "workeroutput", {}).get("chaos_stats")
    if data:
        STATS.merge(json.loads(data))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not STATS.scenarios and not STATS.requests_fuzzed:
        return
    write = terminalreporter.write_line
    terminalreporter.section("reliability summary")
    write(f"chaos scenarios: {STATS.scenarios}")
    faults = ", ".join(f"{k}={v}" for k, v in sorted(STATS.faults.items()))
    write(f"faults injected: {sum(STATS.faults.values())} ({faults})")
    checks = ", ".join(f"{k}={v}" for k, v in sorted(STATS.invariants.items()))
    write(f"invariants checked: {sum(STATS.invariants.values())} ({checks})")
    write(f"VMs judged against the fake's truth: {STATS.vms_judged}")
    write(f"documented errors caught: {sum(STATS.errors.values())}")
    write(f"requests fuzzed: {STATS.requests_fuzzed}")
