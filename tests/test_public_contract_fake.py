"""The public contract of fakevmss and aiovmss.waiters (docs/design.md), called as documented.

Companion of ``test_public_contract.py`` (the client). Signatures are checked with ``inspect``;
behaviour where it is cheap, on the virtual clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
from datetime import datetime
from typing import Any

import pytest
from signature_support import EMPTY, KW, POS, assert_shape
from tenacity import AsyncRetrying, wait_fixed

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.errors import (
    ServiceRequestError,
    ServiceResponseError,
    VMCreationFailedError,
    VMDeletionFailedError,
    WaitTimeoutError,
)
from aiovmss.transport import HttpRequest, HttpResponse
from aiovmss.waiters import (
    DeletionResult,
    retry_if_creation_in_progress,
    retry_if_deletion_in_progress,
    stop_after_clock_delay,
    wait_for_instances_deleted,
    wait_for_scale_set_deletion,
    wait_for_scale_set_provisioning,
    wait_for_vm_creation,
    wait_for_vm_deletion,
    wait_retry_after_or,
)
from aiovmss.waiters.strategies import ResilientDeleteWindow
from fakevmss import FakeCompute, RealClock, Timings, VirtualClock

RG = "rg"
CODE = "InternalExecutionError"


def client_for(fake: FakeCompute, api_version: str = "2024-07-01", **kw: Any) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, api_version=api_version,
        transport=kw.pop("transport", None) or fake.transport(), clock=fake.clock, **kw,
    )  # fmt: skip


def ready(fake: FakeCompute, capacity: int, name: str = "web", **kw: Any) -> None:
    """A scale set whose VMs have finished creating."""
    fake.create_scale_set(RG, name, capacity=capacity, **kw)
    fake.clock.advance(600)


# -- §7 FakeCompute, clocks, adapters -----------------------------------------------------------


def test_fake_compute_signature_and_defaults() -> None:
    params = inspect.signature(FakeCompute.__init__).parameters
    expected = {
        "clock": None,
        "seed": 0,
        "location": "westus",
        "timings": Timings(),
        "api_versions": ("2023-07-01", "2024-07-01"),
        "features_registered": True,
        "page_size": 100,
    }
    for name, default in expected.items():
        assert params[name].kind is KW, name
        assert params[name].default == default, name
    assert params["subscription_id"].kind is KW
    assert all(p.kind is KW for n, p in params.items() if n != "self")
    fake = FakeCompute()
    assert isinstance(fake.clock, VirtualClock)
    assert fake.timings == Timings() and fake.location == "westus"
    assert isinstance(fake.subscription_id, str) and fake.subscription_id


async def test_design_example_runs_as_written() -> None:
    fake = FakeCompute(seed=7)
    fake.faults.fail_create("OSProvisioningTimeout", scale_set="web", instances=["0"], attempts=2)
    fake.faults.fail_delete("InternalExecutionError", scale_set="web", probability=0.05)
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock,
    ) as client:  # fmt: skip
        body = {
            "location": "westus",
            "sku": {"name": "Standard_D2s_v3", "capacity": 1},
            "properties": {"resiliencyPolicy": {"resilientVMCreationPolicy": {"enabled": True}}},
        }
        await client.scale_sets.begin_create_or_update(RG, "web", body)
        await wait_for_vm_creation(client, RG, "web", "0")
    assert fake.vm(RG, "web", "0").create_attempts == 3


async def test_virtual_clock_methods_and_auto_advance() -> None:
    clock = VirtualClock()
    assert clock.now() == 0.0
    assert isinstance(clock.utcnow(), datetime)
    clock.advance(5)
    assert clock.now() == 5.0
    with pytest.raises(ValueError):
        clock.advance(-1)
    await asyncio.gather(clock.sleep(30), clock.sleep(30))
    assert clock.now() == 35.0  # two sleepers together: 30 s, not 60
    assert inspect.iscoroutinefunction(clock.sleep)


def test_real_clock_signature() -> None:
    assert_shape(RealClock.__init__, ("speed", POS, 1.0))
    assert RealClock(speed=60).speed == 60.0
    assert isinstance(RealClock().now(), float)


def test_fake_exposes_every_adapter() -> None:
    fake = FakeCompute()
    for name in ("transport", "respx_router", "azure_core_transport", "aiohttp_app"):
        assert callable(getattr(fake, name)), name
    assert fake.respx_router() is not None
    assert fake.azure_core_transport() is not None
    assert fake.aiohttp_app() is not None


def test_serve_command_defaults() -> None:
    from fakevmss._cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.speed, args.seed) == ("127.0.0.1", 0, 60.0, 0)


# -- §7 faults ----------------------------------------------------------------------------------


def test_fault_signatures() -> None:
    faults = FakeCompute().faults
    vm_filters = [
        ("scale_set", KW, None), ("instances", KW, None), ("attempts", KW, None),
        ("probability", KW, None),
    ]  # fmt: skip
    assert_shape(faults.fail_create, ("code", POS, EMPTY), *vm_filters)
    assert_shape(
        faults.fail_delete, ("code", POS, EMPTY), *vm_filters, ("fallback_state", KW, "Failed")
    )
    assert_shape(
        faults.http_error, ("status", POS, EMPTY), ("code", POS, EMPTY),
        ("method", KW, None), ("path", KW, None), ("times", KW, 1),
    )  # fmt: skip
    for name in ("throttle", "drop_connection"):
        params = inspect.signature(getattr(faults, name)).parameters
        assert all(p.kind is KW for p in params.values()), name
        assert {"method", "path", "times"} <= set(params), name
    with pytest.raises(ValueError):
        faults.fail_delete(CODE, fallback_state="Deleting")
    faults.fail_delete(CODE, fallback_state="Running")
    faults.http_error(500, "InternalServerError")
    faults.throttle()
    faults.drop_connection()
    assert len(faults) == 4
    faults.clear()
    assert len(faults) == 0


async def test_http_faults_act_on_requests() -> None:
    fake = FakeCompute()
    ready(fake, 0)
    fake.faults.drop_connection(method="GET", times=1)
    fake.faults.throttle(retry_after=3, method="GET", times=1)
    fake.faults.http_error(503, "ServiceUnavailable", method="GET", path="/web", times=1)
    async with client_for(fake) as client:
        scale_set = await client.scale_sets.get(RG, "web")  # every fault is retried away
    assert scale_set.name == "web"
    assert [r.status for r in fake.requests][-3:] == [429, 503, 200]


async def test_drop_connection_surfaces_as_a_service_error() -> None:
    from aiovmss import RetryPolicy

    fake = FakeCompute()
    ready(fake, 0)
    fake.faults.drop_connection(method="GET", times=None)
    async with client_for(fake, retry=RetryPolicy(max_attempts=2)) as client:
        with pytest.raises((ServiceRequestError, ServiceResponseError)):
            await client.scale_sets.get(RG, "web")


# -- §7 inspection ------------------------------------------------------------------------------


def test_view_signatures() -> None:
    rg_name = [("rg", POS, EMPTY), ("name", POS, EMPTY)]
    assert_shape(FakeCompute.vm, *rg_name, ("instance_id", POS, EMPTY))
    assert_shape(FakeCompute.scale_set, *rg_name)


async def test_probability_faults_are_seeded() -> None:
    async def attempts(seed: int) -> list[int]:
        fake = FakeCompute(seed=seed)
        ready(fake, 8)
        fake.faults.fail_delete(CODE, scale_set="web", probability=0.5)
        ids = [str(i) for i in range(8)]
        async with client_for(fake) as client:
            await client.scale_sets.begin_delete_instances(RG, "web", ids)
            await wait_for_instances_deleted(client, RG, "web", ids, raise_on_failure=False)
        return [fake.vm(RG, "web", i).delete_attempts for i in ids]

    first = await attempts(1)
    assert first == await attempts(1)
    assert max(first) > 1  # some attempt failed and was retried


async def test_vm_and_scale_set_views_and_request_records() -> None:
    fake = FakeCompute(seed=3)
    ready(fake, 2)
    fake.faults.fail_delete(CODE, scale_set="web", instances=["1"], attempts=2)
    async with client_for(fake) as client:
        await client.scale_sets.begin_delete_instances(RG, "web", ["1"])
        await wait_for_vm_deletion(client, RG, "web", "1")
    vm = fake.vm(RG, "web", "1")
    assert vm.delete_attempts == 3  # the user's attempt plus two retries
    assert vm.create_attempts == 1
    assert isinstance(vm.provisioning_state, str)
    assert isinstance(vm.resilient_vm_deletion_status, str)
    assert vm.history and all(hasattr(e, "time") for e in vm.history)
    kept = fake.vm(RG, "web", "0")
    assert kept.provisioning_state == "Succeeded" and kept.resilient_vm_deletion_status == "Enabled"
    view = fake.scale_set(RG, "web")
    assert view.provisioning_state == "Succeeded"
    assert list(view.instance_ids) == ["0"]
    post = next(r for r in fake.requests if r.method == "POST")
    assert isinstance(post.time, float)
    assert post.path.endswith("/virtualMachineScaleSets/web/delete") and "?" not in post.path
    assert post.query["forceDeletion"] == "false"
    assert post.status == 202 and post.api_version == "2024-07-01"


async def test_emitted_urls_are_absolute_and_carry_the_api_version() -> None:
    fake = FakeCompute()
    ready(fake, 1)
    responses: list[HttpResponse] = []
    inner = fake.transport()

    class Capture:
        async def send(self, request: HttpRequest) -> HttpResponse:
            response: HttpResponse = await inner.send(request)
            responses.append(response)
            return response

        async def aclose(self) -> None:
            await inner.aclose()

    async with client_for(fake, api_version="2023-07-01", transport=Capture()) as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
    headers = responses[0].headers
    for name in ("Azure-AsyncOperation", "Location"):
        assert headers[name].startswith("https://management.azure.com/"), name
        assert "api-version=2023-07-01" in headers[name], name


def test_pytest_plugin_fixtures_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n"
    )
    pytester.makepyfile(
        """
        import pytest
        from aiovmss import ComputeClient
        from fakevmss import FakeCompute

        @pytest.mark.fake_compute(seed=5, page_size=7)
        async def test_it(fake_compute, compute_client):
            assert isinstance(fake_compute, FakeCompute)
            assert (fake_compute.seed, fake_compute.page_size) == (5, 7)
            assert isinstance(compute_client, ComputeClient)
            assert compute_client.clock is fake_compute.clock
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


# -- §8 waiters ---------------------------------------------------------------------------------


def test_deletion_waiter_signatures_and_defaults() -> None:
    ids = [("client", POS, EMPTY), ("rg", POS, EMPTY), ("scale_set", POS, EMPTY)]
    assert_shape(
        wait_for_vm_deletion, *ids, ("instance_id", POS, EMPTY),
        ("timeout", KW, 4 * 3600), ("poll_interval", KW, 30), ("on_poll", KW, None),
    )  # fmt: skip
    assert_shape(wait_for_instances_deleted, *ids, ("instance_ids", POS, EMPTY))
    params = inspect.signature(wait_for_instances_deleted).parameters
    assert params["concurrency"].default == 16 and params["timeout"].default == 4 * 3600
    assert_shape(wait_for_scale_set_deletion, *ids)
    assert_shape(wait_for_vm_creation, *ids, ("instance_id", POS, EMPTY))
    assert_shape(wait_for_scale_set_provisioning, *ids)
    for waiter in (
        wait_for_vm_deletion,
        wait_for_instances_deleted,
        wait_for_scale_set_deletion,
        wait_for_vm_creation,
        wait_for_scale_set_provisioning,
    ):
        assert inspect.iscoroutinefunction(waiter)  # fmt: skip
        assert {"timeout", "poll_interval"} <= set(inspect.signature(waiter).parameters)


def test_horizon_is_configurable_and_defaults_to_the_retry_schedule() -> None:
    from aiovmss.waiters import DEFAULT_HORIZON

    assert DEFAULT_HORIZON == ResilientDeleteWindow().horizon == 156 * 60
    for waiter in (wait_for_vm_deletion, wait_for_instances_deleted, wait_for_scale_set_deletion):
        horizon = inspect.signature(waiter).parameters["horizon"]
        assert horizon.kind is KW and horizon.default == DEFAULT_HORIZON


def test_deletion_result_fields() -> None:
    names = [f.name for f in dataclasses.fields(DeletionResult)]
    assert names[:6] == ["instance_id", "outcome", "polls", "elapsed", "last_seen", "history"]


async def test_deleted_is_a_404_after_flapping() -> None:
    fake = FakeCompute(seed=4)
    ready(fake, 1)
    fake.faults.fail_delete(CODE, scale_set="web", attempts=2)
    seen: list[tuple[str, Any]] = []
    async with client_for(fake) as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        result = await wait_for_vm_deletion(
            client, RG, "web", "0", on_poll=lambda iid, obs: seen.append((iid, obs))
        )
    assert result.instance_id == "0" and result.outcome == "Deleted"
    assert [obs for _, obs in seen] == result.history and {iid for iid, _ in seen} == {"0"}
    assert result.polls == len(result.history) > 1
    assert result.history[-1].http_status == 404
    assert result.elapsed >= 10 * 60  # the second retry is due 10 min after the first
    assert result.last_seen is not None


async def test_failed_status_raises_with_the_result() -> None:
    fake = FakeCompute(seed=5)
    ready(fake, 1)
    fake.faults.fail_delete(CODE, scale_set="web")
    async with client_for(fake) as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0")
    result = caught.value.result
    assert isinstance(result, DeletionResult) and result.outcome == "Failed"
    assert result.history[-1].deletion_status == "Failed"
    assert fake.vm(RG, "web", "0").delete_attempts == 6


async def test_policy_off_failed_state_is_final() -> None:
    fake = FakeCompute(seed=6)
    ready(fake, 1, deletion_policy=False)
    fake.faults.fail_delete(CODE, scale_set="web")
    async with client_for(fake) as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0")
    assert caught.value.result.history[-1].deletion_status == "Disabled"
    assert fake.vm(RG, "web", "0").delete_attempts == 1


async def test_timeout_raises_with_the_result_so_far() -> None:
    fake = FakeCompute(seed=7)
    ready(fake, 1)
    fake.faults.fail_delete(CODE, scale_set="web")
    async with client_for(fake) as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        with pytest.raises(WaitTimeoutError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0", timeout=600, poll_interval=60)
    result = caught.value.result
    assert isinstance(result, DeletionResult) and result.instance_id == "0"
    assert 1 < result.polls <= 11


async def test_2023_failed_counts_after_the_horizon_and_logs_the_hint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeCompute(seed=8)
    ready(fake, 1)
    fake.faults.fail_delete(CODE, scale_set="web")
    caplog.set_level(logging.INFO, logger="aiovmss")
    async with client_for(fake, api_version="2023-07-01") as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        with pytest.raises(VMDeletionFailedError) as caught:
            await wait_for_vm_deletion(client, RG, "web", "0")
    horizon = ResilientDeleteWindow().horizon
    assert horizon == 156 * 60
    assert caught.value.result.elapsed >= horizon
    assert any("2024-07-01" in r.getMessage() for r in caplog.records)


async def test_instances_and_scale_set_waiters() -> None:
    fake = FakeCompute(seed=9)
    ready(fake, 3)
    fake.faults.fail_delete(CODE, scale_set="web", instances=["2"], attempts=1)
    async with client_for(fake) as client:
        await client.scale_sets.begin_delete_instances(RG, "web", ["1", "2"])
        before = len(fake.requests)
        results = await wait_for_instances_deleted(client, RG, "web", ["1", "2"], concurrency=4)
        polls = [r for r in fake.requests[before:] if r.method == "GET"]
        # Uniform: one list call per round, never a per-VM GET.
        assert polls and all(r.path.endswith("/virtualMachines") for r in polls)
        assert set(results) == {"1", "2"}
        assert all(
            isinstance(r, DeletionResult) and r.outcome == "Deleted" for r in results.values()
        )
        await client.scale_sets.begin_delete(RG, "web")
        gone = await wait_for_scale_set_deletion(client, RG, "web")
    assert gone.outcome == "Deleted"
    assert fake.scale_set(RG, "web").instance_ids == []


async def test_creation_waiters_settle_and_raise() -> None:
    fake = FakeCompute(seed=10)
    fake.faults.fail_create("AllocationFailed", scale_set="bad")
    async with client_for(fake) as client:
        body = {"location": "westus", "sku": {"name": "Standard_D2s_v3", "capacity": 1}}
        await client.scale_sets.begin_create_or_update(RG, "web", body)
        await client.scale_sets.begin_create_or_update(RG, "bad", body)
        assert (await wait_for_vm_creation(client, RG, "web", "0")).outcome == "Succeeded"
        done = await wait_for_scale_set_provisioning(client, RG, "web")
        assert done.outcome == "Succeeded"
        with pytest.raises(VMCreationFailedError) as caught:
            await wait_for_scale_set_provisioning(client, RG, "bad")
    assert caught.value.result.outcome == "Failed"


async def test_building_blocks_compose_with_tenacity_on_the_client_clock() -> None:
    fake = FakeCompute(seed=11)
    ready(fake, 1)
    fake.faults.fail_delete(CODE, scale_set="web", attempts=2)
    async with client_for(fake) as client:
        await client.scale_set_vms.begin_delete(RG, "web", "0")
        start = client.clock.now()
        retrying = AsyncRetrying(
            sleep=client.clock.sleep,
            stop=stop_after_clock_delay(4 * 3600, client.clock)
            | ResilientDeleteWindow().stop(client.clock),
            wait=wait_retry_after_or(wait_fixed(30)),
            retry=retry_if_deletion_in_progress(clock=client.clock),
            reraise=True,
        )
        with pytest.raises(Exception) as caught:
            await retrying(client.scale_set_vms.get, RG, "web", "0", expand="resiliencyView")
        assert getattr(caught.value, "status_code", None) == 404  # deleted: the loop stopped
        assert client.clock.now() - start >= 10 * 60
    assert callable(retry_if_creation_in_progress())
