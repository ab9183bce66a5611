"""Credentials: the token protocol, a static token, and the pipeline's bearer-token cache."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from typing import Any, NamedTuple, Protocol, runtime_checkable

__all__ = [
    "AccessToken",
    "AsyncTokenCredential",
    "BearerTokenCache",
    "StaticTokenCredential",
    "check_credential",
    "needs_refresh",
]

_FAR_FUTURE = 2**62  # epoch seconds: a token that never expires in practice
_logger = logging.getLogger("aiovmss.credentials")


class AccessToken(NamedTuple):
    """A bearer token and its expiry in epoch seconds (the shape azure-core uses)."""

    token: str
    expires_on: int

    def __repr__(self) -> str:
        # The token itself must never reach a log line or a traceback.
        return f"AccessToken(token='***', expires_on={self.expires_on})"


@runtime_checkable
class AsyncTokenCredential(Protocol):
    """Anything with ``async get_token(*scopes)`` returning ``.token`` and ``.expires_on``.

    azure-identity's ``aio`` credentials satisfy it unchanged.
    """

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """Return an access token (``.token``, ``.expires_on``) for ``scopes``."""
        ...


def _is_async_callable(function: object) -> bool:
    """True for a coroutine function, behind ``functools.partial`` too, or an async callable.

    An async callable is an object whose class defines ``async def __call__``.
    ``unittest.mock.AsyncMock`` passes; ``Mock`` and sync functions do not.
    """
    while isinstance(function, functools.partial):
        function = function.func
    if inspect.iscoroutinefunction(function):
        return True
    if inspect.isroutine(function):
        return False
    return inspect.iscoroutinefunction(inspect.getattr_static(type(function), "__call__", None))


def check_credential(credential: object) -> None:
    """Refuse anything but an async credential, before any request.

    Raises:
        TypeError: ``credential`` has no ``get_token``, or its ``get_token`` is not async
            (a string, or a sync credential from ``azure.identity`` instead of
            ``azure.identity.aio``).
    """
    get_token = getattr(credential, "get_token", None)
    if get_token is not None and _is_async_callable(get_token):
        return
    problem = "its get_token is not async" if callable(get_token) else "it has no get_token"
    raise TypeError(
        "credential must be an async credential with `async def get_token(*scopes)`, such as "
        "azure.identity.aio.DefaultAzureCredential (from azure.identity.aio, not "
        "azure.identity) or aiovmss.StaticTokenCredential; got "
        f"{type(credential).__name__} ({problem})"
    )


class StaticTokenCredential:
    """A credential that always returns the same token; for tests, fakes and pre-minted tokens.

    Args:
        token: the bearer token.
        expires_on: its expiry in epoch seconds; ``None`` means it never expires.
    """

    __slots__ = ("_token",)

    def __init__(self, token: str, *, expires_on: int | None = None) -> None:
        if not isinstance(token, str) or not token:
            raise ValueError("token must be a non-empty string")
        self._token = AccessToken(token, _FAR_FUTURE if expires_on is None else int(expires_on))

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """Return the token, whatever the scopes."""
        return self._token

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self) -> StaticTokenCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"StaticTokenCredential(expires_on={self._token.expires_on})"


def needs_refresh(expires_on: float, now: float, margin: float) -> bool:
    """True when a token expiring at ``expires_on`` has less than ``margin`` seconds left."""
    return expires_on - now < margin


class BearerTokenCache:
    """Caches one token for one scope and refreshes it before it expires.

    Expiry is judged with :func:`time.time` because tokens carry epoch seconds (the only
    real-time read in the client). Refreshes are single-flight: however many requests ask at
    once, the credential is called once. If a refresh fails while the old token is still valid,
    the old token is used and the failure logged; an expired token is never sent.
    """

    __slots__ = ("_credential", "_header", "_lock", "_scope", "_token", "refresh_margin")

    def __init__(
        self, credential: AsyncTokenCredential, scope: str, *, refresh_margin: float = 300.0
    ) -> None:
        self._credential = credential
        self._scope = scope
        self.refresh_margin = refresh_margin
        self._token: tuple[str, float] | None = None
        self._header = ""
        self._lock = asyncio.Lock()

    def fresh_authorization(self) -> str | None:
        """The ``Authorization`` value if the cached token needs no refresh, else None."""
        # needs_refresh() inlined: this runs on every request.
        token = self._token
        if token is not None and token[1] - time.time() >= self.refresh_margin:
            return self._header
        return None

    async def authorization(self) -> str:
        """The ``Authorization`` header value, ``"Bearer <token>"``."""
        header = self.fresh_authorization()
        if header is not None:
            return header
        async with self._lock:
            token = self._token
            now = time.time()
            if token is None or needs_refresh(token[1], now, self.refresh_margin):
                await self._refresh(token, now)
            return self._header

    async def _refresh(self, current: tuple[str, float] | None, now: float) -> None:
        try:
            raw = await self._credential.get_token(self._scope)
        except Exception as exc:
            if current is None or current[1] <= now:
                raise
            _logger.warning(
                "token refresh failed (%s); using the current token", type(exc).__name__
            )
            return
        token, expires_on = _unpack(raw)
        self._token = (token, expires_on)
        self._header = "Bearer " + token

    def invalidate(self) -> None:
        """Forget the cached token so the next request fetches a new one."""
        self._token = None

    def __repr__(self) -> str:
        expires = None if self._token is None else self._token[1]
        return f"BearerTokenCache(scope={self._scope!r}, expires_on={expires})"


def _unpack(raw: Any) -> tuple[str, float]:
    """``(token, expires_on)`` from an AccessToken-like object or a plain 2-tuple."""
    token = getattr(raw, "token", None)
    expires_on = getattr(raw, "expires_on", None)
    if token is None and isinstance(raw, tuple) and len(raw) >= 2:
        token, expires_on = raw[0], raw[1]
    if not isinstance(token, str) or not token or expires_on is None:
        raise TypeError("get_token() must return an object with a .token and an .expires_on")
    return token, float(expires_on)
