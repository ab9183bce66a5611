"""Wait until VMs (or a whole scale set) are really gone, through Resilient delete's flapping.

A delete LRO can end long before the VM is gone: Resilient delete retries on its own schedule
(up to 156 minutes), and meanwhile the VM's ``provisioningState`` flaps between ``Deleting``,
``Failed`` and ``Running``. These waiters judge by ``resilientVMDeletionStatus`` instead
(``docs/waiters.md``): a 404 after the VM was seen is ``Deleted``, a 404 of a VM never seen is
``NotFound``; status ``Failed`` (or ``Failed`` while ``Disabled``) is ``Failed``; anything else
keeps them polling. A scale set missing when the wait begins raises ``ResourceNotFoundError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aiovmss._names import validate_instance_ids, validate_name
from aiovmss.errors import ResourceNotFoundError
from aiovmss.waiters._decisions import DeletionTracker
from aiovmss.waiters._deletion_watch import DeletionWatch, raise_unsettled, watch_until_settled
from aiovmss.waiters._observe import (
    OnPoll,
    list_instance_ids,
    notify,
    observe_scale_set,
    scale_set_missing,
)
from aiovmss.waiters._polling import BeforeSleep, Round, poll_until_settled
from aiovmss.waiters._results import (
    DeletionOutcome,
    DeletionResult,
    ScaleSetDeletionResult,
    Verdict,
)
from aiovmss.waiters.strategies import ResilientDeleteWindow, RetryIfDeletionInProgress

if TYPE_CHECKING:
    from aiovmss._client import ComputeClient

__all__ = [
    "DEFAULT_DELETE_POLL_INTERVAL",
    "DEFAULT_DELETE_TIMEOUT",
    "DEFAULT_HORIZON",
    "wait_for_instances_deleted",
    "wait_for_scale_set_deletion",
    "wait_for_vm_deletion",
]

#: Default deadline of a deletion wait: 4 hours on the client's clock.
DEFAULT_DELETE_TIMEOUT = 4 * 3600.0
#: Default pause between polls (stretched by a longer Retry-After).
DEFAULT_DELETE_POLL_INTERVAL = 30.0
#: At 2023-07-01 a bare ``Failed`` counts once this long has passed since the wait started (or
#: since it was first seen): the whole retry schedule, after which no retry can still be due.
DEFAULT_HORIZON = ResilientDeleteWindow().horizon


def _check_target(rg: object, scale_set: object) -> None:
    """Refuse a bad resource group or scale set name before anything is sent."""
    validate_name("resource group", rg)
    validate_name("scale set name", scale_set)


async def wait_for_vm_deletion(
    client: ComputeClient,
    rg: str,
    scale_set: str,
    instance_id: str,
    *,
    timeout: float = DEFAULT_DELETE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    horizon: float = DEFAULT_HORIZON,
    max_polls: int | None = None,
) -> DeletionResult:
    """Poll one VM (GET with ``$expand=resiliencyView``) until its deletion has settled.

    Start it as soon as the delete request is accepted (before awaiting the delete's poller):
    only a VM the wait has seen can be reported ``Deleted``; one that is already gone at the
    first poll comes back ``NotFound`` with ``seen=False`` (it may never have existed).

    Args:
        client: an ``aiovmss.ComputeClient``; its clock drives every sleep and the deadline.
        rg: the resource group.
        scale_set: the scale set's name.
        instance_id: the VM's instance id.
        timeout: seconds on the client's clock before ``WaitTimeoutError``.
        poll_interval: seconds between polls (longer when the server asks with Retry-After).
        on_poll: ``on_poll(instance_id, observation)`` after each poll (sync or async).
        before_sleep: tenacity's ``before_sleep`` hook.
        horizon: at 2023-07-01, a ``Failed`` state counts once this many seconds have passed
            since the wait started or since it was first seen (start the wait after the
            delete request).
        max_polls: stop after this many polls (``WaitTimeoutError``).

    Raises:
        TypeError, InvalidNameError: a name or the instance id is not a valid str.
        ResourceNotFoundError: the scale set was not there when the wait began.
        VMDeletionFailedError: retries spent, or the policy is off and the delete failed.
        WaitTimeoutError: not settled in time; ``.result`` is the ``DeletionResult`` so far.
    """
    _check_target(rg, scale_set)
    validate_name("instance_id", instance_id)
    start = client.clock.now()
    watch = DeletionWatch(
        client, rg, scale_set, [instance_id], horizon=horizon, concurrency=1,
        on_poll=on_poll, use_list=False, start=start,
    )  # fmt: skip
    results = await watch_until_settled(
        watch,
        timeout=timeout,
        poll_interval=poll_interval,
        start=start,
        max_polls=max_polls,
        before_sleep=before_sleep,
    )
    result = results[instance_id]
    where = f"VM {instance_id} of {rg}/{scale_set}"
    raise_unsettled(results, where, result, True, timeout=timeout, max_polls=max_polls)
    return result


async def wait_for_instances_deleted(
    client: ComputeClient,
    rg: str,
    scale_set: str,
    instance_ids: Iterable[str],
    *,
    timeout: float = DEFAULT_DELETE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
    concurrency: int = 16,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    horizon: float = DEFAULT_HORIZON,
    max_polls: int | None = None,
    raise_on_failure: bool = True,
    orchestration_mode: str | None = None,
) -> dict[str, DeletionResult]:
    """Wait for many VMs of one scale set: one list call per round, or bounded per-VM GETs.

    A Uniform scale set is watched with one list VMs call per round: a VM that leaves the list
    (or every VM, when the scale set itself goes) is ``Deleted``; a VM absent from the first
    list is ``NotFound`` (``seen=False``). When the list is refused (Flexible), each VM is
    polled with a GET, at most ``concurrency`` at a time; pass ``orchestration_mode="Flexible"``
    (the scale set's ``properties.orchestrationMode``) to skip the refused list call. Waits
    until every VM settled; start it as soon as the delete request is accepted.

    Raises:
        TypeError: ``instance_ids`` is a str (or holds a non-str id); InvalidNameError.
        ResourceNotFoundError: the scale set was not there when the wait began.
        VMDeletionFailedError: some VM failed for good (unless ``raise_on_failure=False``);
            ``.result`` is the dict of every VM's ``DeletionResult``. ``NotFound`` VMs never
            raise: they are in the result.
        WaitTimeoutError: some VM had not settled in time; ``.result`` as above.
    """
    _check_target(rg, scale_set)
    ids = list(dict.fromkeys(validate_instance_ids("instance_ids", instance_ids, allow_empty=True)))
    start = client.clock.now()
    watch = DeletionWatch(
        client, rg, scale_set, ids, horizon=horizon, concurrency=concurrency, on_poll=on_poll,
        use_list=(orchestration_mode or "").lower() != "flexible", start=start,
    )  # fmt: skip
    results = await watch_until_settled(
        watch,
        timeout=timeout,
        poll_interval=poll_interval,
        start=start,
        max_polls=max_polls,
        before_sleep=before_sleep,
    )
    where = f"{len(ids)} VMs of {rg}/{scale_set}"
    raise_unsettled(results, where, results, raise_on_failure, timeout=timeout, max_polls=max_polls)
    return results


async def wait_for_scale_set_deletion(
    client: ComputeClient,
    rg: str,
    scale_set: str,
    *,
    instance_ids: Iterable[str] | None = None,
    timeout: float = DEFAULT_DELETE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
    concurrency: int = 16,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    horizon: float = DEFAULT_HORIZON,
    max_polls: int | None = None,
) -> ScaleSetDeletionResult:
    """Wait for every VM of a scale set to be deleted, then for the scale set itself (404).

    The VMs are those listed when the wait starts (Uniform), or ``instance_ids`` if given; a
    Flexible scale set without ``instance_ids`` is judged by the scale set alone. One deadline
    covers both phases; ``on_poll`` gets the VMs' instance ids, then the scale set's name.
    Start it as soon as ``begin_delete`` returns: the scale set must still be there.

    Raises:
        TypeError: ``instance_ids`` is a str (or holds a non-str id); InvalidNameError.
        ResourceNotFoundError: the scale set was not there when the wait began.
        VMDeletionFailedError: a VM (or the scale set) failed for good; ``.result`` is the
            ``ScaleSetDeletionResult``.
        WaitTimeoutError: not gone in time; ``.result`` as above.
    """
    _check_target(rg, scale_set)
    start = client.clock.now()
    loop: dict[str, Any] = {
        "timeout": timeout,
        "poll_interval": poll_interval,
        "start": start,
        "max_polls": max_polls,
        "before_sleep": before_sleep,
    }
    where = f"scale set {rg}/{scale_set}"
    ids, known = await _vms_to_watch(client, rg, scale_set, instance_ids)
    vms: dict[str, DeletionResult] = {}
    if ids:
        watch = DeletionWatch(
            client, rg, scale_set, ids, horizon=horizon, concurrency=concurrency,
            on_poll=on_poll, use_list=True, start=start,
        )  # fmt: skip
        watch.scale_set_known = known
        vms = await watch_until_settled(watch, **loop)
        known = watch.scale_set_known
        elapsed = client.clock.now() - start
        summary = ScaleSetDeletionResult(
            scale_set, _scale_set_outcome(vms), 0, elapsed, vms=vms, seen=known
        )
        raise_unsettled(vms, where, summary, True, timeout=timeout, max_polls=max_polls)
    own = await _watch_scale_set(client, rg, scale_set, on_poll, loop, known=known)
    result = ScaleSetDeletionResult(
        scale_set, own.outcome, own.polls, own.elapsed, own.last_seen, own.history, vms, True
    )
    raise_unsettled({scale_set: own}, where, result, True, timeout=timeout, max_polls=max_polls)
    return result


async def _vms_to_watch(
    client: Any, rg: str, scale_set: str, instance_ids: Iterable[str] | None
) -> tuple[list[str], bool]:
    """The VMs to wait for, and whether an answer already proved the scale set exists.

    Raises:
        ResourceNotFoundError: the scale set is not there.
    """
    if instance_ids is not None:
        return validate_instance_ids("instance_ids", instance_ids, allow_empty=True), False
    try:
        listed = await list_instance_ids(client, rg, scale_set)
    except ResourceNotFoundError as error:
        raise scale_set_missing(rg, scale_set, error.code, request_id=error.request_id) from error
    return (listed or []), listed is not None  # a refused list proves nothing


async def _watch_scale_set(
    client: Any,
    rg: str,
    scale_set: str,
    on_poll: OnPoll | None,
    loop: dict[str, Any],
    *,
    known: bool,
) -> DeletionResult:
    """Poll the scale set itself until 404 (Deleted) or ``Failed``.

    Raises:
        ResourceNotFoundError: the scale set was never there (``known`` False, first 404).
    """
    tracker = DeletionTracker(scale_set, None, loop["start"], seen=known)

    async def poll() -> Round:
        observation, model = await observe_scale_set(client, rg, scale_set)
        judged = tracker.record(observation, model)
        await notify(on_poll, scale_set, judged)
        return Round(judged.verdict, judged.retry_after)

    await poll_until_settled(client.clock, poll, retry=RetryIfDeletionInProgress(), **loop)
    if tracker.verdict is Verdict.NOT_FOUND:
        raise scale_set_missing(rg, scale_set, tracker.history[-1].error_code or "NotFound")
    return tracker.result(client.clock.now())


def _scale_set_outcome(vms: dict[str, DeletionResult]) -> DeletionOutcome:
    outcomes = {r.outcome for r in vms.values()}
    for outcome in (DeletionOutcome.TIMED_OUT, DeletionOutcome.FAILED):
        if outcome in outcomes:
            return outcome
    return DeletionOutcome.DELETED
