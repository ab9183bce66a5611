"""Fuzzing the fake's HTTP surface through ``fake.handle``: never a 500, always ARM errors.

Two generators: a seeded ``random`` loop (bulk: thousands of requests against one fake that
holds real resources, so mutating requests hit live handlers), and hypothesis (derandomized,
shrinking) for names and bodies. Together they send well over 10,000 requests.
"""

from __future__ import annotations

import json
import random

import pytest
from chaos_support import STATS
from fuzz_support import (
    BASE,
    CANARY,
    SUB,
    arm_error_problems,
    random_body,
    random_request,
    scale_set_body,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakevmss import FakeCompute
from fakevmss._http import WireRequest

S = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets"
AUTH = {"Authorization": "Bearer t"}
FUZZ = settings(
    max_examples=700,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


async def _seeded_fake() -> FakeCompute:
    fake = FakeCompute(seed=0, subscription_id=SUB)
    for name, mode in (("web", "Uniform"), ("flex", "Flexible")):
        body = scale_set_body(3)
        body["properties"]["orchestrationMode"] = mode
        url = f"{BASE}{S}/{name}?api-version=2024-07-01"
        answer = await fake.handle(WireRequest("PUT", url, AUTH, json.dumps(body).encode()))
        assert answer.status == 201
    fake.clock.advance(600)
    return fake


def _check(request: WireRequest, status: int, headers: dict[str, str], body: bytes) -> None:
    problems = arm_error_problems(status, headers, body)
    assert not problems, f"{request.method} {request.url[:200]!r}: {problems}"


@pytest.mark.parametrize("seed", range(8))
async def test_random_requests_never_break_the_contract(seed: int) -> None:
    rng = random.Random(seed)
    fake = await _seeded_fake()
    for _ in range(1000):
        request = random_request(rng)
        answer = await fake.handle(request)
        _check(request, answer.status, answer.headers, answer.body)
        if rng.random() < 0.01:
            fake.clock.advance(rng.choice((10, 600, 3600)))
    STATS.requests_fuzzed += 1000
    assert len(fake.requests) == 1002
    assert all(r.status < 500 for r in fake.requests)


async def test_huge_bodies_are_413_on_every_route() -> None:
    fake = await _seeded_fake()
    huge = b'{"tags": {"a": "' + b"x" * (4 * 1024 * 1024 + 1) + b'"}}'
    for method, path in (("PUT", f"{S}/web"), ("PATCH", f"{S}/web"), ("POST", f"{S}/web/delete"),
                         ("GET", f"{S}/web"), ("PUT", "/nowhere")):  # fmt: skip
        request = WireRequest(method, f"{BASE}{path}?api-version=2024-07-01", AUTH, huge)
        answer = await fake.handle(request)
        assert answer.status == 413, (method, path)
        _check(request, answer.status, answer.headers, answer.body)
    STATS.requests_fuzzed += 5
    assert fake.scale_set("rg", "web").instance_ids == ["0", "1", "2"]


NAMES = st.text(min_size=0, max_size=120) | st.sampled_from(
    ["..", ".", "%2e%2e", "%2F", "a%2F..%2Fb", "%00", "%ff", "\u202e", "a" * 300]
)


@FUZZ
@given(name=NAMES, method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH"]))
async def test_any_scale_set_name(name: str, method: str) -> None:
    fake = FakeCompute(seed=0, subscription_id=SUB)
    segment = name if "%" in name else name.replace("/", "%2F").replace("?", "%3F")
    segment = segment.replace("#", "%23")
    url = f"{BASE}{S}/{segment}?api-version=2024-07-01"
    request = WireRequest(method, url, AUTH, json.dumps(scale_set_body(1)).encode())
    answer = await fake.handle(request)
    _check(request, answer.status, answer.headers, answer.body)
    STATS.requests_fuzzed += 1
    assert CANARY not in answer.body.decode("utf-8", errors="replace")


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), method=st.sampled_from(["PUT", "PATCH", "POST"]))
async def test_any_body(seed: int, method: str) -> None:
    fake = FakeCompute(seed=0, subscription_id=SUB)
    path = f"{S}/web/delete" if method == "POST" else f"{S}/web"
    request = WireRequest(
        method, f"{BASE}{path}?api-version=2024-07-01", AUTH, random_body(random.Random(seed))
    )
    answer = await fake.handle(request)
    _check(request, answer.status, answer.headers, answer.body)
    STATS.requests_fuzzed += 1
    if answer.status >= 400:
        assert CANARY not in answer.body.decode("utf-8", errors="replace")


@FUZZ
@given(
    headers=st.dictionaries(
        st.sampled_from(["Authorization", "authorization", "Content-Type", "Accept",
                         "x-ms-client-request-id", "If-Match", "If-None-Match", "User-Agent"]),
        st.text(max_size=60),
        max_size=5,
    ),
    query=st.text(max_size=80),
)  # fmt: skip
async def test_any_headers_and_query(headers: dict[str, str], query: str) -> None:
    fake = FakeCompute(seed=0, subscription_id=SUB)
    request = WireRequest("PUT", f"{BASE}{S}/web?{query}", headers, b"{}")
    answer = await fake.handle(request)
    _check(request, answer.status, answer.headers, answer.body)
    STATS.requests_fuzzed += 1
