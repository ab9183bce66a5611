"""StaticTokenCredential and the single-flight bearer-token cache."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from aiovmss._credentials import (
    AccessToken,
    AsyncTokenCredential,
    BearerTokenCache,
    StaticTokenCredential,
    needs_refresh,
)

SCOPE = "https://management.azure.com/.default"


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
