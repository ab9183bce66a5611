"""Azure's rate-limit headers: parsed (pure functions) and remembered per client.

ARM sends ``x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}`` and their
``-global-`` variants (the bucket shared by every principal); the Compute provider sends
``x-ms-ratelimit-remaining-resource: Microsoft.Compute/HighCostGet3Min;159,...`` (one value per
policy, comma-separated, or one header per policy) and ``x-ms-request-charge``. A header that is
missing or malformed is skipped with a DEBUG log line, never an error: it is advice, not data.
See docs/client/rate-limits.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "RateLimitHeaders",
    "RateLimits",
    "Remaining",
    "parse_rate_limit_headers",
    "parse_remaining_resource",
    "policy_window",
]

_logger = logging.getLogger("aiovmss.rate_limits")

_SUBSCRIPTION = "x-ms-ratelimit-remaining-subscription-"
_RESOURCE = "x-ms-ratelimit-remaining-resource"
_CHARGE = "x-ms-request-charge"
_POLICY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,127}")
_WINDOW = re.compile(r"(\d{1,4})(Min|Sec|Hour)$")
_MAX_POLICIES = 32
_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RateLimitHeaders:
    """The rate-limit headers of one response.

    Attributes:
        subscription: ARM's remaining requests by bucket: ``reads``, ``global-reads``, ...
        resource: the Compute provider's remaining requests by policy, as the header names
            them (``Microsoft.Compute/HighCostGet3Min``).
        charge: ``x-ms-request-charge``, what this request cost its policies.
    """

    subscription: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    resource: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    charge: int | None = None

    def __bool__(self) -> bool:
        return bool(self.subscription or self.resource or self.charge is not None)


_NONE = RateLimitHeaders()


_NAMES = tuple(
    (f"{_SUBSCRIPTION}{bucket}", bucket)
    for bucket in (
        "reads", "global-reads", "writes", "global-writes", "deletes", "global-deletes",
    )
)  # fmt: skip


def _count(name: str, value: str) -> int | None:
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    _logger.debug("ignored rate-limit header %s: not a count", name)
    return None


def parse_remaining_resource(value: str) -> dict[str, int]:
    """``Microsoft.Compute/P1;159,Microsoft.Compute/P2;0`` as ``{policy: remaining}``.

    Malformed entries are skipped (DEBUG log); at most 32 policies are read.
    """
    result: dict[str, int] = {}
    for entry in value.split(",")[:_MAX_POLICIES]:
        name, sep, count = entry.strip().partition(";")
        number = _count(_RESOURCE, count) if sep else None
        if number is None or not _POLICY.fullmatch(name):
            _logger.debug("ignored a malformed %s entry", _RESOURCE)
            continue
        result[name] = number
    return result


def parse_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitHeaders:
    """The rate-limit headers among ``headers``; never raises.

    ``headers`` is an ``aiovmss.transport.Headers`` (read by lower-case name) or any mapping
    (its names matched case-insensitively).
    """
    lookup = getattr(headers, "lookup", None)
    if lookup is None:
        lookup = {key.lower(): value for key, value in headers.items()}.get
    subscription: dict[str, int] = {}
    for name, bucket in _NAMES:
        value = lookup(name)
        if value is not None and (number := _count(name, value)) is not None:
            subscription[bucket] = number
    raw_resource, raw_charge = lookup(_RESOURCE), lookup(_CHARGE)
    if not subscription and raw_resource is None and raw_charge is None:
        return _NONE
    resource = parse_remaining_resource(raw_resource) if raw_resource is not None else {}
    charge = _count(_CHARGE, raw_charge) if raw_charge is not None else None
    return RateLimitHeaders(MappingProxyType(subscription), MappingProxyType(resource), charge)


def policy_window(name: str) -> float | None:
    """A policy's window in seconds from its name's suffix (``...3Min`` is 180), else None."""
    match = _WINDOW.search(name)
    if match is None:
        return None
    unit = {"Sec": 1.0, "Min": 60.0, "Hour": 3600.0}[match.group(2)]
    return int(match.group(1)) * unit


@dataclass(frozen=True, slots=True)
class Remaining:
    """A remaining count as last reported, and when it was read (the client's clock)."""

    remaining: int
    read_at: float


@dataclass(slots=True)
class RateLimits:
    """``client.rate_limits``: the latest remaining count per ARM bucket and Compute policy.

    Attributes:
        subscription: by bucket (``reads``, ``global-reads``, ``writes``, ...).
        resource: by policy (``Microsoft.Compute/HighCostGet3Min``, ...).
        last: the headers of the latest response that carried any.
    """

    subscription: dict[str, Remaining] = field(default_factory=dict)
    resource: dict[str, Remaining] = field(default_factory=dict)
    last: RateLimitHeaders = field(default_factory=RateLimitHeaders)

    def observe(self, headers: RateLimitHeaders, now: float) -> None:
        """Remember what one response said, read at ``now``."""
        if not headers:
            return
        self.last = headers
        for bucket, count in headers.subscription.items():
            self.subscription[bucket] = Remaining(count, now)
        for policy, count in headers.resource.items():
            self.resource[policy] = Remaining(count, now)

    def get(self, name: str) -> Remaining | None:
        """A bucket (``reads``) or a policy (``Microsoft.Compute/HighCostGet3Min``) by name."""
        return self.subscription.get(name) or self.resource.get(name)

    def __repr__(self) -> str:
        shown = {k: v.remaining for k, v in {**self.subscription, **self.resource}.items()}
        return f"<RateLimits {shown}>"
