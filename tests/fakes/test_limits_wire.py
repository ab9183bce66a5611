"""The request limits through the wire: headers on every answer, each bucket and policy
exhausted (429, Retry-After, body) and refilled on the virtual clock, two principals, the switch.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from test_limits_units import jwt
from wire_support import RG, SUB, S, Wire, scale_set_body

from fakevmss import FakeCompute, Limits, RealClock
from fakevmss._cli import _make_fake, build_parser

BIG = dataclasses.replace(Limits(), reads_capacity=1e6, writes_capacity=1e6, deletes_capacity=1e6)
OPERATION = f"/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westus/operations/nope"
FEATURE = (
    f"/subscriptions/{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute"
    "/features/ReliableVMDeletion"
)

# One request per policy: (method, path, body, query) that charges it.
REQUESTS: dict[str, tuple[str, str, Any, dict[str, str]]] = {
    "LowCostGet": ("GET", f"{S}/web/virtualMachines/0", None, {}),
    "HighCostGet": ("GET", f"{S}/web/virtualMachines/0", None, {"$expand": "instanceView"}),
    "GetVMScaleSet": ("GET", f"{S}/web", None, {}),
    "HighCostGetVMScaleSet": ("GET", f"{S}/web/virtualMachines", None, {}),
    "PutVMScaleSet": ("PATCH", f"{S}/web", {"tags": {"a": "b"}}, {}),
    "DeleteVMScaleSet": ("DELETE", f"{S}/absent", None, {}),
    "VMScaleSetBatchedVMRequests": ("DELETE", f"{S}/absent/virtualMachines/9", None, {}),
    "GetOperation": ("GET", OPERATION, None, {}),
}
POLICIES = [
    (name, family)
    for family in REQUESTS
    for name in (f"{family}3Min", f"{family}30Min", f"{family}5Min")
    if Limits().policy(name) is not None
]


def make(limits: Limits | None) -> tuple[FakeCompute, Wire]:
    fake = FakeCompute(subscription_id=SUB, limits=limits)
    fake.create_scale_set(RG, "web", capacity=3)
    return fake, Wire(fake)


async def send(wire: Wire, family: str, headers: dict[str, str] | None = None) -> Any:
    method, path, body, query = REQUESTS[family]
    return await wire.send(method, path, body, query=query, headers=headers)


# -- headers on every answer ----------------------------------------------------------------


@pytest.mark.parametrize("family", list(REQUESTS))
async def test_every_compute_answer_carries_arm_and_compute_headers(family: str) -> None:
    _fake, wire = make(Limits())
    reply = await send(wire, family)
    kind = {"GET": "reads", "DELETE": "deletes"}.get(REQUESTS[family][0], "writes")
    assert reply.header(f"x-ms-ratelimit-remaining-subscription-{kind}") is not None
    assert reply.header(f"x-ms-ratelimit-remaining-subscription-global-{kind}") is not None
    resource = reply.header("x-ms-ratelimit-remaining-resource")
    assert resource is not None and resource.startswith("Microsoft.Compute/")
    for part in resource.split(","):
        name, _, count = part.removeprefix("Microsoft.Compute/").partition(";")
        policy = Limits().policy(name)
        assert policy is not None and int(count) == policy.limit - 1
    assert reply.header("x-ms-request-charge") == "1"


async def test_arm_headers_follow_the_kind_and_count_down_per_principal() -> None:
    _fake, wire = make(Limits())
    first = await wire.send("GET", f"{S}/web")
    second = await wire.send("GET", f"{S}/web")
    assert first.header("x-ms-ratelimit-remaining-subscription-reads") == "249"
    assert second.header("x-ms-ratelimit-remaining-subscription-reads") == "248"
    assert second.header("x-ms-ratelimit-remaining-subscription-global-reads") == "3748"
    assert second.header("x-ms-ratelimit-remaining-subscription-writes") is None
    put = await wire.put("other", scale_set_body(1))
    assert put.status == 201
    assert put.header("x-ms-ratelimit-remaining-subscription-writes") == "199"
    assert put.header("x-ms-ratelimit-remaining-subscription-global-writes") == "2999"


async def test_errors_count_and_non_compute_answers_carry_arm_headers_only() -> None:
    _fake, wire = make(Limits())
    feature = await wire.send("GET", FEATURE, api="2021-07-01")
    assert feature.status == 200
    assert feature.header("x-ms-ratelimit-remaining-subscription-reads") == "249"
    assert feature.header("x-ms-ratelimit-remaining-resource") is None
    unknown = await wire.send("GET", f"/subscriptions/{SUB}/resourceGroups/rg/providers/X/y")
    assert unknown.status == 404 and unknown.header("x-ms-request-charge") is None
    assert unknown.header("x-ms-ratelimit-remaining-subscription-reads") == "248"
    missing = await wire.send("GET", f"{S}/absent")
    assert missing.status == 404 and missing.header("x-ms-request-charge") == "1"


async def test_requests_without_a_bearer_token_are_not_counted() -> None:
    fake, wire = make(Limits())
    reply = await wire.send("GET", f"{S}/web", headers={"Authorization": "Basic x"})
    assert reply.status == 401
    assert reply.header("x-ms-ratelimit-remaining-subscription-reads") is None
    assert fake.limits is not None and fake.limits.remaining()["reads"] == 250


# -- ARM's buckets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "family"),
    [("reads", "GetVMScaleSet"), ("writes", "PutVMScaleSet"), ("deletes", "DeleteVMScaleSet")],
)
async def test_each_arm_bucket_exhausts_and_refills_on_the_virtual_clock(
    kind: str, family: str
) -> None:
    changes: dict[str, Any] = {f"{kind}_capacity": 3, f"{kind}_refill": 0.5}
    limits = dataclasses.replace(BIG, **changes)
    fake, wire = make(limits)
    for left in (2, 1, 0):
        reply = await send(wire, family)
        assert reply.status < 400
        assert reply.header(f"x-ms-ratelimit-remaining-subscription-{kind}") == str(left)
    refused = await send(wire, family)
    assert refused.status == 429 and refused.code == "SubscriptionRequestsThrottled"
    assert refused.header("Retry-After") == "2"  # one token at 0.5 per second
    principal = fake.limits.principals.of("test-token", None)  # type: ignore[union-attr]
    assert refused.json["error"]["message"] == (
        f"Number of '{kind[:-1]}' requests for subscription actor '{SUB}:{principal}' "
        "exceeded. Please try again after '2' seconds after additional tokens are available. "
        "Refer to https://aka.ms/arm-throttling for additional information."
    )
    assert refused.header(f"x-ms-ratelimit-remaining-subscription-{kind}") == "0"
    assert refused.header("x-ms-request-charge") is None  # ARM refused: Compute never saw it
    fake.clock.advance(1.9)
    assert (await send(wire, family)).status == 429
    fake.clock.advance(0.1)
    assert (await send(wire, family)).status < 400


async def test_the_global_bucket_is_shared_by_every_principal() -> None:
    limits = dataclasses.replace(BIG, reads_capacity=4, reads_refill=1, global_multiplier=1.5)
    fake, wire = make(limits)
    alice = {"Authorization": f"Bearer {jwt({'oid': 'alice'})}"}
    bob = {"x-ms-fake-principal": "bob"}
    for _ in range(4):
        assert (await wire.send("GET", f"{S}/web", headers=alice)).status == 200
    assert (await wire.send("GET", f"{S}/web", headers=alice)).status == 429  # her own bucket
    assert (await wire.send("GET", f"{S}/web", headers=bob)).status == 200
    second = await wire.send("GET", f"{S}/web", headers=bob)
    assert second.header("x-ms-ratelimit-remaining-subscription-reads") == "2"
    assert second.header("x-ms-ratelimit-remaining-subscription-global-reads") == "0"
    refused = await wire.send("GET", f"{S}/web", headers=bob)
    assert refused.status == 429 and refused.header("Retry-After") == "1"
    assert f"requests for subscription '{SUB}' exceeded" in refused.json["error"]["message"]
    assert fake.limits is not None
    assert fake.limits.remaining("alice")["reads"] == 0
    assert fake.limits.remaining("bob")["reads"] == 2
    assert fake.limits.remaining("bob")["global-reads"] == 0
    assert [e.limit for e in fake.limits.throttled] == ["reads", "global-reads"]


# -- the Compute provider's policies --------------------------------------------------------


@pytest.mark.parametrize(("policy", "family"), POLICIES)
async def test_each_policy_exhausts_answers_its_body_and_refills(policy: str, family: str) -> None:
    fake, wire = make(BIG.with_policy(policy, limit=2))
    seconds = Limits().policy(policy).seconds  # type: ignore[union-attr]
    for _ in range(2):
        assert (await send(wire, family)).status != 429
    fake.clock.advance(5)
    refused = await send(wire, family)
    assert refused.status == 429 and refused.code == "OperationNotAllowed"
    assert refused.header("Retry-After") == str(int(seconds - 5))
    assert f"Microsoft.Compute/{policy};0" in refused.header("x-ms-ratelimit-remaining-resource")
    assert refused.header("x-ms-request-charge") == "0"
    error = refused.json["error"]
    assert error["message"] == (
        "The server rejected the request because too many requests have been received for "
        "this subscription."
    )
    [detail] = error["details"]
    assert (detail["code"], detail["target"]) == ("TooManyRequests", policy)
    counts = json.loads(detail["message"])
    assert counts["operationGroup"] == policy
    assert (counts["allowedRequestCount"], counts["measuredRequestCount"]) == (2, 3)
    assert counts["endTime"] == fake.clock.utcnow().isoformat()
    fake.clock.advance(seconds - 5)
    assert (await send(wire, family)).status != 429


async def test_deleting_instances_charges_the_batched_policy_per_vm() -> None:
    _fake, wire = make(BIG.with_policy("VMScaleSetBatchedVMRequests5Min", limit=5))
    body = {"instanceIds": ["0", "1", "2"]}
    reply = await wire.send("POST", f"{S}/web/delete", body)
    assert reply.status == 202 and reply.header("x-ms-request-charge") == "3"
    assert reply.header("x-ms-ratelimit-remaining-resource") == (
        "Microsoft.Compute/VMScaleSetBatchedVMRequests5Min;2"
    )
    refused = await wire.send("POST", f"{S}/web/delete", body)
    assert refused.status == 429 and refused.header("Retry-After") == "300"
    counts = json.loads(refused.json["error"]["details"][0]["message"])
    assert (counts["allowedRequestCount"], counts["measuredRequestCount"]) == (5, 6)


async def test_retry_after_is_scaled_by_a_real_clocks_speed() -> None:
    limits = BIG.with_policy("GetVMScaleSet3Min", limit=1)
    fake = FakeCompute(subscription_id=SUB, clock=RealClock(speed=60), limits=limits)
    fake.create_scale_set(RG, "web", capacity=0)
    wire = Wire(fake)
    assert (await wire.send("GET", f"{S}/web")).status == 200
    refused = await wire.send("GET", f"{S}/web")
    assert refused.status == 429 and refused.header("Retry-After") == "3"  # 180 s / 60


# -- inspection and the switch --------------------------------------------------------------


async def test_throttled_requests_show_in_requests_the_timeline_and_the_limiter() -> None:
    fake, wire = make(dataclasses.replace(BIG, reads_capacity=1, reads_refill=0.1))
    await wire.send("GET", f"{S}/web")
    await wire.send("GET", f"{S}/web")
    assert [r.status for r in fake.requests] == [200, 429]
    assert fake.limits is not None
    [event] = fake.limits.throttled
    assert (event.method, event.path, event.limit) == ("GET", f"{S}/web", "reads")
    assert event.retry_after == pytest.approx(10)
    timeline = fake.timeline()
    assert "throttled requests:" in timeline
    assert f"429 GET {S}/web by reads" in timeline
    assert "test-token" not in timeline and "test-token" not in repr(fake.limits)


async def test_limits_none_never_throttles_and_sends_no_headers() -> None:
    fake, wire = make(None)
    assert fake.limits is None
    for _ in range(300):
        reply = await wire.send("GET", f"{S}/web")
        assert reply.status == 200
    assert reply.header("x-ms-ratelimit-remaining-subscription-reads") is None
    assert "throttled requests" not in fake.timeline()


async def test_limits_can_be_replaced_and_reset_at_run_time() -> None:
    fake, wire = make(dataclasses.replace(BIG, reads_capacity=1, reads_refill=0.01))
    await wire.send("GET", f"{S}/web")
    assert (await wire.send("GET", f"{S}/web")).status == 429
    fake.set_limits(None)
    assert (await wire.send("GET", f"{S}/web")).status == 200
    fake.set_limits(Limits())
    reply = await wire.send("GET", f"{S}/web")
    assert reply.header("x-ms-ratelimit-remaining-subscription-reads") == "249"
    fake.reset()
    assert fake.limits is not None and fake.limits.remaining()["reads"] == 250
    with pytest.raises(TypeError, match="limits must be a Limits or None"):
        fake.set_limits({"reads_capacity": 1})  # type: ignore[arg-type]


def test_limits_are_on_by_default_and_serve_has_a_switch() -> None:
    assert FakeCompute().limits is not None
    assert FakeCompute().limits.settings == Limits()  # type: ignore[union-attr]
    on = _make_fake(build_parser().parse_args(["serve"]))
    off = _make_fake(build_parser().parse_args(["serve", "--no-limits"]))
    assert on.limits is not None and off.limits is None
