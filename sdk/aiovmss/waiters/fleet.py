"""Wait for the VMs of many scale sets at once, at a cost per round that follows the scale sets.

``wait_for_instances_deleted`` and ``wait_for_instances_created`` watch one scale set with one
list call per round. A fleet spread over a hundred scale sets would run a hundred of them, each
with its own rounds; these waiters run one round for the whole fleet instead:

- the scale sets' own states first, one list call per resource group: a scale set still
  ``Creating``/``Updating`` (creation) or ``Deleting`` (deletion) is not listed that round;
- then one list call for each other scale set with VMs still pending (a GET of each VM for a
  Flexible scale set), at most ``concurrency`` requests in flight across the fleet;
- then a pause of ``poll_interval``, stretched when the server asks (Retry-After) or when the
  round would spend more than its share of the read budget (``docs/waiters.md``, "Fleets").

Lists are read into lean views (three fields a VM) and histories keep only what changed, so a
100,000-VM fleet is held in tens of megabytes. Results are per scale set, per VM, judged exactly
as the single-scale-set waiters judge them (``Deleted``/``NotFound``/``Failed``; ``Succeeded``/
``Failed``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aiovmss.waiters._creation_watch import CreationWatch, add_failure_details
from aiovmss.waiters._deletion_watch import DeletionWatch
from aiovmss.waiters._fleet_checks import (
    NewInstances,
    check_concurrency,
    check_fleet,
    check_seconds,
    flexible_keys,
    raise_fleet_created,
    raise_fleet_deleted,
    seen_by_creation,
)
from aiovmss.waiters._fleet_states import Key
from aiovmss.waiters._fleet_watch import FleetCreation, FleetDeletion
from aiovmss.waiters._observe import FleetShare, OnPoll
from aiovmss.waiters._polling import BeforeSleep, poll_until_settled
from aiovmss.waiters._results import CreationResult, DeletionResult
from aiovmss.waiters.creation import DEFAULT_CREATE_POLL_INTERVAL, DEFAULT_CREATE_TIMEOUT
from aiovmss.waiters.deletion import (
    DEFAULT_DELETE_POLL_INTERVAL,
    DEFAULT_DELETE_TIMEOUT,
    DEFAULT_HORIZON,
)
from aiovmss.waiters.strategies import RetryIfCreationInProgress, RetryIfDeletionInProgress

if TYPE_CHECKING:
    from aiovmss._client import ComputeClient

__all__ = ["NewInstances", "wait_for_fleet_created", "wait_for_fleet_deleted"]


def _named(on_poll: OnPoll | None, key: Key) -> OnPoll | None:
    """``on_poll`` told ``"rg/scale_set/instance_id"`` for each VM of ``key``."""
    if on_poll is None:
        return None
    prefix = f"{key[0]}/{key[1]}/"
    return lambda iid, observation: on_poll(prefix + iid, observation)


async def wait_for_fleet_deleted(
    client: ComputeClient,
    fleet: Mapping[tuple[str, str], Iterable[str] | Mapping[str, CreationResult]],
    *,
    timeout: float = DEFAULT_DELETE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
    concurrency: int = 16,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    horizon: float = DEFAULT_HORIZON,
    max_polls: int | None = None,
    raise_on_failure: bool = True,
    orchestration_modes: Mapping[tuple[str, str], str] | None = None,
    skip_busy_scale_sets: bool = True,
) -> dict[tuple[str, str], dict[str, DeletionResult]]:
    """Wait until the VMs of many scale sets are deleted: ``{(rg, scale_set): [ids, ...]}``.

    Start it as soon as the delete requests are accepted (scale set deletes, instance deletes or
    scale-ins, in any mix): as with ``wait_for_instances_deleted``, a VM is ``Deleted`` only
    when it was seen and then seen gone, and a VM absent from its scale set's first list is
    ``NotFound``. A VM counts as seen when this wait listed it, or when ``fleet`` gives its
    ``CreationResult`` from ``wait_for_fleet_created`` (pass those results straight in: the
    scale sets then need no first list). A scale set whose pending VMs were all seen takes them
    with it when it answers 404 (``Deleted``); one missing before anything of it was seen
    raises.

    Args:
        client: an ``aiovmss.ComputeClient``; its clock drives every sleep and the deadline.
        fleet: instance ids by ``(resource group, scale set)``, or for each the
            ``{instance_id: CreationResult}`` of a fleet creation wait.
        timeout: seconds on the client's clock before ``WaitTimeoutError``.
        poll_interval: seconds between rounds (longer when the server or the budget asks).
        concurrency: requests in flight at most, across the whole fleet.
        on_poll: ``on_poll("rg/scale_set/instance_id", observation)`` after each VM's poll.
        before_sleep: tenacity's ``before_sleep`` hook, before each pause between rounds.
        horizon: at 2023-07-01, when a ``Failed`` state counts (see ``wait_for_vm_deletion``).
        max_polls: stop after this many rounds (``WaitTimeoutError``).
        raise_on_failure: raise ``VMDeletionFailedError`` when a VM failed for good.
        orchestration_modes: ``"Flexible"`` for the scale sets whose VMs cannot be listed
            (found out at the first round otherwise, at the cost of one refused call each).
        skip_busy_scale_sets: read the scale sets' states first and skip listing those still
            ``Deleting`` (after their VMs were seen once).

    Returns:
        ``{(rg, scale_set): {instance_id: DeletionResult}}``, keyed as ``fleet`` is.

    Raises:
        TypeError: ``fleet`` is not a mapping of ``(str, str)`` to instance ids (a bare str
            included) or to creation results, or another argument has the wrong type.
            ValueError: a scale set named twice, a negative ``timeout``/``poll_interval``,
            ``concurrency`` below 1. InvalidNameError: a name that is unsafe in a URL. All
            before anything is sent.
        ResourceNotFoundError: a scale set was not there when the wait began.
        VMDeletionFailedError: some VM failed for good (unless ``raise_on_failure=False``);
            ``.result`` is the whole dict of results.
        WaitTimeoutError: some VM had not settled in time; ``.result`` as above.
    """
    targets = check_fleet(fleet, ids_only=True)
    concurrency = check_concurrency(concurrency)
    loop = _loop(client, timeout, poll_interval, max_polls, before_sleep)
    flexible = flexible_keys(orchestration_modes, targets)
    share = FleetShare(asyncio.Semaphore(concurrency))
    start = loop["start"]
    watches = {
        key: _deletion_watch(client, key, ids, horizon, share, on_poll, key in flexible, start)
        for key, ids in targets.items()
    }
    for key, watch in watches.items():
        for iid in seen_by_creation(fleet, key):
            watch.trackers[iid].seen = True
    rounds = FleetDeletion(
        client, watches, share, poll_interval=loop["poll_interval"], skip_busy=skip_busy_scale_sets
    )
    if rounds.pending():
        await poll_until_settled(
            client.clock, rounds.poll, retry=RetryIfDeletionInProgress(), **loop
        )
    results = {key: watch.results() for key, watch in watches.items()}
    raise_fleet_deleted(results, raise_on_failure, timeout=timeout, max_polls=max_polls)
    return results


async def wait_for_fleet_created(
    client: ComputeClient,
    fleet: Mapping[tuple[str, str], Iterable[str] | NewInstances],
    *,
    timeout: float = DEFAULT_CREATE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_CREATE_POLL_INTERVAL,
    concurrency: int = 16,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    max_polls: int | None = None,
    raise_on_failure: bool = True,
    orchestration_modes: Mapping[tuple[str, str], str] | None = None,
    skip_busy_scale_sets: bool = True,
) -> dict[tuple[str, str], dict[str, CreationResult]]:
    """Wait until the new VMs of many scale sets settled: new scale sets, or scale-outs.

    ``fleet`` maps each ``(rg, scale_set)`` to the new VMs' instance ids, or to
    ``NewInstances(since=..., count=...)`` to let the wait find them (as ``since=``/``count=``
    of ``wait_for_instances_created``; ``NewInstances(count=n)`` for a scale set just created
    with ``n`` VMs). Start it once the PUTs (or scale-outs) were accepted; no need to await
    their pollers. A failed VM is asked once more, for its error code and attempt count.

    Args and Raises are those of :func:`wait_for_fleet_deleted` (``horizon`` aside), plus:
        ValueError: ``NewInstances`` for a scale set named Flexible in
            ``orchestration_modes``, or found Flexible (its VMs cannot be listed).
        VMCreationFailedError: some VM settled ``Failed`` (unless ``raise_on_failure=False``).

    Returns:
        ``{(rg, scale_set): {instance_id: CreationResult}}``, keyed as ``fleet`` is.
    """
    targets = check_fleet(fleet, ids_only=False)
    concurrency = check_concurrency(concurrency)
    loop = _loop(client, timeout, poll_interval, max_polls, before_sleep)
    flexible = flexible_keys(orchestration_modes, targets)
    share = FleetShare(asyncio.Semaphore(concurrency))
    watches = {
        key: _creation_watch(client, key, spec, key in flexible, share, _named(on_poll, key))
        for key, spec in targets.items()
    }
    rounds = FleetCreation(
        client, watches, share, poll_interval=loop["poll_interval"], skip_busy=skip_busy_scale_sets
    )
    if rounds.pending():
        await poll_until_settled(
            client.clock, rounds.poll, retry=RetryIfCreationInProgress(), **loop
        )
    missing = rounds.missing()
    if missing is not None:
        raise missing
    results = {key: watch.results() for key, watch in watches.items()}
    await asyncio.gather(
        *(
            add_failure_details(client, key[0], key[1], found.values(), share.limiter)
            for key, found in results.items()
        )
    )
    complete = {key: watch.complete() for key, watch in watches.items()}
    raise_fleet_created(results, complete, raise_on_failure, timeout=timeout, max_polls=max_polls)
    return results


def _deletion_watch(
    client: Any,
    key: Key,
    ids: list[str],
    horizon: float,
    share: FleetShare,
    on_poll: OnPoll | None,
    flexible: bool,
    start: float,
) -> DeletionWatch:
    """The watch of one scale set of a fleet deletion wait."""
    return DeletionWatch(
        client, key[0], key[1], ids, horizon=horizon, concurrency=1, on_poll=_named(on_poll, key),
        use_list=not flexible, start=start, fleet=share,
    )  # fmt: skip


def _creation_watch(
    client: Any,
    key: Key,
    spec: list[str] | NewInstances,
    flexible: bool,
    share: FleetShare,
    on_poll: OnPoll | None,
) -> CreationWatch:
    """The watch of one scale set of a fleet creation wait (its start: the wait's)."""
    if not isinstance(spec, NewInstances):
        ids, since, count = spec, None, None
    elif flexible:
        raise ValueError(
            f"the VMs of Flexible scale set {key[0]}/{key[1]} cannot be listed: pass its "
            "instance ids instead of NewInstances"
        )
    else:
        ids, since, count = [], spec.since, spec.count
    return CreationWatch(
        client, key[0], key[1], ids, since=since, count=count, concurrency=1, on_poll=on_poll,
        use_list=not flexible, start=client.clock.now(), fleet=share,
    )  # fmt: skip


def _loop(
    client: Any,
    timeout: object,
    poll_interval: object,
    max_polls: object,
    before_sleep: BeforeSleep | None,
) -> dict[str, Any]:
    """The polling loop's settings, checked; ``start`` is now on the client's clock.

    Raises:
        TypeError: a setting of the wrong type. ValueError: a negative number of seconds.
    """
    if max_polls is not None and (isinstance(max_polls, bool) or not isinstance(max_polls, int)):
        raise TypeError(f"max_polls must be an int or None, not {type(max_polls).__name__}")
    return {
        "timeout": check_seconds("timeout", timeout),
        "poll_interval": check_seconds("poll_interval", poll_interval),
        "max_polls": max_polls,
        "before_sleep": before_sleep,
        "start": client.clock.now(),
    }
