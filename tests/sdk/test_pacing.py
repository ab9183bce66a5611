"""The client-side pacer: its decisions (pure, no event loop) and bursts against the fake."""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import pytest

from aiovmss import ComputeClient, PacingPolicy, RetryPolicy, StaticTokenCredential
from aiovmss._pacing import _LOG_LENGTH, _MAX_LOGS, Pacer, request_shape
from aiovmss._rate_limits import RateLimitHeaders
from aiovmss.errors import ThrottledError
from fakevmss import FakeCompute, Limits

VM = (
    "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/"
    "Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines"
)


def headers(
    subscription: dict[str, int] | None = None, charge: int | None = None, **resource: int
) -> RateLimitHeaders:
    named = {f"Microsoft.Compute/{name}": count for name, count in resource.items()}
    return RateLimitHeaders(subscription or {}, named, charge)


# -- settings and decisions -----------------------------------------------------------------


@pytest.mark.parametrize("field", ["reads_rate", "writes_capacity", "deletes_rate"])
@pytest.mark.parametrize("value", [0, -1, float("inf")])
def test_bad_pacing_values_are_refused(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"PacingPolicy.{field} must be positive"):
        PacingPolicy(**{field: value})


def test_bad_pacing_types_and_negative_reserves_are_refused() -> None:
    with pytest.raises(TypeError, match="reads_rate must be a number"):
        PacingPolicy(reads_rate="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reserve must be zero or more"):
        PacingPolicy(reserve=-1)
    with pytest.raises(TypeError, match="pacing must be a PacingPolicy or None"):
        ComputeClient(StaticTokenCredential("t"), "sub", pacing=True)  # type: ignore[arg-type]


def test_a_burst_passes_then_is_spaced_at_the_rate() -> None:
    pacer = Pacer(PacingPolicy(reads_capacity=3, reads_rate=2))
    assert [pacer.delay("GET", VM, 0.0) for _ in range(5)] == [0, 0, 0, 0.5, 1.0]
    assert pacer.delay("PUT", VM, 0.0) == 0  # writes have their own bucket
    assert pacer.delay("GET", VM, 10.0) == 0  # refilled
    assert pacer.total_delay == 1.5


def test_the_services_remaining_count_lowers_the_bucket() -> None:
    pacer = Pacer(PacingPolicy(reads_capacity=100, reads_rate=10, reserve=5))
    pacer.observe("GET", VM, headers({"reads": 50, "global-reads": 3}), now=0.0)
    # 3 left globally, 5 kept in reserve: 2 tokens short, then one more for this request.
    assert pacer.delay("GET", VM, 0.0) == pytest.approx(0.3)
    pacer.observe("DELETE", VM, headers({"reads": 0}), now=0.0)  # not a delete's bucket
    assert pacer.delay("DELETE", VM, 0.0) == 0


def test_an_empty_policy_holds_its_requests_until_its_window_passes() -> None:
    pacer = Pacer(PacingPolicy())
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=0), now=10.0)
    assert pacer.delay("GET", VM, 20.0) == pytest.approx(170)  # read at 10, window 180 s
    assert pacer.delay("GET", VM + "/0", 20.0) == 0  # another shape charges other policies


def test_an_empty_policy_releases_each_request_as_an_own_charge_leaves_its_window() -> None:
    pacer = Pacer(PacingPolicy())
    for now, left in ((0.0, 50), (10.0, 40), (20.0, 30)):  # own charges; others spend too
        pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=left), now=now)
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=0, charge=0), now=90.0)  # a 429
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=0), now=100.0)
    waits = [pacer.delay("GET", VM, 110.0) for _ in range(5)]
    # Each own charge leaves the 180 s window at its time + 180 (+1 s margin); the one read
    # with the 0 at 100, and the rest, go when the whole window since the reading has passed
    # (the 429 at 90 charged nothing, so it frees nothing).
    assert waits == [pytest.approx(w) for w in (71, 81, 91, 170, 170)]
    assert pacer.delay("GET", VM + "/0", 110.0) == 0  # another shape charges other policies


def test_an_empty_policy_without_own_charges_in_its_window_waits_for_the_whole_window() -> None:
    pacer = Pacer(PacingPolicy())
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=100), now=0.0)  # left by 200
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=0, charge=0), now=200.0)
    assert [pacer.delay("GET", VM, 210.0) for _ in range(3)] == [pytest.approx(170)] * 3


def test_a_nearly_empty_policy_uses_an_own_charge_leaving_before_its_spread_turn() -> None:
    pacer = Pacer(PacingPolicy(policy_reserve=2))
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=40), now=0.0)
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet3Min=2), now=150.0)
    waits = [pacer.delay("GET", VM, 150.0) for _ in range(4)]
    # Spread turns every 60 s (180 s / 3): 150, 210; the charge at 0 frees a slot at 181,
    # sooner than the second turn; the charge at 150 frees one when the window has passed.
    assert waits == [0, pytest.approx(31), pytest.approx(60), pytest.approx(180)]


def test_the_own_charges_remembered_are_bounded() -> None:
    pacer = Pacer(PacingPolicy())
    for step in range(3 * _LOG_LENGTH):
        pacer.observe("GET", VM, headers(HighCostGetVMScaleSet30Min=800), now=step / 10)
    assert [len(log) for log in pacer._charged.values()] == [_LOG_LENGTH]
    for step in range(3 * _MAX_LOGS):  # a server inventing policy names
        pacer.observe("GET", VM, headers(**{f"Made{step}Up3Min": 5}), now=1e4)
        assert len(pacer._charged) <= _MAX_LOGS
    # Made0Up3Min's charge at 1e4 was forgotten (too many names drop every log), so it counts
    # as another client's: a held request waits for the whole window, not until 1e4 + 181.
    pacer.observe("GET", VM, headers(Made0Up3Min=0, charge=0), now=1e4 + 10)
    assert pacer.delay("GET", VM, 1e4 + 10) == pytest.approx(180)


def test_a_nearly_empty_policy_spreads_what_is_left_over_its_window() -> None:
    pacer = Pacer(PacingPolicy(policy_reserve=2))
    pacer.observe("GET", VM, headers(HighCostGetVMScaleSet30Min=2), now=0.0)
    waits = [pacer.delay("GET", VM, 0.0) for _ in range(3)]
    assert waits == [0, pytest.approx(600), pytest.approx(1800)]  # 1800 s / 3, then empty


def test_request_shapes_ignore_names_but_not_depth_or_expand() -> None:
    one, two = request_shape("GET", VM + "/0"), request_shape("GET", VM.replace("web", "b") + "/7")
    assert one == two
    assert request_shape("GET", VM) != one
    assert request_shape("GET", VM + "/0?$expand=instanceView") != one
    assert request_shape("DELETE", VM + "/0") != one


def test_slowing_down_is_logged_once_per_episode(caplog: pytest.LogCaptureFixture) -> None:
    pacer = Pacer(PacingPolicy(reads_capacity=1, reads_rate=1))
    with caplog.at_level(logging.INFO, logger="aiovmss.pacing"):
        for now in (0.0, 0.0, 0.0, 0.0, 100.0, 100.0, 100.0):
            pacer.delay("GET", VM, now)
    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 2  # one per slow-down, not one per delayed request
    assert "pacing reads requests" in infos[0].getMessage()


# -- against the fake, on its virtual clock -------------------------------------------------


def client_for(fake: FakeCompute, **kwargs: Any) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock, retry=RetryPolicy(max_attempts=1), **kwargs,
    )  # fmt: skip


async def test_a_burst_of_2000_reads_is_spaced_under_the_bucket_with_zero_429s() -> None:
    fake = FakeCompute()  # Azure's limits: reads 250 at once, then 25 per second
    fake.create_scale_set("rg", "web", capacity=1)
    async with client_for(fake) as client:
        await asyncio.gather(*(client.scale_set_vms.get("rg", "web", "0") for _ in range(2000)))
        pacer = client.pipeline.pacer
    assert pacer is not None
    times = [r.time for r in fake.requests]
    assert len(times) == 2000
    assert [r for r in fake.requests if r.status == 429] == []
    assert fake.limits is not None and not fake.limits.throttled
    # The spacing it chose: 240 at once, then one every 1/24 s (inside ARM's 25 per second).
    assert times[:240] == [0.0] * 240
    gaps = [later - earlier for earlier, later in itertools.pairwise(times[240:])]
    assert min(gaps) == pytest.approx(1 / 24) and max(gaps) == pytest.approx(1 / 24)
    assert times[-1] == pytest.approx(1760 / 24)
    assert fake.limits.remaining()["reads"] > 0


async def test_without_the_pacer_the_same_burst_is_throttled() -> None:
    fake = FakeCompute()
    fake.create_scale_set("rg", "web", capacity=1)
    async with client_for(fake, pacing=None) as client:
        outcomes = await asyncio.gather(
            *(client.scale_set_vms.get("rg", "web", "0") for _ in range(2000)),
            return_exceptions=True,
        )
    throttled = [o for o in outcomes if isinstance(o, ThrottledError)]
    assert len(throttled) == 1750  # everything past ARM's bucket of 250
    assert throttled[0].rate_limits.subscription["reads"] == 0


async def test_a_second_client_of_the_same_principal_paces_on_the_services_count() -> None:
    fake = FakeCompute()
    fake.create_scale_set("rg", "web", capacity=1)
    async with client_for(fake) as first, client_for(fake) as second:
        for _ in range(240):
            await first.scale_set_vms.get("rg", "web", "0")
        for _ in range(60):  # its own bucket is full, the service's is not
            await second.scale_set_vms.get("rg", "web", "0")
    assert [r for r in fake.requests if r.status == 429] == []
    assert fake.requests[-1].time > 0  # it waited instead of spending 429s


async def test_a_tight_compute_policy_is_paced_instead_of_throttled() -> None:
    fake = FakeCompute(limits=Limits().with_policy("HighCostGetVMScaleSet3Min", limit=5))
    fake.create_scale_set("rg", "web", capacity=2)
    async with client_for(fake) as client:
        for _ in range(12):
            assert len([vm async for vm in client.scale_set_vms.list("rg", "web")]) == 2
    assert [r for r in fake.requests if r.status == 429] == []
    assert fake.clock.now() > 180  # the window passed at least once


async def test_a_burst_past_a_policy_goes_as_the_own_earlier_lists_leave_its_window() -> None:
    fake = FakeCompute(limits=Limits().with_policy("HighCostGetVMScaleSet3Min", limit=5))
    fake.create_scale_set("rg", "web", capacity=2)

    async def listed() -> int:
        return len([vm async for vm in client.scale_set_vms.list("rg", "web")])

    async with client_for(fake) as client:
        for _ in range(5):  # lists at 0, 20, ..., 80: the last one reads the policy at 0
            assert await listed() == 2
            fake.clock.advance(20)
        assert await asyncio.gather(listed(), listed(), listed()) == [2, 2, 2]
    assert [r for r in fake.requests if r.status == 429] == []
    burst = [r.time for r in fake.requests[5:]]
    # Each goes 1 s after one of the first lists left the 180 s window, not all at 80 + 180,
    # when the whole window since the empty reading has passed.
    assert burst == [181, 201, 221]
    assert burst[-1] < 80 + 180
