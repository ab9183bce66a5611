"""Seeded chaos: the client, its LRO pollers and waiters against the fake under mixed faults.

Each seed draws a scenario (Uniform or Flexible, api-version, capacity, scale-out, lifecycle
operations on the VMs (power actions, reimage, redeploy, a model change with update_instances,
instance protection, a delete racing an operation), which VMs to delete, whether to delete the
scale set) and 1-4 HTTP faults (429 storms with Retry-After, 5xx bursts, dropped connections
before and after send, garbage bodies on 5xx and 2xx answers, responses slower than the
client's timeout) plus resilient create/delete faults and faults of the VM operations. A
failing seed is named in the test id; rerun it alone with ``-k 'seed-N'``.
"""

from __future__ import annotations

import pytest
from chaos_invariants import check_no_duplicate_creates, check_unsafe_retries, vms_of
from chaos_scenario import RG, run_scenario, scale_set_body
from chaos_support import STATS, ChaosTransport

from aiovmss import ComputeClient, RetryPolicy, StaticTokenCredential
from aiovmss.errors import ServiceResponseError
from fakevmss import FakeCompute

SEEDS = range(240)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: f"seed-{s}")
async def test_chaos_scenario_keeps_every_invariant(seed: int) -> None:
    out = await run_scenario(seed)
    assert not out.failures(), f"seed {seed} ({out.mode}, {out.api_version}): {out.failures()}"
    assert out.requested >= 3


def _client(fake: FakeCompute, transport: ChaosTransport) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=transport,
        clock=fake.clock, retry=RetryPolicy(max_attempts=4),
    )  # fmt: skip


async def test_put_retried_after_drop_after_send_creates_once() -> None:
    fake = FakeCompute(seed=1)
    fake.faults.drop_connection(method="PUT", after_send=True, times=2)
    transport = ChaosTransport(fake.transport())
    async with _client(fake, transport) as client:
        poller = await client.scale_sets.begin_create_or_update(
            RG, "web", scale_set_body(4, "Uniform")
        )
        await poller.result()
    puts = [a for a in transport.attempts if a.method == "PUT"]
    assert [a.outcome for a in puts] == ["response_error", "response_error", "response"]
    assert len({a.client_request_id for a in puts}) == 1
    vms = vms_of(fake.snapshot(), "web")
    assert sorted(vms) == ["0", "1", "2", "3"]
    assert check_no_duplicate_creates(vms, requested=4, uniform=True) == []


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_unsafe_request_acted_on_is_never_sent_again(method: str) -> None:
    fake = FakeCompute(seed=2)
    fake.create_scale_set(RG, "web", capacity=3)
    fake.clock.advance(600)
    fake.faults.drop_connection(method=method, after_send=True)
    transport = ChaosTransport(fake.transport())
    async with _client(fake, transport) as client:
        with pytest.raises(ServiceResponseError, match=method):
            if method == "POST":
                await client.scale_sets.begin_delete_instances(RG, "web", ["0"])
            else:
                await client.scale_sets.begin_update(RG, "web", {"sku": {"capacity": 5}})
    sent = [r for r in fake.requests if r.method == method]
    assert len(sent) == 1  # acted on once, never re-sent
    assert check_unsafe_retries(transport.attempts) == []
    fake.clock.advance(3600)
    expected = ["1", "2"] if method == "POST" else ["0", "1", "2", "3", "4"]
    assert fake.scale_set(RG, "web").instance_ids == expected


async def test_post_dropped_before_send_is_retried_and_acted_once() -> None:
    fake = FakeCompute(seed=3)
    fake.create_scale_set(RG, "web", capacity=2)
    fake.clock.advance(600)
    fake.faults.drop_connection(method="POST", after_send=False, times=2)
    transport = ChaosTransport(fake.transport())
    async with _client(fake, transport) as client:
        poller = await client.scale_sets.begin_delete_instances(RG, "web", ["1"])
        await poller.result()
    assert [a.outcome for a in transport.attempts if a.method == "POST"] == [
        "request_error", "request_error", "response",
    ]  # fmt: skip
    assert fake.vm(RG, "web", "1").delete_attempts == 1
    assert fake.scale_set(RG, "web").instance_ids == ["0"]


async def test_stats_are_counted() -> None:
    before = STATS.scenarios
    await run_scenario(10_000)
    assert STATS.scenarios == before + 1
    assert sum(STATS.invariants.values()) >= 6
