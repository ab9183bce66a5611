"""Api-version rules: which versions the fake serves, and what each one shows.

Microsoft.Compute paths accept the configured versions. With ``lenient_api_versions`` a
well-formed version newer than the newest configured one is served with the newest one's
behaviour (so a client pinned to a later version keeps working). Microsoft.Features paths
accept any well-formed version (the real service uses ``2021-07-01``).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from fakevmss._errors import MISSING_API_VERSION, NO_REGISTERED_PROVIDER, ArmException

__all__ = [
    "RESILIENCY_VIEW_VERSION",
    "check_since",
    "has_etag",
    "has_flexible_protection",
    "has_resiliency_view",
    "has_vm_time_created",
    "resolve_api_version",
    "vm_fields",
]

#: The first api-version showing ``resilientVMDeletionStatus`` and etags (docs/fake/emulation.md).
RESILIENCY_VIEW_VERSION = "2024-07-01"

_WELL_FORMED = re.compile(r"(\d{4}-\d{2}-\d{2})(-preview)?")


def _version_date(value: str) -> date | None:
    """The date of a well-formed api-version (``YYYY-MM-DD`` or ``YYYY-MM-DD-preview``)."""
    found = _WELL_FORMED.fullmatch(value)
    if found is None:
        return None
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        return None


def resolve_api_version(
    raw: str | None,
    supported: tuple[str, ...],
    *,
    lenient: bool,
    any_well_formed: bool = False,
) -> str:
    """The api-version whose behaviour serves a request that asked for ``raw``.

    Raises:
        ArmException: 400 ``MissingApiVersionParameter`` or ``NoRegisteredProviderFound``.
    """
    if raw is None or raw == "":
        raise ArmException(
            400,
            MISSING_API_VERSION,
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if raw in supported:
        return raw
    asked = _version_date(raw)
    if any_well_formed and asked is not None:
        return raw
    newest = max(supported, key=lambda v: _version_date(v) or date.min)
    newest_date = _version_date(newest)
    if lenient and asked is not None and newest_date is not None and asked > newest_date:
        return newest
    raise ArmException(
        400,
        NO_REGISTERED_PROVIDER,
        f"No registered resource provider found for api version '{raw}'. "
        f"The supported api-versions are '{', '.join(supported)}'.",
    )


@lru_cache(maxsize=256)
def _at_least(version: str, minimum: str) -> bool:
    """Whether ``version`` is ``minimum`` or later."""
    left, right = _version_date(version), _version_date(minimum)
    return left is not None and right is not None and left >= right


def has_resiliency_view(version: str) -> bool:
    """Whether ``version`` shows ``resilientVMDeletionStatus`` and serves ``resiliencyView``."""
    return _at_least(version, RESILIENCY_VIEW_VERSION)


def has_etag(version: str) -> bool:
    """Whether ``version`` shows ``etag`` and honours ``If-Match``/``If-None-Match``."""
    return _at_least(version, RESILIENCY_VIEW_VERSION)


def has_vm_time_created(version: str) -> bool:
    """Whether ``version`` shows a scale set VM's ``timeCreated`` (not in the 2023-07-01 file)."""
    return _at_least(version, RESILIENCY_VIEW_VERSION)


@lru_cache(maxsize=64)
def vm_fields(version: str) -> tuple[bool, bool]:
    """``(has_etag, has_vm_time_created)`` of ``version`` in one look-up (GET VM's hot path)."""
    return has_etag(version), has_vm_time_created(version)


#: The first api-version protecting VMs of Flexible scale sets (Microsoft's instance protection
#: page: "With Flexible orchestration mode, instance protection is only supported with API
#: version 2023-09-01 and above").
FLEXIBLE_PROTECTION_VERSION = "2023-09-01"


def has_flexible_protection(version: str) -> bool:
    """Whether ``version`` takes ``protectionPolicy`` on a VM of a Flexible scale set."""
    return _at_least(version, FLEXIBLE_PROTECTION_VERSION)


def check_since(version: str, since: str, operation: str) -> None:
    """Refuse an operation that api-version ``version`` does not have (it arrived in ``since``).

    Raises:
        ArmException: 400 ``NoRegisteredProviderFound``, as ARM answers an api-version that
            does not know a resource type or action.
    """
    if not _at_least(version, since):
        raise ArmException(
            400,
            NO_REGISTERED_PROVIDER,
            f"No registered resource provider found for api version '{version}' and "
            f"operation '{operation}'. The supported api-versions are '{since}' and later.",
        )
