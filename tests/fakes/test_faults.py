"""Fault plans: VM fault matching, seeded probabilities, HTTP faults, validation."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from fakevmss import FakeCompute
from fakevmss._faults import (
    AttemptAtMost,
    AttemptContext,
    DeleteFailure,
    Faults,
    InstanceIn,
    ScaleSetIs,
)


def plan() -> Faults:
    return Faults(random.Random(0))


def test_omitted_filters_match_everything() -> None:
    faults = plan()
    faults.fail_create("AllocationFailed")
    assert faults.create_outcome("any", "7", 3) == "AllocationFailed"
    assert faults.delete_outcome("any", "7", 1) is None


def test_filters_and_attempts() -> None:
    faults = plan()
    faults.fail_delete("InternalExecutionError", scale_set="WEB", instances=["0"], attempts=2)
    assert faults.delete_outcome("web", "0", 2) == DeleteFailure("InternalExecutionError")
    assert faults.delete_outcome("web", "0", 3) is None
    assert faults.delete_outcome("web", "1", 1) is None
    assert faults.delete_outcome("other", "0", 1) is None


def test_first_matching_fault_wins_and_remove() -> None:
    faults = plan()
    first = faults.fail_create("OSProvisioningTimeout", instances=["0"])
    faults.fail_create("AllocationFailed")
    assert faults.create_outcome("s", "0", 1) == "OSProvisioningTimeout"
    first.remove()
    first.remove()
    assert faults.create_outcome("s", "0", 1) == "AllocationFailed"
    faults.clear()
    assert faults.create_outcome("s", "0", 1) is None
    assert len(faults) == 0


def test_fallback_state_carried() -> None:
    faults = plan()
    faults.fail_delete("TransientFailure", fallback_state="Running")
    assert faults.delete_outcome("s", "0", 1) == DeleteFailure("TransientFailure", "Running")


def test_matchers_combine() -> None:
    ctx = AttemptContext("web", "3", 2)
    assert (ScaleSetIs("web") & InstanceIn(["3"]))(ctx)
    assert not (ScaleSetIs("db") & InstanceIn(["3"]))(ctx)
    assert (ScaleSetIs("db") | AttemptAtMost(2))(ctx)
    assert (~ScaleSetIs("db"))(ctx)


def _draws(seed: int) -> list[bool]:
    fake = FakeCompute(seed=seed)
    fake.faults.fail_delete("InternalExecutionError", probability=0.3)
    return [fake.faults.delete_outcome("s", str(i), 1) is not None for i in range(200)]


def test_probability_reproducible_by_seed() -> None:
    assert _draws(7) == _draws(7)
    assert _draws(7) != _draws(8)
    assert 30 < sum(_draws(7)) < 90


def test_probability_outcomes_reproducible_end_to_end() -> None:
    def run(seed: int) -> list[int]:
        fake = FakeCompute(seed=seed)
        fake.faults.fail_delete("InternalExecutionError", probability=0.5)
        fake.create_scale_set("rg", "web", capacity=20)
        fake.clock.advance(100)
        fake.backend.sets.delete(fake.subscription_id, "rg", "web", force=False)
        fake.clock.advance(20000)
        return [fake.vm("rg", "web", str(i)).delete_attempts for i in range(20)]

    assert run(3) == run(3)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"code": ""}, ValueError),
        ({"code": 5}, TypeError),
        ({"code": "X", "attempts": 0}, ValueError),
        ({"code": "X", "attempts": "2"}, TypeError),
        ({"code": "X", "probability": 1.5}, ValueError),
        ({"code": "X", "probability": "half"}, TypeError),
        ({"code": "X", "instances": "0"}, TypeError),
        ({"code": "X", "instances": [0]}, TypeError),
        ({"code": "X", "scale_set": 3}, TypeError),
        ({"code": "X", "fallback_state": "Deleting"}, ValueError),
    ],
)
def test_bad_vm_fault_arguments(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        plan().fail_delete(**kwargs)


def test_http_fault_times_and_filters() -> None:
    faults = plan()
    faults.http_error(503, "ServiceUnavailable", method="get", path="/virtualMachines", times=2)
    assert faults.take_http_fault("PUT", "/x/virtualMachines/0") is None
    assert faults.take_http_fault("GET", "/x/virtualmachines/0") is not None
    fault = faults.take_http_fault("GET", "/x/VIRTUALMACHINES")
    assert fault is not None and fault.status == 503 and fault.code == "ServiceUnavailable"
    assert faults.take_http_fault("GET", "/x/virtualMachines") is None


def test_http_fault_forever_and_regex() -> None:
    faults = plan()
    faults.throttle(retry_after=30, path=re.compile(r"/operations/"), times=None)
    for _ in range(5):
        fault = faults.take_http_fault("GET", "/locations/westus/operations/abc")
        assert fault is not None and fault.kind == "throttle" and fault.retry_after == 30
        assert fault.status == 429 and fault.code == "TooManyRequests"
    assert faults.take_http_fault("GET", "/other") is None


def test_drop_and_slow() -> None:
    faults = plan()
    faults.drop_connection(after_send=True)
    faults.slow_response(12.5)
    drop = faults.take_http_fault("DELETE", "/")
    slow = faults.take_http_fault("DELETE", "/")
    assert drop is not None and drop.kind == "drop" and drop.after_send
    assert slow is not None and slow.kind == "slow" and slow.seconds == 12.5
    assert faults.take_http_fault("DELETE", "/") is None


@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.http_error(200, "Ok"),
        lambda f: f.http_error(500, "X", times=0),
        lambda f: f.http_error("500", "X"),
        lambda f: f.throttle(retry_after=-1),
        lambda f: f.slow_response(-2),
        lambda f: f.drop_connection(after_send="yes"),
        lambda f: f.http_error(500, "X", path=3),
    ],
)
def test_bad_http_fault_arguments(call: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        call(plan())
