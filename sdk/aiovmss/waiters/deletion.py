"""Wait until VMs (or a whole scale set) are really gone, through Resilient delete's flapping.

A delete LRO can end long before the VM is gone: Resilient delete retries on its own schedule
(up to 156 minutes), and meanwhile the VM's ``provisioningState`` flaps between ``Deleting``,
``Failed`` and ``Running``. These waiters judge by ``resilientVMDeletionStatus`` instead
(docs/waiters.md): a 404 is ``Deleted``; status ``Failed`` (or ``Failed`` while ``Disabled``) is
``Failed``; anything else keeps them polling.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aiovmss.errors import VMDeletionFailedError, WaitTimeoutError
from aiovmss.waiters._decisions import DeletionTracker
from aiovmss.waiters._observe import (
    ListRefusedError,
    OnPoll,
    gather_bounded,
    list_instance_ids,
    list_vms,
    notify,
    observe_scale_set,
    observe_vm,
    supports_resiliency_view,
)
from aiovmss.waiters._polling import BeforeSleep, Round, poll_until_settled, unsettled_reason
from aiovmss.waiters._results import (
    DeletionOutcome,
    DeletionResult,
    Observation,
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

logger = logging.getLogger("aiovmss.waiters")

#: Default deadline of a deletion wait: 4 hours on the client's clock.
DEFAULT_DELETE_TIMEOUT = 4 * 3600.0
#: Default pause between polls (stretched by a longer Retry-After).
DEFAULT_DELETE_POLL_INTERVAL = 30.0
#: At 2023-07-01 a bare ``Failed`` counts once this long has passed since the wait started (or
#: since it was first seen): the whole retry schedule, after which no retry can still be due.
DEFAULT_HORIZON = ResilientDeleteWindow().horizon


class _DeletionWatch:
    """One round at a time over the VMs still pending: one list call, or bounded per-VM GETs."""

    def __init__(
        self,
        client: Any,
        rg: str,
        scale_set: str,
        instance_ids: Iterable[str],
        *,
        horizon: float,
        concurrency: int,
        on_poll: OnPoll | None,
        use_list: bool,
        start: float,
    ) -> None:
        self.client, self.rg, self.scale_set = client, rg, scale_set
        self.trackers = {iid: DeletionTracker(iid, horizon, start) for iid in instance_ids}
        self.concurrency, self.on_poll, self.use_list = concurrency, on_poll, use_list
        self.exact = supports_resiliency_view(client)
        self.expand = "resiliencyView" if self.exact else None
        if not self.exact:
            logger.info(
                "waiting for deletion of %s/%s at an api-version without "
                "resilientVMDeletionStatus: a Failed state counts only %.0f s after the wait "
                "started (or after it was first seen); api-version 2024-07-01 gives an exact "
                "answer",
                rg,
                scale_set,
                horizon,
            )

    def pending(self) -> list[str]:
        """Instance ids whose deletion has not settled."""
        return [iid for iid, tracker in self.trackers.items() if not tracker.settled]

    async def poll(self) -> Round:
        """Observe every pending VM once and judge it."""
        pending = self.pending()
        observed = await (self._by_list(pending) if self.use_list else self._by_get(pending))
        hints: list[float] = []
        for iid, (observation, model) in observed.items():
            judged = self.trackers[iid].record(observation, model)
            if judged.retry_after is not None:
                hints.append(judged.retry_after)
            await notify(self.on_poll, iid, judged)
        verdict = Verdict.IN_PROGRESS if self.pending() else Verdict.DELETED
        return Round(verdict, max(hints, default=None))

    async def _by_list(self, pending: list[str]) -> dict[str, tuple[Observation, Any]]:
        try:
            return await list_vms(self.client, self.rg, self.scale_set, pending)
        except ListRefusedError:
            logger.debug("list VMs refused for %s/%s: polling each VM", self.rg, self.scale_set)
            self.use_list = False
            return await self._by_get(pending)

    async def _by_get(self, pending: list[str]) -> dict[str, tuple[Observation, Any]]:
        def call(iid: str) -> Any:
            return lambda: observe_vm(self.client, self.rg, self.scale_set, iid, expand=self.expand)

        observed = await gather_bounded([call(iid) for iid in pending], self.concurrency)
        return dict(zip(pending, observed, strict=True))

    def results(self) -> dict[str, DeletionResult]:
        """Every VM's result as of now."""
        now = self.client.clock.now()
        return {iid: tracker.result(now) for iid, tracker in self.trackers.items()}


def _describe(result: DeletionResult) -> str:
    last = result.history[-1] if result.history else None
    state = f"provisioningState {last.provisioning_state}" if last else "never seen"
    status = f", resilientVMDeletionStatus {last.deletion_status}" if last else ""
    return (
        f"VM {result.instance_id} ({state}{status}; {result.polls} polls, {result.elapsed:.0f} s)"
    )


def _raise_unsettled(
    results: dict[str, DeletionResult],
    where: str,
    result: Any,
    fail: bool,
    *,
    timeout: float,
    max_polls: int | None,
) -> None:
    """Raise ``WaitTimeoutError`` or (if ``fail``) ``VMDeletionFailedError`` when due."""
    late = [r for r in results.values() if r.outcome is DeletionOutcome.TIMED_OUT]
    if late:
        names = "; ".join(_describe(r) for r in late[:5])
        reason = unsettled_reason(timeout, max_polls, max(r.polls for r in late))
        raise WaitTimeoutError(f"wait for deletion of {where}: {reason}: {names}", result=result)
    failed = [r for r in results.values() if r.outcome is DeletionOutcome.FAILED]
    if failed and fail:
        names = "; ".join(_describe(r) for r in failed[:5])
        raise VMDeletionFailedError(
            f"wait for deletion of {where}: Resilient delete gave up (code "
            f"ResilientVMDeletionFailed): {names}",
            result=result,
        )


async def _watch(watch: _DeletionWatch, **loop: Any) -> dict[str, DeletionResult]:
    if watch.pending():
        await poll_until_settled(
            watch.client.clock, watch.poll, retry=RetryIfDeletionInProgress(), **loop
        )
    return watch.results()


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
        VMDeletionFailedError: retries spent, or the policy is off and the delete failed.
        WaitTimeoutError: not settled in time; ``.result`` is the ``DeletionResult`` so far.
    """
    start = client.clock.now()
    watch = _DeletionWatch(
        client,
        rg,
        scale_set,
        [instance_id],
        horizon=horizon,
        concurrency=1,
        on_poll=on_poll,
        use_list=False,
        start=start,
    )
    results = await _watch(
        watch,
        timeout=timeout,
        poll_interval=poll_interval,
        start=start,
        max_polls=max_polls,
        before_sleep=before_sleep,
    )
    result = results[instance_id]
    where = f"VM {instance_id} of {rg}/{scale_set}"
    _raise_unsettled(results, where, result, True, timeout=timeout, max_polls=max_polls)
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

    A Uniform scale set is watched with one list VMs call per round (a VM absent from the list,
    or a 404 for the whole scale set, is ``Deleted``). When the list is refused (Flexible), each
    VM is polled with a GET, at most ``concurrency`` at a time; pass
    ``orchestration_mode="Flexible"`` (the scale set's ``properties.orchestrationMode``) to skip
    the refused list call. Waits until every VM settled.

    Raises:
        VMDeletionFailedError: some VM failed for good (unless ``raise_on_failure=False``);
            ``.result`` is the dict of every VM's ``DeletionResult``.
        WaitTimeoutError: some VM had not settled in time; ``.result`` as above.
    """
    start = client.clock.now()
    ids = list(dict.fromkeys(str(i) for i in instance_ids))
    watch = _DeletionWatch(
        client,
        rg,
        scale_set,
        ids,
        horizon=horizon,
        concurrency=concurrency,
        on_poll=on_poll,
        use_list=(orchestration_mode or "").lower() != "flexible",
        start=start,
    )
    results = await _watch(
        watch,
        timeout=timeout,
        poll_interval=poll_interval,
        start=start,
        max_polls=max_polls,
        before_sleep=before_sleep,
    )
    where = f"{len(ids)} VMs of {rg}/{scale_set}"
    _raise_unsettled(
        results, where, results, raise_on_failure, timeout=timeout, max_polls=max_polls
    )
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

    Raises:
        VMDeletionFailedError: a VM (or the scale set) failed for good; ``.result`` is the
            ``ScaleSetDeletionResult``.
        WaitTimeoutError: not gone in time; ``.result`` as above.
    """
    start = client.clock.now()
    loop: dict[str, Any] = {
        "timeout": timeout,
        "poll_interval": poll_interval,
        "start": start,
        "max_polls": max_polls,
        "before_sleep": before_sleep,
    }
    where = f"scale set {rg}/{scale_set}"
    if instance_ids is not None:
        ids: list[str] | None = [str(i) for i in instance_ids]
    else:
        ids = await list_instance_ids(client, rg, scale_set)
    vms: dict[str, DeletionResult] = {}
    if ids:
        watch = _DeletionWatch(
            client, rg, scale_set, ids, horizon=horizon, concurrency=concurrency,
            on_poll=on_poll, use_list=True, start=start,
        )  # fmt: skip
        vms = await _watch(watch, **loop)
        elapsed = client.clock.now() - start
        summary = ScaleSetDeletionResult(scale_set, _scale_set_outcome(vms), 0, elapsed, vms=vms)
        _raise_unsettled(vms, where, summary, True, timeout=timeout, max_polls=max_polls)
    own = await _watch_scale_set(client, rg, scale_set, on_poll, loop)
    result = ScaleSetDeletionResult(
        scale_set, own.outcome, own.polls, own.elapsed, own.last_seen, own.history, vms
    )
    _raise_unsettled({scale_set: own}, where, result, True, timeout=timeout, max_polls=max_polls)
    return result


async def _watch_scale_set(
    client: Any, rg: str, scale_set: str, on_poll: OnPoll | None, loop: dict[str, Any]
) -> DeletionResult:
    """Poll the scale set itself until 404 (Deleted) or ``Failed``."""
    tracker = DeletionTracker(scale_set, None, loop["start"])

    async def poll() -> Round:
        observation, model = await observe_scale_set(client, rg, scale_set)
        judged = tracker.record(observation, model)
        await notify(on_poll, scale_set, judged)
        return Round(judged.verdict, judged.retry_after)

    await poll_until_settled(client.clock, poll, retry=RetryIfDeletionInProgress(), **loop)
    return tracker.result(client.clock.now())


def _scale_set_outcome(vms: dict[str, DeletionResult]) -> DeletionOutcome:
    outcomes = {r.outcome for r in vms.values()}
    for outcome in (DeletionOutcome.TIMED_OUT, DeletionOutcome.FAILED):
        if outcome in outcomes:
            return outcome
    return DeletionOutcome.DELETED
