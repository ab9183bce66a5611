"""Fuzzing the wire layer: random paths, methods, queries and JSON never give a 500."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wire_support import BASE, SUB, scale_set_body

from fakevmss._http import WireRequest

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = (
    "location",
    "tags",
    "zones",
    "sku",
    "properties",
    "instanceIds",
)
SEGMENT = st.sampled_from(
    ["web", "0", "", ".", "..", "%2F", "%00", "a" * 100, "x y", "ü"]
) | st.text(max_size=12).map(lambda s: quote(s, safe=""))
TEMPLATES = (
    "/subscriptions/{s}/resourceGroups/{a}/providers/Microsoft.Compute/virtualMachineScaleSets",
    "/subscriptions/{s}/resourceGroups/{a}/providers/Microsoft.Compute/virtualMachineScaleSets/{b}",
    "/subscriptions/{s}/resourceGroups/{a}/providers/Microsoft.Compute/virtualMachineScaleSets/{b}/delete",
    "/subscriptions/{s}/resourceGroups/{a}/providers/Microsoft.Compute/virtualMachineScaleSets/{b}/virtualMachines/{c}",
    "/subscriptions/{s}/providers/Microsoft.Compute/locations/{a}/operations/{b}",
    "/subscriptions/{s}/providers/Microsoft.Features/providers/{a}/features/{b}/register",
    "/{a}/{b}",
)


@st.composite
def mutated_body(draw: st.DrawFn) -> Any:
    """A valid body with one field replaced by random JSON, or random JSON, or raw bytes."""
    choice = draw(st.integers(0, 2))
    if choice == 0:
        body = scale_set_body(draw(st.integers(0, 3)))
        body[draw(st.sampled_from(FIELDS))] = draw(JSON_VALUES)
        return body
    if choice == 1:
        return draw(JSON_VALUES)
    return draw(st.binary(max_size=40))


@st.composite
def requests(draw: st.DrawFn) -> WireRequest:
    template = draw(st.sampled_from(TEMPLATES))
    path = template.format(
        s=draw(st.sampled_from([SUB, "x"]) | SEGMENT),
        a=draw(SEGMENT),
        b=draw(SEGMENT),
        c=draw(SEGMENT),
    )
    method = draw(st.sampled_from(["GET", "PUT", "PATCH", "POST", "DELETE", "HEAD"]))
    version = draw(st.sampled_from(["2023-07-01", "2024-07-01", "2021-07-01", "bad", ""]))
    extra = draw(
        st.dictionaries(
            st.sampled_from(["$expand", "forceDeletion", "$skiptoken", "monitor", "$filter"]),
            st.text(max_size=10).map(lambda s: quote(s, safe="")),
            max_size=2,
        )
    )
    query = "&".join([f"api-version={version}"] + [f"{k}={v}" for k, v in extra.items()])
    body = draw(mutated_body())
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Authorization": "Bearer t"}
    return WireRequest(method, f"{BASE}{path}?{query}", headers, raw)


async def _answer(request: WireRequest) -> tuple[int, bytes]:
    from fakevmss import FakeCompute

    fake = FakeCompute(seed=0, subscription_id=SUB)
    await fake.handle(
        WireRequest(
            "PUT",
            f"{BASE}/subscriptions/{SUB}/resourceGroups/web/providers/Microsoft.Compute"
            "/virtualMachineScaleSets/web?api-version=2024-07-01",
            {"Authorization": "Bearer t"},
            json.dumps(scale_set_body(1)).encode(),
        )
    )
    answer = await fake.handle(request)
    return answer.status, answer.body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_no_500_and_arm_shaped_errors(request: WireRequest) -> None:
    status, body = asyncio.run(_answer(request))
    assert status < 500, (status, body)
    if status >= 400:
        error = json.loads(body)["error"]
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
