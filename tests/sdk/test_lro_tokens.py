"""Continuation tokens are checked field by field before anything is polled."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sdk_support import ManualClock, ScriptedTransport, respond

from aiovmss import AsyncLROPoller, ComputeClient, StaticTokenCredential
from aiovmss._lro_tokens import MAX_TOKEN_CHARS
from aiovmss.errors import UntrustedUrlError

BASE = "https://management.azure.com"
OPS = f"{BASE}/subscriptions/sub/providers/Microsoft.Compute/locations/westus/operations/1"
GOOD: dict[str, Any] = {
    "api_version": "2024-07-01",
    "async_url": f"{OPS}?api-version=2024-07-01",
    "location_url": f"{OPS}?monitor=true&api-version=2024-07-01",
    "method": "PUT",
    "operation": "scale_sets.begin_create_or_update",
    "resource": "rg/web",
    "resource_url": f"{BASE}/subscriptions/sub/resourceGroups/rg/x/web?api-version=2024-07-01",
    "result_type": "VirtualMachineScaleSet",
    "strategy": "azure-async-operation",
    "final_state_via": "original-uri",
    "version": 1,
}
REQUIRED = ("api_version", "method", "operation", "resource", "resource_url", "strategy")
OPTIONAL = ("async_url", "location_url", "result_type", "final_state_via")


def _client(transport: ScriptedTransport | None = None) -> ComputeClient:
    return ComputeClient(
        StaticTokenCredential("t"),
        "sub",
        transport=transport or ScriptedTransport(),
        clock=ManualClock(),
    )


def _resume(token: object, transport: ScriptedTransport | None = None) -> AsyncLROPoller[Any]:
    return AsyncLROPoller.from_continuation_token(_client(transport), token)  # type: ignore[arg-type]


def _with(**changes: Any) -> str:
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...})


async def test_a_good_token_resumes_and_polls_its_own_urls() -> None:
    transport = ScriptedTransport(
        respond(200, {"status": "Succeeded"}),
        respond(200, {"name": "web", "properties": {"provisioningState": "Succeeded"}}),
    )
    result = await _resume(_with(), transport).result()
    assert result.name == "web"
    assert [r.url for r in transport.requests] == [GOOD["async_url"], GOOD["resource_url"]]


WRONG_TYPES = [123, 1.5, True, [], {}, ["x"], {"a": "b"}]


@pytest.mark.parametrize("key", REQUIRED)
@pytest.mark.parametrize("value", [*WRONG_TYPES, None, "", ...])
def test_required_fields_of_the_wrong_type_or_missing_are_refused(key: str, value: Any) -> None:
    with pytest.raises(ValueError, match=rf"invalid continuation token: '{key}' missing or not"):
        _resume(_with(**{key: value}))


@pytest.mark.parametrize("key", OPTIONAL)
@pytest.mark.parametrize("value", [*WRONG_TYPES, ""])
def test_optional_fields_of_the_wrong_type_are_refused(key: str, value: Any) -> None:
    with pytest.raises(ValueError, match=rf"invalid continuation token: '{key}' must be"):
        _resume(_with(**{key: value}))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"method": "GET"}, "unknown method 'GET'"),
        ({"method": "put"}, "unknown method 'put'"),
        ({"strategy": "polling"}, "unknown strategy 'polling'"),
        ({"async_url": None}, "strategy 'azure-async-operation' needs 'async_url'"),
        ({"strategy": "location", "location_url": ...}, "strategy 'location' needs 'location_url'"),
        ({"version": True}, "not an aiovmss token of version 1"),
        ({"version": 1.0}, "not an aiovmss token of version 1"),
        ({"version": "1"}, "not an aiovmss token of version 1"),
        ({"version": ...}, "not an aiovmss token of version 1"),
        ({"extra": "x"}, "unknown field"),
        ({"operation": "op\nFAKE LOG LINE"}, "'operation' holds control characters"),
        ({"resource": "rg/web\x1b[31m"}, "'resource' holds control characters"),
        ({"result_type": "os.system"}, "unknown LRO result type"),
        ({"final_state_via": "somewhere-else"}, "unknown final_state_via 'somewhere-else'"),
    ],
)
def test_inconsistent_tokens_are_refused(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _resume(_with(**changes))


@pytest.mark.parametrize("key", ["async_url", "location_url", "resource_url"])
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"{OPS} ?x=1", "whitespace"),
        (f"{OPS}\t", "whitespace"),
        (f"{OPS}\r\nX-Injected: 1", "control character"),
        (f"{OPS}\x00", "control character"),
        ("https://attacker.example/op", "not the client's base_url origin"),
        ("https://management.azure.com:8443/op", "not the client's base_url origin"),
        ("https://user:pw@management.azure.com/op", "user information"),
        ("http://management.azure.com/op", "downgrade"),
        ("/subscriptions/sub/op", "not an absolute"),
        ("management.azure.com/op", "not an absolute"),
    ],
)
def test_token_urls_pass_the_origin_rule(key: str, url: str, reason: str) -> None:
    transport = ScriptedTransport()
    with pytest.raises(UntrustedUrlError, match="continuation token's") as info:
        _resume(_with(**{key: url}), transport)
    assert reason in info.value.reason and isinstance(info.value, ValueError)
    assert transport.requests == []


@pytest.mark.parametrize(
    "token",
    [
        None,
        b"{}",
        {"version": 1},
        "",
        "not json",
        "[]",
        "1",
        "x" * (MAX_TOKEN_CHARS + 1),
        _with(operation="o" * MAX_TOKEN_CHARS),
        "[" * 100_000 + "]" * 100_000,
        '{"version": 1, "method": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "[" * 20_000 + "]" * 20_000,  # under the size cap, over the parser's depth
        '{"a":' * 10_000 + "1" + "}" * 10_000,
    ],
)
def test_malformed_huge_and_deep_tokens_are_value_errors(token: object) -> None:
    with pytest.raises(ValueError, match="invalid continuation token"):
        _resume(token)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.sampled_from(sorted({*GOOD, "other"})), _json)
def test_any_tampered_field_is_a_value_error_or_a_valid_token(key: str, value: Any) -> None:
    token = json.dumps({**GOOD, key: value})
    try:
        poller = _resume(token)
    except ValueError:
        return
    assert poller.status() == "InProgress"  # accepted: still a token whose every check held
