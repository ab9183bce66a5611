"""Rate-limit headers: parsing (pure), ``client.rate_limits``, and errors that carry them."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from aiovmss import ComputeClient, RateLimitHeaders, RetryPolicy, StaticTokenCredential
from aiovmss._rate_limits import (
    RateLimits,
    parse_rate_limit_headers,
    parse_remaining_resource,
    policy_window,
)
from aiovmss.errors import HttpResponseError, ResourceNotFoundError, ThrottledError
from aiovmss.transport import Headers
from fakevmss import FakeCompute, Limits


def parse(pairs: dict[str, str]) -> RateLimitHeaders:
    parsed = parse_rate_limit_headers(Headers(pairs))
    assert parse_rate_limit_headers(pairs) == parsed  # any mapping, any case
    return parsed


def test_arm_and_compute_headers_are_parsed() -> None:
    parsed = parse(
        {
            "X-Ms-Ratelimit-Remaining-Subscription-Reads": "249",
            "x-ms-ratelimit-remaining-subscription-global-reads": "3749",
            "x-ms-ratelimit-remaining-resource": (
                "Microsoft.Compute/HighCostGet3Min;159, Microsoft.Compute/HighCostGet30Min;799"
            ),
            "x-ms-request-charge": "1",
            "x-ms-request-id": "abc",
        }
    )
    assert dict(parsed.subscription) == {"reads": 249, "global-reads": 3749}
    assert dict(parsed.resource) == {
        "Microsoft.Compute/HighCostGet3Min": 159,
        "Microsoft.Compute/HighCostGet30Min": 799,
    }
    assert parsed.charge == 1 and parsed


def test_no_rate_limit_headers_is_an_empty_falsy_answer() -> None:
    parsed = parse({"Content-Type": "application/json"})
    assert not parsed and parsed == RateLimitHeaders()
    assert dict(parsed.subscription) == {} and parsed.charge is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("x-ms-ratelimit-remaining-subscription-reads", "-1"),
        ("x-ms-ratelimit-remaining-subscription-reads", "many"),
        ("x-ms-ratelimit-remaining-subscription-reads", "9" * 40),
        ("x-ms-ratelimit-remaining-resource", "Microsoft.Compute/P3Min"),
        ("x-ms-ratelimit-remaining-resource", "Microsoft.Compute/P3Min;x"),
        ("x-ms-ratelimit-remaining-resource", "bad name;5"),
        ("x-ms-ratelimit-remaining-resource", ";;;,,,"),
        ("x-ms-request-charge", "1.5"),
    ],
)
def test_malformed_headers_are_ignored_with_a_debug_line(
    name: str, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="aiovmss.rate_limits"):
        parsed = parse({name: value})
    assert not parsed
    assert caplog.records and {r.levelno for r in caplog.records} == {logging.DEBUG}
    assert all(value not in r.getMessage() for r in caplog.records if len(value) > 3)


def test_good_entries_survive_a_bad_neighbour_and_many_are_bounded() -> None:
    assert parse_remaining_resource("Microsoft.Compute/A;1,garbage,Microsoft.Compute/B;2") == {
        "Microsoft.Compute/A": 1,
        "Microsoft.Compute/B": 2,
    }
    many = ",".join(f"Microsoft.Compute/P{i};{i}" for i in range(1000))
    assert len(parse_remaining_resource(many)) == 32


def test_policy_windows_come_from_the_names() -> None:
    assert policy_window("Microsoft.Compute/HighCostGet3Min") == 180
    assert policy_window("Microsoft.Compute/HighCostGet30Min") == 1800
    assert policy_window("Microsoft.Compute/VMScaleSetBatchedVMRequests5Min") == 300
    assert policy_window("Microsoft.Compute/VmssQueuedVMOperations") is None


def test_rate_limits_keep_the_latest_count_and_when_it_was_read() -> None:
    limits = RateLimits()
    limits.observe(parse({"x-ms-ratelimit-remaining-subscription-reads": "10"}), now=5.0)
    limits.observe(parse({"x-ms-ratelimit-remaining-resource": "Microsoft.Compute/A;3"}), 6.0)
    limits.observe(RateLimitHeaders(), now=7.0)  # an answer without headers changes nothing
    reads, policy = limits.get("reads"), limits.get("Microsoft.Compute/A")
    assert reads is not None and (reads.remaining, reads.read_at) == (10, 5.0)
    assert policy is not None and (policy.remaining, policy.read_at) == (3, 6.0)
    assert limits.get("writes") is None
    assert "reads" in repr(limits)


async def test_the_client_remembers_the_fakes_headers_on_its_clock() -> None:
    fake = FakeCompute()
    fake.create_scale_set("rg", "web", capacity=1)
    fake.clock.advance(42)
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock,
    ) as client:  # fmt: skip
        await client.scale_set_vms.get("rg", "web", "0", expand="instanceView")
        reads = client.rate_limits.subscription["reads"]
        assert (reads.remaining, reads.read_at) == (249, 42.0)
        high = client.rate_limits.resource["Microsoft.Compute/HighCostGet30Min"]
        assert high.remaining == 799
        assert client.rate_limits.last.charge == 1


async def test_errors_carry_the_rate_limits_of_their_answer() -> None:
    fake = FakeCompute()
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock,
    ) as client:  # fmt: skip
        with pytest.raises(ResourceNotFoundError) as missing:
            await client.scale_sets.get("rg", "absent")
    assert missing.value.rate_limits.subscription["reads"] == 249
    assert missing.value.rate_limits.resource["Microsoft.Compute/GetVMScaleSet3Min"] == 199


async def test_a_throttled_error_carries_the_exhausted_policy() -> None:
    fake = FakeCompute(limits=Limits().with_policy("GetVMScaleSet3Min", limit=1))
    fake.create_scale_set("rg", "web", capacity=0)
    async with ComputeClient(
        StaticTokenCredential("t"), fake.subscription_id, transport=fake.transport(),
        clock=fake.clock, retry=RetryPolicy(max_attempts=1), pacing=None,
    ) as client:  # fmt: skip
        await client.scale_sets.get("rg", "web")
        with pytest.raises(ThrottledError) as throttled:
            await client.scale_sets.get("rg", "web")
    error = throttled.value
    assert error.retry_after == 180 and error.code == "OperationNotAllowed"
    assert error.rate_limits.resource["Microsoft.Compute/GetVMScaleSet3Min"] == 0
    assert error.rate_limits.charge == 0
    assert error.error.details[0].target == "GetVMScaleSet3Min"


def test_an_error_built_by_hand_has_empty_rate_limits() -> None:
    error = HttpResponseError("boom", status_code=500)
    assert not error.rate_limits
    assert dataclasses.is_dataclass(error.rate_limits)
