"""The fleet waiters' argument checks (before anything is sent) and how they end unsettled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiovmss._names import validate_instance_ids, validate_name
from aiovmss.errors import VMCreationFailedError, VMDeletionFailedError, WaitTimeoutError
from aiovmss.waiters._creation_watch import describe_failure
from aiovmss.waiters._deletion_watch import failure_reason
from aiovmss.waiters._fleet_states import Key
from aiovmss.waiters._polling import unsettled_reason
from aiovmss.waiters._results import (
    CreationOutcome,
    CreationResult,
    DeletionOutcome,
    DeletionResult,
)

__all__ = [
    "NewInstances",
    "check_concurrency",
    "check_fleet",
    "check_seconds",
    "flexible_keys",
    "raise_fleet_created",
    "raise_fleet_deleted",
    "seen_by_creation",
]


@dataclass(frozen=True, slots=True, init=False)
class NewInstances:
    """The VMs a fleet creation wait finds itself: every VM listed that is not in ``since``.

    ``NewInstances()`` for a scale set just created (every VM is new); ``count`` is how many
    to expect (without it the wait ends once at least one was found and all found settled).

    Raises:
        TypeError: ``since`` is a str or holds a non-str id; ``count`` is not an int.
        ValueError: ``count`` is below 1.
    """

    since: frozenset[str] = field(default=frozenset())
    count: int | None = None

    def __init__(self, since: Iterable[str] = (), count: int | None = None) -> None:
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise TypeError(f"count must be an int, not {type(count).__name__}")
        if count is not None and count < 1:
            raise ValueError(f"count must be at least 1, not {count}")
        ids = frozenset(validate_instance_ids("since", since, allow_empty=True))
        object.__setattr__(self, "since", ids)
        object.__setattr__(self, "count", count)


def check_seconds(name: str, value: object) -> float:
    """``value`` as a float: a non-negative number of seconds.

    Raises:
        TypeError: not an int or float (a bool included). ValueError: negative or NaN.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not value >= 0:
        raise ValueError(f"{name} must be zero or more seconds, not {value}")
    return float(value)


def check_concurrency(value: object) -> int:
    """``value`` if it is an int of at least 1.

    Raises:
        TypeError: not an int. ValueError: below 1.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"concurrency must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"concurrency must be at least 1, not {value}")
    return value


def _check_key(key: object) -> Key:
    if not isinstance(key, tuple) or len(key) != 2:
        raise TypeError(f"fleet keys must be (resource group, scale set) tuples, not {key!r}")
    return validate_name("resource group", key[0]), validate_name("scale set name", key[1])


def check_fleet(fleet: object, *, ids_only: bool) -> dict[Key, Any]:
    """``fleet`` checked: ``{(rg, scale_set): ids}`` with each list of ids deduplicated.

    Without ``ids_only`` a value may also be a ``NewInstances``, kept as it is.

    Raises:
        TypeError: not a mapping; a key that is not a pair of str; ids that are a str or hold a
            non-str item. ValueError: one scale set named twice (names are case-insensitive).
        InvalidNameError: a name unsafe in a URL.
    """
    if not isinstance(fleet, Mapping):
        raise TypeError(
            "fleet must be a mapping of (resource group, scale set) to instance ids, "
            f"not {type(fleet).__name__}"
        )
    checked: dict[Key, Any] = {}
    seen: dict[tuple[str, str], Key] = {}
    for key, value in fleet.items():
        rg, name = _check_key(key)
        folded = (rg.lower(), name.lower())
        if folded in seen:
            raise ValueError(f"scale set {rg}/{name} is named twice in fleet (as {seen[folded]})")
        seen[folded] = key
        if not ids_only and isinstance(value, NewInstances):
            checked[key] = value
            continue
        if ids_only and isinstance(value, Mapping):
            checked[key] = _created(f"fleet[{rg}/{name}]", value)
            continue
        ids = validate_instance_ids(f"fleet[{rg}/{name}]", value, allow_empty=True)
        checked[key] = list(dict.fromkeys(ids))
    return checked


def _created(kind: str, results: Mapping[Any, Any]) -> list[str]:
    """The ids of ``{instance_id: CreationResult}`` (what ``wait_for_fleet_created`` returns).

    Raises:
        TypeError: a value that is not a ``CreationResult``, or an id that is not a str.
    """
    for iid, result in results.items():
        if not isinstance(result, CreationResult):
            raise TypeError(
                f"{kind}[{iid!r}] must be a CreationResult (a mapping of instance ids to "
                f"creation results), not {type(result).__name__}"
            )
    return validate_instance_ids(kind, list(results), allow_empty=True)


def seen_by_creation(fleet: Mapping[Any, Any], key: Key) -> frozenset[str]:
    """The VMs of ``fleet[key]`` that a creation wait saw settle (they existed)."""
    value = fleet[key]
    if not isinstance(value, Mapping):
        return frozenset()
    settled = (CreationOutcome.SUCCEEDED, CreationOutcome.FAILED)
    return frozenset(iid for iid, result in value.items() if result.outcome in settled)


def flexible_keys(modes: object, targets: Mapping[Key, Any]) -> frozenset[Key]:
    """The keys of ``targets`` that ``modes`` names Flexible (``orchestration_modes``).

    Raises:
        TypeError: ``modes`` is not a mapping of keys to str. ValueError: it names a scale set
            that is not in the fleet.
    """
    if modes is None:
        return frozenset()
    if not isinstance(modes, Mapping):
        raise TypeError(f"orchestration_modes must be a mapping, not {type(modes).__name__}")
    flexible = set()
    for key, mode in modes.items():
        if key not in targets:
            raise ValueError(f"orchestration_modes names {key!r}, which is not in the fleet")
        if not isinstance(mode, str):
            raise TypeError(
                f"orchestration_modes[{key!r}] must be a str, not {type(mode).__name__}"
            )
        if mode.lower() == "flexible":
            flexible.add(key)
    return frozenset(flexible)


def _flat(results: Mapping[Key, Mapping[str, Any]]) -> Iterable[tuple[Key, Any]]:
    return ((key, result) for key, vms in results.items() for result in vms.values())


def _where(results: Mapping[Key, Mapping[str, Any]]) -> str:
    vms = sum(len(vms) for vms in results.values())
    return f"{vms} VMs of {len(results)} scale sets"


def _vm(key: Key, name: str) -> str:
    return f"{key[0]}/{key[1]}/{name}"


def raise_fleet_deleted(
    results: dict[Key, dict[str, DeletionResult]],
    fail: bool,
    *,
    timeout: float,
    max_polls: int | None,
) -> None:
    """Raise ``WaitTimeoutError`` or (if ``fail``) ``VMDeletionFailedError`` when due."""
    late = [(k, r) for k, r in _flat(results) if r.outcome is DeletionOutcome.TIMED_OUT]
    if late:
        reason = unsettled_reason(timeout, max_polls, max(r.polls for _, r in late))
        names = ", ".join(_vm(k, r.instance_id) for k, r in late[:10])
        raise WaitTimeoutError(
            f"wait for deletion of {_where(results)}: {reason}: {len(late)} pending ({names})",
            result=results,
        )
    failed = [(k, r) for k, r in _flat(results) if r.outcome is DeletionOutcome.FAILED]
    if failed and fail:
        reasons = {failure_reason(r) for _, r in failed}
        headline = reasons.pop() if len(reasons) == 1 else "deletion failed"
        names = ", ".join(_vm(k, r.instance_id) for k, r in failed[:10])
        raise VMDeletionFailedError(
            f"wait for deletion of {_where(results)}: {headline}: {len(failed)} VMs ({names})",
            result=results,
        )


def raise_fleet_created(
    results: dict[Key, dict[str, CreationResult]],
    complete: Mapping[Key, bool],
    fail: bool,
    *,
    timeout: float,
    max_polls: int | None,
) -> None:
    """Raise ``WaitTimeoutError`` (unsettled, or too few found) or ``VMCreationFailedError``."""
    late = [(k, r) for k, r in _flat(results) if r.outcome is CreationOutcome.TIMED_OUT]
    short = [key for key, done in complete.items() if not done]
    if late or short:
        reason = unsettled_reason(timeout, max_polls, max((r.polls for _, r in late), default=0))
        names = ", ".join(_vm(k, r.name) for k, r in late[:10]) or "none pending"
        where = ", ".join(f"{k[0]}/{k[1]}" for k in short[:10])
        found = f"; too few new VMs found in {where}" if short and not late else ""
        raise WaitTimeoutError(
            f"wait for creation of {_where(results)}: {reason} ({names}{found})", result=results
        )
    failed = [(k, r) for k, r in _flat(results) if r.outcome is CreationOutcome.FAILED]
    if failed and fail:
        names = "; ".join(f"VM {_vm(k, r.name)} ({describe_failure(r)})" for k, r in failed[:5])
        raise VMCreationFailedError(
            f"wait for creation of {_where(results)}: {len(failed)} VMs failed: {names}",
            result=results,
        )
