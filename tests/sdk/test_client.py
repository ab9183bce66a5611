from __future__ import annotations

import pytest
from sdk_support import ManualClock, ScriptedTransport, respond, split

import aiovmss
from aiovmss import ApiVersion, ComputeClient, LoopClock, RetryPolicy, StaticTokenCredential
from aiovmss.errors import ApiVersionError
from aiovmss.models import FeatureResult, FeatureState
from aiovmss.operations import FeaturesOperations, ScaleSetsOperations, ScaleSetVMsOperations
from aiovmss.transport import AiohttpTransport

CRED = StaticTokenCredential("t")


def _client(transport: ScriptedTransport | None = None, **kwargs: object) -> ComputeClient:
    return ComputeClient(CRED, "sub", transport=transport or ScriptedTransport(), **kwargs)


def test_public_surface() -> None:
    assert aiovmss.__all__ == sorted(aiovmss.__all__)
    for name in aiovmss.__all__:
        assert getattr(aiovmss, name) is not None
    for name in ("ComputeClient", "ApiVersion", "StaticTokenCredential", "AsyncLROPoller"):
        assert name in aiovmss.__all__


def test_attributes_and_defaults() -> None:
    transport = ScriptedTransport()
    client = _client(transport)
    assert client.subscription_id == "sub"
    assert client.api_version is ApiVersion.V2024_07_01
    assert client.base_url == "https://management.azure.com"
    assert isinstance(client.clock, LoopClock)
    assert client.pipeline.clock is client.clock
    assert client.pipeline.transport is transport
    assert isinstance(client.scale_sets, ScaleSetsOperations)
    assert isinstance(client.scale_set_vms, ScaleSetVMsOperations)
    assert isinstance(client.features, FeaturesOperations)
    assert client.polling_settings.interval == 30.0
    assert "sub" in repr(client) and "2024-07-01" in repr(client)


@pytest.mark.parametrize("value", ["2023-07-01", " 2024-07-01 ", ApiVersion.V2023_07_01])
def test_api_version_accepts_str_and_enum(value: str) -> None:
    assert _client(api_version=value).api_version.value == str(value).strip()


@pytest.mark.parametrize("value", ["2024-11-01", "latest", ""])
def test_unknown_api_version_raises(value: str) -> None:
    with pytest.raises(ApiVersionError, match="unsupported api-version"):
        _client(api_version=value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.10.0.1",
        "http://localhost:9000/",
        "http://[::1]:80",
        "https://management.usgovcloudapi.net",
    ],
)
def test_base_urls_accepted(url: str) -> None:
    assert _client(base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    ["http://management.azure.com", "http://10.0.0.1", "ftp://127.0.0.1", "management.azure.com",
     "https://host/?x=1"],
)  # fmt: skip
def test_base_urls_refused(url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        _client(base_url=url)


def test_insecure_http_can_be_allowed() -> None:
    client = _client(base_url="http://10.0.0.1:8080", allow_insecure_http=True)
    assert client.base_url == "http://10.0.0.1:8080"


def test_wrong_argument_types() -> None:
    with pytest.raises(TypeError, match="get_token"):
        ComputeClient("not a credential", "sub", transport=ScriptedTransport())
    with pytest.raises(TypeError, match="retry"):
        _client(retry={"max_attempts": 2})
    with pytest.raises(TypeError, match="base_url"):
        _client(base_url=None)


async def test_given_transport_is_not_closed() -> None:
    transport = ScriptedTransport()
    async with _client(transport) as client:
        assert isinstance(client, ComputeClient)
    assert transport.closed is False


async def test_owned_transport_is_closed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    closes: list[object] = []

    async def aclose(self: AiohttpTransport) -> None:
        closes.append(self)

    monkeypatch.setattr(AiohttpTransport, "aclose", aclose)
    client = ComputeClient(CRED, "sub")
    assert isinstance(client.pipeline.transport, AiohttpTransport)
    async with client:
        pass
    await client.aclose()
    assert closes == [client.pipeline.transport]


async def test_requests_carry_auth_user_agent_and_api_version() -> None:
    transport = ScriptedTransport(respond(200, {"name": "web"}))
    client = _client(transport, clock=ManualClock(), application_id="platform/1.0")
    await client.scale_sets.get("rg", "web")
    request = transport.requests[0]
    assert request.headers["Authorization"] == "Bearer t"
    assert request.headers["User-Agent"].startswith(f"platform/1.0 aiovmss/{aiovmss.__version__}")
    assert split(request)[2]["api-version"] == ["2024-07-01"]


async def test_retry_policy_is_used() -> None:
    transport = ScriptedTransport(
        respond(503, {"error": {"code": "ServiceUnavailable"}}), respond(200, {"name": "web"})
    )
    clock = ManualClock()
    client = _client(transport, clock=clock, retry=RetryPolicy(backoff_base=2.0, backoff_max=2.0))
    assert (await client.scale_sets.get("rg", "web")).name == "web"
    assert len(transport.requests) == 2 and len(clock.sleeps) == 1


# --- features ------------------------------------------------------------------------------

FEATURE = "/subscriptions/sub/providers/Microsoft.Features/providers/Microsoft.Compute/features"


@pytest.mark.parametrize("api_version", ["2023-07-01", "2024-07-01"])
async def test_feature_register_and_get(api_version: str) -> None:
    body = {
        "id": f"{FEATURE}/ReliableVMDeletion",
        "name": "Microsoft.Compute/ReliableVMDeletion",
        "type": "Microsoft.Features/providers/features",
        "properties": {"state": "Registering"},
    }
    registered = {**body, "properties": {"state": "Registered"}}
    transport = ScriptedTransport(respond(200, body), respond(200, registered))
    client = _client(transport, api_version=api_version, clock=ManualClock())
    result = await client.features.register("Microsoft.Compute", "ReliableVMDeletion")
    assert isinstance(result, FeatureResult) and result.state == FeatureState.REGISTERING
    got = await client.features.get("Microsoft.Compute", "ReliableVMDeletion")
    assert got.state == FeatureState.REGISTERED
    register, get = (split(r) for r in transport.requests)
    assert register == ("POST", f"{FEATURE}/ReliableVMDeletion/register",
                        {"api-version": ["2021-07-01"]})  # fmt: skip
    assert get == ("GET", f"{FEATURE}/ReliableVMDeletion", {"api-version": ["2021-07-01"]})
    assert transport.requests[0].body in (None, b"")
