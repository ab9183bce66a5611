"""The deletion waiters' rounds: which VMs are pending, how one round observes them, messages.

A VM is ``Deleted`` only when the wait saw it and then saw it gone; one that is gone at the
wait's first answer is ``NotFound`` (``seen=False``). A scale set that is not there before the
wait has seen anything of it raises ``ResourceNotFoundError``: nothing it holds can be awaited
(``docs/waiters.md``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from aiovmss._paging import gc_paused
from aiovmss.errors import (
    ResourceNotFoundError,
    VMDeletionFailedError,
    WaitTimeoutError,
)
from aiovmss.waiters._decisions import DeletionTracker, normalise
from aiovmss.waiters._observe import (
    FleetShare,
    Limiter,
    ListRefusedError,
    OnPoll,
    error_observation,
    list_round,
    observe_vms,
    pick,
    record_round,
    scale_set_missing,
    supports_resiliency_view,
)
from aiovmss.waiters._pacing import gets_cheaper, pages_guess
from aiovmss.waiters._polling import Round, poll_until_settled, unsettled_reason
from aiovmss.waiters._results import DeletionOutcome, DeletionResult, Observation, Verdict
from aiovmss.waiters.strategies import RetryIfDeletionInProgress

__all__ = ["DeletionWatch", "failure_reason", "raise_unsettled", "watch_until_settled"]

logger = logging.getLogger("aiovmss.waiters")

Observed = dict[str, tuple[Observation, Any]]


class DeletionWatch:
    """One round at a time over the VMs still pending: one list call, or bounded per-VM GETs.

    ``scale_set_known`` turns True once an answer proved the scale set exists; until then a
    404 of the scale set (or a 404 of a VM never seen, checked with one GET of the scale set)
    raises ``ResourceNotFoundError``. The fleet waiters pass what their watches share
    (``fleet``: lean lists, compact histories, one bound on requests, a request tally).
    """

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
        fleet: FleetShare | None = None,
    ) -> None:
        self.client, self.rg, self.scale_set = client, rg, scale_set
        with gc_paused():  # a 1,000-VM scale set: 1,000 trackers at once
            self.trackers = {
                iid: DeletionTracker(iid, horizon, start, compact=fleet is not None)
                for iid in instance_ids
            }
        self.concurrency, self.on_poll, self.use_list = concurrency, on_poll, use_list
        self.fleet = fleet
        self.lean = fleet is not None
        self._pending: list[str] | None = None
        self._pending_seen = False
        self.pages = pages_guess(len(self.trackers))  # of a listing, until one is read
        self.limiter: Limiter = None if fleet is None else fleet.limiter
        self.tally = None if fleet is None else fleet.tally
        self.scale_set_known = False
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
        """Instance ids whose deletion has not settled (kept until the next round judges)."""
        if self._pending is None:
            self._pending = [iid for iid, tracker in self.trackers.items() if not tracker.settled]
        return self._pending

    def pending_seen(self) -> bool:
        """Whether every pending VM was seen already (a 404 of the scale set settles them).

        Once true it stays true (VMs are only ever seen, and only leave the pending ones).
        """
        if not self._pending_seen:
            self._pending_seen = all(self.trackers[iid].seen for iid in self.pending())
        return self._pending_seen

    async def _record(self, observed: Observed) -> float | None:
        retry_after = await record_round(self.trackers, observed, self.on_poll)
        self._pending = None
        return retry_after

    def _by_list_now(self, pending: list[str]) -> bool:
        """List this round, or GET each pending VM (fewer requests, for a fleet wait)."""
        if not self.use_list:
            return False
        return self.fleet is None or not gets_cheaper(len(pending), self.pages)

    async def poll(self) -> Round:
        """Observe every pending VM once and judge it."""
        pending = self.pending()
        by_list = self._by_list_now(pending)
        observed = await (self._by_list(pending) if by_list else self._by_get(pending))
        retry_after = await self._record(observed)
        verdict = Verdict.IN_PROGRESS if self.pending() else Verdict.DELETED
        return Round(verdict, retry_after)

    async def poll_gone(self, code: str | None) -> Round:
        """Judge every pending VM gone: the scale set, known to exist before, answered 404."""
        now = self.client.clock.now()
        gone = Observation(now, http_status=404, error_code=code)
        pending = self.pending()
        await self._record({iid: (gone, None) for iid in pending})
        return Round(Verdict.IN_PROGRESS if self.pending() else Verdict.DELETED)

    async def _by_list(self, pending: list[str]) -> Observed:
        try:
            listed = await list_round(
                self.client, self.rg, self.scale_set, lean=self.lean, share=self.fleet
            )
        except ListRefusedError:
            logger.debug("list VMs refused for %s/%s: polling each VM", self.rg, self.scale_set)
            self.use_list = False
            return await self._by_get(pending)
        except ResourceNotFoundError as error:
            if not self.scale_set_known:
                raise self._missing(error) from error
            gone = Observation(self.client.clock.now(), http_status=404, error_code=error.code)
            return {iid: (gone, None) for iid in pending}
        if isinstance(listed, dict):
            self.scale_set_known = True  # the list answered
            self.pages = pages_guess(len(listed))
        return pick(listed, pending, self.client.clock.now())

    async def _by_get(self, pending: list[str]) -> Observed:
        observed = await observe_vms(
            self.client, self.rg, self.scale_set, pending, expand=self.expand,
            concurrency=self.limiter or self.concurrency, tally=self.tally,
        )  # fmt: skip
        if any(obs.http_status == 200 for obs, _ in observed.values()):
            self.scale_set_known = True
        unseen = [
            iid
            for iid, (obs, _) in observed.items()
            if obs.http_status == 404 and not self.trackers[iid].seen
        ]
        if unseen and not self.scale_set_known:
            no_news = await self._confirm_scale_set()
            if no_news is not None:  # could not tell: the 404s wait for the next round
                observed.update({iid: (no_news, None) for iid in unseen})
        return observed

    async def _confirm_scale_set(self) -> Observation | None:
        """GET the scale set: raise if it is gone; ``None`` if it is there; else no news."""
        if self.tally is not None:
            self.tally.add()
        try:
            await self.client.scale_sets.get(self.rg, self.scale_set)
        except ResourceNotFoundError as error:
            raise self._missing(error) from error
        except Exception as error:
            return error_observation(error, self.client.clock.now())  # re-raises the fatal
        self.scale_set_known = True
        return None

    def _missing(self, error: ResourceNotFoundError) -> ResourceNotFoundError:
        return scale_set_missing(self.rg, self.scale_set, error.code, request_id=error.request_id)

    def results(self) -> dict[str, DeletionResult]:
        """Every VM's result as of now."""
        now = self.client.clock.now()
        with gc_paused():  # up to 100,000 results at once (see ``aiovmss._paging.gc_paused``)
            return {iid: tracker.result(now) for iid, tracker in self.trackers.items()}


async def watch_until_settled(watch: DeletionWatch, **loop: Any) -> dict[str, DeletionResult]:
    """Run ``watch``'s rounds until every VM settled or the loop's deadline; the results."""
    if watch.pending():
        await poll_until_settled(
            watch.client.clock, watch.poll, retry=RetryIfDeletionInProgress(), **loop
        )
    return watch.results()


def failure_reason(result: DeletionResult) -> str:
    """Why a ``Failed`` deletion failed, from its last observation."""
    last = result.history[-1] if result.history else None
    status = normalise(last.deletion_status) if last is not None else None
    if status == "failed":
        return "Resilient delete gave up (resilientVMDeletionStatus Failed)"
    if status == "disabled":
        return "the delete failed and Resilient delete is off (resilientVMDeletionStatus Disabled)"
    return "provisioningState Failed outlasted the Resilient delete horizon"


def _describe(result: DeletionResult) -> str:
    last = result.history[-1] if result.history else None
    state = f"provisioningState {last.provisioning_state}" if last else "never seen"
    status = f", resilientVMDeletionStatus {last.deletion_status}" if last else ""
    return (
        f"VM {result.instance_id} ({state}{status}; {result.polls} polls, {result.elapsed:.0f} s)"
    )


def raise_unsettled(
    results: dict[str, DeletionResult],
    where: str,
    result: Any,
    fail: bool,
    *,
    timeout: float,
    max_polls: int | None,
) -> None:
    """Raise ``WaitTimeoutError`` or (if ``fail``) ``VMDeletionFailedError`` when due.

    ``NotFound`` is never raised: it is reported (see :class:`DeletionOutcome`).
    """
    late = [r for r in results.values() if r.outcome is DeletionOutcome.TIMED_OUT]
    if late:
        names = "; ".join(_describe(r) for r in late[:5])
        reason = unsettled_reason(timeout, max_polls, max(r.polls for r in late))
        raise WaitTimeoutError(f"wait for deletion of {where}: {reason}: {names}", result=result)
    failed = [r for r in results.values() if r.outcome is DeletionOutcome.FAILED]
    if failed and fail:
        reasons = {failure_reason(r) for r in failed}
        headline = reasons.pop() if len(reasons) == 1 else "deletion failed"
        names = "; ".join(_describe(r) for r in failed[:5])
        raise VMDeletionFailedError(
            f"wait for deletion of {where}: {headline}: {names}", result=result
        )
