"""StaticTokenCredential and the single-flight bearer-token cache."""

from __future__ import annotations

import asyncio
import functools
import time
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, MagicMock, Mock

import pytest
from sdk_support import ScriptedTransport

from aiovmss import ComputeClient
from aiovmss._credentials import (
    AccessToken,
    AsyncTokenCredential,
    BearerTokenCache,
    StaticTokenCredential,
    check_credential,
    needs_refresh,
)
from aiovmss.transport import HttpResponse

SCOPE = "https://management.azure.com/.default"
OP: dict[str, Any] = {"operation": "scale_sets.get", "resource": "rg/web"}


class CountingCredential:
    """Returns token-1, token-2, ... each valid for ``lifetime`` seconds from time.time()."""

    def __init__(self, lifetime: float = 3600.0, *, pause: bool = True) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.lifetime = lifetime
        self.pause = pause
        self.fail = False

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        if self.pause:
            await asyncio.sleep(0)  # let the other waiters pile up on the lock
        if self.fail:
            raise RuntimeError("identity endpoint down")
        return AccessToken(f"token-{len(self.calls)}", int(time.time() + self.lifetime))


async def test_static_credential_returns_its_token() -> None:
    credential = StaticTokenCredential("abc")
    token = await credential.get_token(SCOPE)
    assert token.token == "abc"
    assert token.expires_on > time.time() + 10 * 365 * 86400
    assert (await StaticTokenCredential("x", expires_on=123).get_token()).expires_on == 123
    async with credential as entered:
        assert entered is credential
    await credential.close()
    assert isinstance(credential, AsyncTokenCredential)


def test_static_credential_and_token_never_show_the_secret() -> None:
    credential = StaticTokenCredential("canary-token-123")
    assert "canary" not in repr(credential)
    assert "canary" not in repr(AccessToken("canary-token-123", 1))
    assert "canary" not in str(AccessToken("canary-token-123", 1))
    with pytest.raises(ValueError):
        StaticTokenCredential("")


def test_needs_refresh() -> None:
    assert not needs_refresh(1000.0, 600.0, 300.0)
    assert needs_refresh(1000.0, 701.0, 300.0)
    assert needs_refresh(1000.0, 1001.0, 0.0)


async def test_cache_is_single_flight() -> None:
    credential = CountingCredential()
    cache = BearerTokenCache(credential, SCOPE)
    headers = await asyncio.gather(*(cache.authorization() for _ in range(100)))
    assert set(headers) == {"Bearer token-1"}
    assert credential.calls == [(SCOPE,)]
    assert "token-1" not in repr(cache)


async def test_cache_refreshes_near_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    credential = CountingCredential(lifetime=3600, pause=False)
    cache = BearerTokenCache(credential, SCOPE, refresh_margin=300)
    assert await cache.authorization() == "Bearer token-1"
    now[0] += 3600 - 301  # 301 s of life left: still good
    assert await cache.authorization() == "Bearer token-1"
    now[0] += 2  # 299 s left: refresh
    assert await cache.authorization() == "Bearer token-2"
    assert len(credential.calls) == 2


async def test_failed_refresh_keeps_a_still_valid_token(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    credential = CountingCredential(lifetime=3600, pause=False)
    cache = BearerTokenCache(credential, SCOPE)
    await cache.authorization()
    credential.fail = True
    now[0] += 3500  # inside the margin, not expired
    assert await cache.authorization() == "Bearer token-1"
    now[0] += 200  # expired: the failure surfaces
    with pytest.raises(RuntimeError, match="identity endpoint down"):
        await cache.authorization()


async def test_cache_accepts_plain_tuples_and_invalidate() -> None:
    class TupleCredential:
        async def get_token(self, *scopes: str, **kwargs: Any) -> tuple[str, int]:
            return ("tuple-token", int(time.time()) + 3600)

    cache = BearerTokenCache(TupleCredential(), SCOPE)
    assert await cache.authorization() == "Bearer tuple-token"
    cache.invalidate()
    assert await cache.authorization() == "Bearer tuple-token"


async def test_cache_rejects_a_credential_that_returns_nonsense() -> None:
    class Broken:
        async def get_token(self, *scopes: str, **kwargs: Any) -> object:
            return object()

    with pytest.raises(TypeError, match="token"):
        await BearerTokenCache(Broken(), SCOPE).authorization()


# --- only async credentials are accepted, at construction ----------------------------------------


class SyncCredential:
    """What azure.identity (not .aio) credentials look like: a synchronous get_token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("t", 2**40)


class AsyncCallable:
    async def __call__(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("t", 2**40)


class CallableCredential:
    get_token = AsyncCallable()


class PartialCredential:
    def __init__(self) -> None:
        async def fetch(prefix: str, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken(prefix + "t", 2**40)

        self.get_token = functools.partial(fetch, "p-")


@pytest.mark.parametrize(
    "credential",
    [
        "a-token-string",
        b"bytes",
        None,
        SyncCredential(),
        Mock(),  # a Mock's get_token returns a Mock, never an awaitable
        MagicMock(),
        SimpleNamespace(get_token=lambda *scopes: AccessToken("t", 1)),
        SimpleNamespace(get_token=functools.partial(SyncCredential().get_token)),
    ],
    ids=lambda c: type(c).__name__,
)
def test_anything_but_an_async_credential_is_refused_at_construction(credential: Any) -> None:
    with pytest.raises(TypeError) as caught:
        ComputeClient(credential, "sub", transport=ScriptedTransport())
    message = str(caught.value)
    assert "async def get_token(*scopes)" in message
    assert "azure.identity.aio.DefaultAzureCredential" in message
    assert f"got {type(credential).__name__}" in message


def spec_mock() -> MagicMock:
    credential = MagicMock(spec=StaticTokenCredential)
    credential.get_token.return_value = AccessToken("t", 2**40)
    return credential


@pytest.mark.parametrize(
    "credential",
    [
        StaticTokenCredential("t"),
        CallableCredential(),
        PartialCredential(),
        SimpleNamespace(get_token=AsyncMock(return_value=AccessToken("t", 2**40))),
        spec_mock(),  # a mock with a spec makes the spec's async methods AsyncMocks
    ],
    ids=lambda c: type(c).__name__,
)
async def test_async_credentials_of_every_shape_are_accepted(credential: Any) -> None:
    check_credential(credential)
    transport = ScriptedTransport(HttpResponse(200, {}, b"{}"))
    async with ComputeClient(credential, "sub", transport=transport) as client:
        await client.pipeline.send("GET", "https://management.azure.com/x", **OP)
    assert transport.requests[0].headers["Authorization"].startswith("Bearer ")


def test_azure_identitys_aio_credential_passes_and_its_sync_one_is_refused() -> None:
    from azure.identity import ClientSecretCredential as SyncSecret
    from azure.identity.aio import ClientSecretCredential

    check_credential(ClientSecretCredential("tenant", "client", "secret"))
    with pytest.raises(TypeError, match=r"not azure\.identity\) .*got ClientSecretCredential"):
        check_credential(SyncSecret("tenant", "client", "secret"))


def test_an_inherited_async_call_counts() -> None:
    class Derived(AsyncCallable):
        pass

    check_credential(SimpleNamespace(get_token=Derived()))
