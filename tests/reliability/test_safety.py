"""Safety: plain-HTTP refusal, loopback-only serving, and 500 concurrent tasks on one client."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import pytest
from chaos_support import ChaosTransport

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss._client import check_base_url
from aiovmss.errors import AzureError, OperationFailedError
from aiovmss.waiters import wait_for_instances_deleted
from fakevmss import FakeCompute
from fakevmss._cli import build_parser, is_loopback

RG = "rg"


@pytest.mark.parametrize(
    "url",
    ["http://management.azure.com", "http://10.0.0.1:8080", "http://0.0.0.0:80",
     "http://localhost.evil.example", "http://127.0.0.1.nip.io", "http://[::]:80"],
)  # fmt: skip
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        ComputeClient(StaticTokenCredential("t"), "sub", base_url=url)
    assert check_base_url(url, allow_insecure_http=True) == url  # the explicit opt-out


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:9", "http://127.8.9.10"]
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert check_base_url(url) == url


@pytest.mark.parametrize(
    "url", ["ftp://x", "management.azure.com", "https://", "https://h/?q=1", "https://h/#f", 3]
)
def test_malformed_base_urls_are_refused(url: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        check_base_url(url)


def test_the_fake_server_binds_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert is_loopback(args.host)
    for host in ("0.0.0.0", "::", "192.168.1.2", "localhost.evil.example", "example.com"):
        assert not is_loopback(host), host
    for host in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"):
        assert is_loopback(host), host


async def test_500_concurrent_tasks_on_one_client() -> None:
    # 500 tasks at once test concurrency, not throttling: limits off (tests/fakes/test_limits*).
    fake = FakeCompute(seed=5, page_size=7, limits=None)
    fake.create_scale_set(RG, "big", capacity=100)
    fake.create_scale_set(RG, "small", capacity=20)
    fake.clock.advance(600)
    fake.faults.throttle(retry_after=5, method="GET", times=40)
    fake.faults.http_error(503, "ServiceUnavailable", method="GET", times=40)
    transport = ChaosTransport(fake.transport())
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=transport,
        clock=fake.clock, retry=RetryPolicy(max_attempts=10),
    ) as client:  # fmt: skip

        async def get(i: int) -> tuple[str, str]:
            vm = await client.scale_set_vms.get(RG, "big", str(i % 100))
            return ("get", vm.instance_id)

        async def listed(i: int) -> tuple[str, str]:
            ids = [vm.instance_id async for vm in client.scale_set_vms.list(RG, "small")]
            return ("list", ",".join(ids))

        async def delete(i: int) -> tuple[str, str]:
            poller = await client.scale_set_vms.begin_delete(RG, "small", str(i))
            await poller.result()
            return ("delete", str(i))

        tasks = [get(i) for i in range(440)] + [listed(i) for i in range(50)]
        tasks += [delete(i) for i in range(10, 20)]
        results = await asyncio.gather(*tasks)
    assert len(results) == 500
    gets = Counter(r[1] for r in results if r[0] == "get")
    assert gets == Counter(str(i % 100) for i in range(440))  # each answer to its own request
    assert sorted(r[1] for r in results if r[0] == "delete") == [str(i) for i in range(10, 20)]
    for kind, ids in results:
        if kind == "list":  # a consistent snapshot, never a torn page sequence
            seen = ids.split(",")
            assert len(seen) == len(set(seen)) and {str(i) for i in range(10)} <= set(seen)
    rids = Counter(a.client_request_id for a in transport.attempts if a.outcome == "response")
    first_gets = [a for a in transport.attempts if "/virtualMachines/" in a.path]
    assert len(first_gets) >= 440
    assert fake.scale_set(RG, "small").instance_ids == [str(i) for i in range(10)]
    assert fake.scale_set(RG, "big").instance_ids == [str(i) for i in range(100)]
    assert max(rids.values()) <= 10  # retries reuse the id; no request ran away


async def test_500_concurrent_deletes_and_waits() -> None:
    fake = FakeCompute(seed=6, limits=None)  # concurrency, not throttling
    fake.create_scale_set(RG, "w", capacity=500)
    fake.clock.advance(600)
    fake.faults.fail_delete("InternalExecutionError", probability=0.3, attempts=2)
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock,
    ) as client:  # fmt: skip

        async def delete(i: int) -> None:
            poller = await client.scale_set_vms.begin_delete(RG, "w", str(i))
            with contextlib.suppress(OperationFailedError):
                await poller.result()

        await asyncio.gather(*(delete(i) for i in range(500)))
        results = await wait_for_instances_deleted(client, RG, "w", [str(i) for i in range(500)])
    assert len(results) == 500
    # Waited for after every LRO: the VMs gone by then were never seen (NotFound), the others
    # went during the wait (Deleted).
    assert all(r.gone for r in results.values())
    assert all(r.deleted == r.seen for r in results.values())
    assert fake.scale_set(RG, "w").instance_ids == []
    deletes = [r for r in fake.requests if r.method == "DELETE"]
    assert len(deletes) == 500  # no duplicate or lost delete request


async def test_errors_are_per_task_not_shared() -> None:
    fake = FakeCompute(seed=7)
    fake.create_scale_set(RG, "web", capacity=3)
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock,
    ) as client:  # fmt: skip
        names = [f"missing{i}" if i % 2 else "web" for i in range(200)]
        results = await asyncio.gather(
            *(client.scale_sets.get(RG, n) for n in names), return_exceptions=True
        )
    for name, result in zip(names, results, strict=True):
        if name == "web":
            assert not isinstance(result, BaseException) and result.name == "web"
        else:
            assert isinstance(result, AzureError) and name in str(result)
