"""ComputeClient: configuration, the transport it owns, and its operation groups."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from aiovmss._clock import Clock, LoopClock
from aiovmss._credentials import check_credential
from aiovmss._lro import PollingSettings
from aiovmss._names import validate_name
from aiovmss._origin import AllowedOrigins
from aiovmss._pacing import PacingPolicy
from aiovmss._pipeline import Pipeline
from aiovmss._retry import RetryPolicy
from aiovmss._versions import ApiVersion
from aiovmss.operations import FeaturesOperations, ScaleSetsOperations, ScaleSetVMsOperations
from aiovmss.operations._common import OperationContext
from aiovmss.transport import AsyncTransport
from aiovmss.transport._limits import DEFAULT_MAX_RESPONSE_BYTES, check_max_response_bytes

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_PACING", "ComputeClient", "check_base_url"]

DEFAULT_BASE_URL = "https://management.azure.com"
"""Azure Resource Manager in the public cloud."""
DEFAULT_PACING = PacingPolicy()
"""The default ``pacing=`` of ``ComputeClient`` (frozen, so sharing it is safe)."""


def _is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: object, *, allow_insecure_http: bool = False) -> str:
    """``base_url`` without a trailing slash; ``http://`` only for loopback hosts.

    Raises:
        TypeError: not a str.
        ValueError: not an absolute http(s) URL, or plain http to a non-loopback host (the
            bearer token would cross the network in clear) unless ``allow_insecure_http``.
    """
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must not carry a query or fragment: {base_url!r}")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ValueError(
            f"http:// base_url {base_url!r} is allowed for loopback hosts only "
            "(pass allow_insecure_http=True to override)"
        )
    return base_url.rstrip("/")


class ComputeClient:
    """Async client for Microsoft.Compute scale sets, their VMs and feature registration.

    Args:
        credential: anything with ``async get_token(*scopes)`` (azure-identity aio credentials,
            ``StaticTokenCredential``).
        subscription_id: the Azure subscription.
        api_version: ``"2023-07-01"`` or ``"2024-07-01"`` (default), or an ``ApiVersion``.
        base_url: ARM's endpoint; ``http://`` only for loopback hosts.
        transport: an ``AsyncTransport``; default an ``AiohttpTransport`` the client owns and
            closes. A transport you pass is never closed by the client.
        retry: the ``RetryPolicy`` of every request.
        polling_interval: seconds between LRO polls when the service gives no Retry-After.
        min_polling_interval: lower clamp of a Retry-After while polling.
        max_polling_interval: upper clamp of a Retry-After while polling.
        clock: ``now()`` + ``async sleep()`` for retries, backoff, LRO polling and waiters;
            default the event loop's. The per-attempt timeout alone runs on the transport's
            I/O clock (``transport.io_clock``; real time for sockets), see
            ``docs/client/clock.md``.
        application_id: put in front of the User-Agent.
        allow_insecure_http: allow ``http://`` to a non-loopback host.
        logger: where request lines go (default ``aiovmss.pipeline``).
        trusted_origins: more ``https://host[:port]`` origins that a ``nextLink``, a polling
            URL or a continuation token may lead to, besides ``base_url``'s (for a proxy whose
            links name the real ARM host). Empty by default; plain http is refused.
        max_response_bytes: the largest response body accepted, on the wire or decompressed
            (default 64 MiB); a larger one raises ``ResponseTooLargeError``, never retried.
            Given to the default transport; a transport you pass keeps its own limit, and the
            client refuses a longer body from it all the same.
        pacing: the ``PacingPolicy`` of the pacer all calls of this client share (default
            ``PacingPolicy()``, a little inside ARM's budget); ``None`` never paces. See
            ``docs/client/rate-limits.md``.

    Attributes:
        rate_limits: the latest remaining requests per ARM bucket and Compute policy
            (``RateLimits``), with the time read on the client's clock.

    Raises:
        TypeError: ``credential`` is not an async credential (a str, or a sync one from
            ``azure.identity`` instead of ``azure.identity.aio``), or another argument has
            the wrong type.
        ApiVersionError: an unknown api-version.
        InvalidNameError: an unusable subscription id.
        ValueError: an unusable ``base_url``, ``trusted_origins`` entry or size limit.

    Example::

        async with ComputeClient(credential, sub, api_version="2024-07-01") as client:
            vmss = await client.scale_sets.get("rg", "web")
    """

    def __init__(
        self,
        credential: Any,
        subscription_id: str,
        *,
        api_version: ApiVersion | str = ApiVersion.V2024_07_01,
        base_url: str = DEFAULT_BASE_URL,
        transport: AsyncTransport | None = None,
        retry: RetryPolicy | None = None,
        polling_interval: float = 30.0,
        min_polling_interval: float = 1.0,
        max_polling_interval: float = 60.0,
        clock: Clock | None = None,
        application_id: str | None = None,
        allow_insecure_http: bool = False,
        logger: logging.Logger | None = None,
        trusted_origins: Iterable[str] = (),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pacing: PacingPolicy | None = DEFAULT_PACING,
    ) -> None:
        check_credential(credential)
        if pacing is not None and not isinstance(pacing, PacingPolicy):
            raise TypeError(f"pacing must be a PacingPolicy or None, not {type(pacing).__name__}")
        self.subscription_id = validate_name("subscription_id", subscription_id)
        self.api_version = ApiVersion.parse(api_version)
        self.base_url = check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.allowed_origins = AllowedOrigins.of(self.base_url, trusted_origins)
        max_response_bytes = check_max_response_bytes(max_response_bytes)
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
        self.polling_settings = PollingSettings(
            polling_interval, min_polling_interval, max_polling_interval
        )
        self.clock: Clock = clock if clock is not None else LoopClock()
        self._owns_transport = transport is None
        if transport is None:
            transport = _default_transport(max_response_bytes)
        self.pipeline = Pipeline(
            transport=transport,
            credential=credential,
            clock=self.clock,
            retry=retry if retry is not None else RetryPolicy(),
            application_id=application_id,
            logger=logger,
            origins=self.allowed_origins,
            max_response_bytes=max_response_bytes,
            pacing=pacing,
        )
        self.rate_limits = self.pipeline.rate_limits
        context = OperationContext(
            self.pipeline,
            self.base_url,
            self.subscription_id,
            self.api_version,
            self.polling_settings,
        )
        self.scale_sets = ScaleSetsOperations(context)
        self.scale_set_vms = ScaleSetVMsOperations(context)
        self.features = FeaturesOperations(context)
        self._closed = False

    async def aclose(self) -> None:
        """Close the transport if the client created it; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._owns_transport:
            await self.pipeline.aclose()

    async def __aenter__(self) -> ComputeClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"<ComputeClient {self.base_url} subscription={self.subscription_id}"
            f" api-version={self.api_version.value}>"
        )


def _default_transport(max_response_bytes: int) -> AsyncTransport:
    """An ``AiohttpTransport`` (its session is created lazily, inside the event loop)."""
    from aiovmss.transport import AiohttpTransport

    return AiohttpTransport(max_response_bytes=max_response_bytes)
