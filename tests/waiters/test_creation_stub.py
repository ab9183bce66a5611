"""Creation waiters against a scripted client on a manual clock."""

from __future__ import annotations

import pytest
from waiters_stub import GONE, StubClient

from aiovmss.errors import VMCreationFailedError, WaitTimeoutError
from aiovmss.waiters import CreationOutcome, wait_for_scale_set_provisioning, wait_for_vm_creation


async def test_vm_creation_rides_out_resilient_retries(stub: StubClient) -> None:
    # Not there yet, then Creating through three timed-out attempts (8 min each), then up.
    stub.script("0", (0, GONE), (30, ("Creating", None)), (24 * 60 + 90, ("Succeeded", None)))
    result = await wait_for_vm_creation(stub, "rg", "web", "0", poll_interval=60)
    assert result.outcome is CreationOutcome.SUCCEEDED
    assert result.elapsed == 1560.0
    assert result.history[0].http_status == 404
    assert result.last_seen["properties"]["provisioningState"] == "Succeeded"


async def test_vm_creation_failure_raises_with_result(stub: StubClient) -> None:
    stub.script("0", (0, ("Creating", None)), (1800, ("Failed", None)))
    with pytest.raises(VMCreationFailedError) as caught:
        await wait_for_vm_creation(stub, "rg", "web", "0")
    assert caught.value.result.outcome is CreationOutcome.FAILED
    assert caught.value.result.elapsed == 1800.0
    assert "VM 0" in str(caught.value)


async def test_vm_creation_timeout(stub: StubClient) -> None:
    stub.script("0", (0, ("Creating", None)))
    with pytest.raises(WaitTimeoutError) as caught:
        await wait_for_vm_creation(stub, "rg", "web", "0", timeout=120)
    assert caught.value.result.outcome is CreationOutcome.TIMED_OUT
    assert stub.clock.time <= 120.0
    assert "not settled within 120 s" in str(caught.value)


async def test_vm_creation_max_polls_names_the_poll_budget(stub: StubClient) -> None:
    stub.script("0", (0, ("Creating", None)))
    with pytest.raises(WaitTimeoutError, match=r"not settled after 2 polls \(max_polls=2\)"):
        await wait_for_vm_creation(stub, "rg", "web", "0", max_polls=2)


async def test_scale_set_provisioning(stub: StubClient) -> None:
    stub.scale_set.steps[:] = [(0, ("Creating", None)), (95, ("succeeded", None))]
    result = await wait_for_scale_set_provisioning(stub, "rg", "web", poll_interval=10)
    assert result.succeeded and result.name == "web"
    assert stub.calls.scale_set_gets[-1] == 100.0
    stub.scale_set.steps[:] = [(0, ("Updating", None)), (200, ("Failed", None))]
    with pytest.raises(VMCreationFailedError):
        await wait_for_scale_set_provisioning(stub, "rg", "web")
