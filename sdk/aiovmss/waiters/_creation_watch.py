"""The creation waiters' rounds for many VMs, and what a failed creation's error says.

With instance ids the watch follows exactly those VMs. Without, it finds the new VMs itself:
every VM a list shows whose instance id is not in ``since`` (the ids that existed before the
scale-out) is new, and joins the watch when first listed (``docs/waiters.md``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from aiovmss._paging import gc_paused
from aiovmss.errors import ResourceNotFoundError
from aiovmss.waiters._decisions import CreationTracker
from aiovmss.waiters._fleet_states import every_vm_succeeded, read_counts
from aiovmss.waiters._observe import (
    FleetShare,
    Limiter,
    ListRefusedError,
    OnPoll,
    gather_bounded,
    list_round,
    observe_failure,
    observe_vms,
    pick,
    record_round,
    scale_set_missing,
)
from aiovmss.waiters._pacing import gets_cheaper, pages_guess
from aiovmss.waiters._polling import Round
from aiovmss.waiters._results import CreationOutcome, CreationResult, Observation, Verdict

__all__ = ["CreationWatch", "add_failure_details", "describe_failure"]

Observed = dict[str, tuple[Observation, Any]]


class CreationWatch:
    """One round at a time: one list call (Uniform), or bounded per-VM GETs (Flexible).

    ``since`` is ``None`` when the instance ids were given; else the ids that existed before,
    and the new ones are found in each round's list. The wait is complete once every watched VM
    settled and, when finding them, at least ``count`` (default 1) new VMs were found.
    """

    def __init__(
        self,
        client: Any,
        rg: str,
        scale_set: str,
        instance_ids: Iterable[str],
        *,
        since: frozenset[str] | None,
        count: int | None,
        concurrency: int,
        on_poll: OnPoll | None,
        use_list: bool,
        start: float,
        fleet: FleetShare | None = None,
    ) -> None:
        self.client, self.rg, self.scale_set, self.start = client, rg, scale_set, start
        self.compact = fleet is not None
        self._pending: list[str] | None = None
        self.trackers = {iid: self._tracker(iid) for iid in instance_ids}
        self.pages = pages_guess(len(self.trackers))  # of a listing, until one is read
        self.since, self.count = since, count
        self.concurrency, self.on_poll, self.use_list = concurrency, on_poll, use_list
        self.fleet = fleet
        self.lean = fleet is not None
        self.limiter: Limiter = None if fleet is None else fleet.limiter
        self.tally = None if fleet is None else fleet.tally
        self.listed_once = False
        self.rounds = 0
        # Set instead of raised: the creation retry predicate rides out 404s (not there yet).
        self.missing: ResourceNotFoundError | None = None

    def _tracker(self, instance_id: str) -> CreationTracker:
        return CreationTracker(instance_id, self.start, compact=self.compact)

    def pending(self) -> list[str]:
        """Instance ids whose creation has not settled (kept until the round changes them)."""
        if self._pending is None:
            self._pending = [
                iid for iid, t in self.trackers.items() if t.verdict is Verdict.IN_PROGRESS
            ]
        return self._pending

    def complete(self) -> bool:
        """True once every watched VM settled (and, when finding them, enough were found)."""
        if self.pending():
            return False
        return self.since is None or len(self.trackers) >= (self.count or 1)

    async def poll(self) -> Round:
        """Observe every pending VM once (finding new ones first) and judge it."""
        self.rounds += 1
        observed = await (self._by_list() if self._by_list_now() else self._by_get(self.pending()))
        if self.missing is not None:
            return Round(Verdict.FAILED)  # the caller raises it, outside the polling loop
        return await self._judge(observed)

    async def _judge(self, observed: Observed) -> Round:
        retry_after = await record_round(self.trackers, observed, self.on_poll)
        self._pending = None
        verdict = Verdict.SUCCEEDED if self.complete() else Verdict.IN_PROGRESS
        return Round(verdict, retry_after)

    def knows_its_vms(self) -> bool:
        """Whether the VMs to follow are known: given, or all found by a list."""
        return self.since is None or self._found_all()

    async def poll_settled(self) -> Round:
        """A round once the scale set's own state says its creation ended: counts first.

        When every pending VM was seen alive and the scale set's instance view counts every VM
        in it as succeeded, they succeeded: one GET where a list would read every page (a
        fleet wait, ``docs/waiters.md``, "Fleets"). Otherwise an ordinary round.
        """
        pending = self.pending()
        if self.fleet is None or not self.use_list or not pending or not self.knows_its_vms():
            return await self.poll()
        if not all(self.trackers[iid].seen for iid in pending):
            return await self.poll()
        counts = await read_counts(self.client, self.rg, self.scale_set, self.fleet)
        if counts is None or not every_vm_succeeded(counts, len(self.trackers)):
            return await self.poll()
        self.rounds += 1
        now = self.client.clock.now()
        succeeded = Observation(now, provisioning_state="Succeeded", http_status=200)
        return await self._judge(dict.fromkeys(pending, (succeeded, None)))

    def _by_list_now(self) -> bool:
        """List this round, or GET each pending VM (fewer requests, for a fleet wait).

        A wait that finds new VMs lists until it has found them all.
        """
        if not self.use_list:
            return False
        if self.fleet is None or (self.since is not None and not self._found_all()):
            return True
        return not gets_cheaper(len(self.pending()), self.pages)

    def _found_all(self) -> bool:
        return self.listed_once and self.count is not None and len(self.trackers) >= self.count

    async def _by_list(self) -> Observed:
        try:
            listed = await list_round(
                self.client, self.rg, self.scale_set, lean=self.lean, share=self.fleet
            )
        except ListRefusedError:
            if self.since is not None:
                raise ValueError(
                    f"wait for new VMs of {self.rg}/{self.scale_set}: its VMs cannot be listed "
                    "(a Flexible scale set); pass instance_ids"
                ) from None
            self.use_list = False
            return await self._by_get(self.pending())
        except ResourceNotFoundError as error:
            if not self.listed_once:  # a typo: a new scale set exists once its PUT answered
                self.missing = scale_set_missing(
                    self.rg, self.scale_set, error.code,
                    request_id=error.request_id, waiting_for="creation",
                )  # fmt: skip
                return {}
            listed = Observation(self.client.clock.now(), http_status=404)
        if isinstance(listed, dict):
            self.listed_once = True
            self.pages = pages_guess(len(listed))
            self._find_new(listed)
        return pick(listed, self.pending(), self.client.clock.now())

    def _find_new(self, listed: Observed) -> None:
        if self.since is None:
            return
        with gc_paused():  # a new scale set's first list: 1,000 trackers at once
            for iid in listed:
                if iid not in self.since and iid not in self.trackers:
                    self.trackers[iid] = self._tracker(iid)
                    self._pending = None

    async def _by_get(self, pending: list[str]) -> Observed:
        return await observe_vms(
            self.client, self.rg, self.scale_set, pending, expand=None,
            concurrency=self.limiter or self.concurrency, tally=self.tally,
        )  # fmt: skip

    def results(self) -> dict[str, CreationResult]:
        """Every watched VM's result as of now."""
        now = self.client.clock.now()
        with gc_paused():  # up to 100,000 results at once (see ``aiovmss._paging.gc_paused``)
            return {iid: tracker.result(now) for iid, tracker in self.trackers.items()}


async def add_failure_details(
    client: Any,
    rg: str,
    scale_set: str,
    results: Iterable[CreationResult],
    concurrency: int | asyncio.Semaphore,
) -> None:
    """Fill ``error_code`` and ``attempts`` of the failed VMs' results (one GET each)."""
    failed = [r for r in results if r.outcome is CreationOutcome.FAILED]

    def call(result: CreationResult) -> Any:
        return lambda: observe_failure(client, rg, scale_set, result.name)

    details = await gather_bounded([call(r) for r in failed], concurrency)
    for result, (code, attempts) in zip(failed, details, strict=True):
        result.error_code, result.attempts = code, attempts


def describe_failure(result: CreationResult) -> str:
    """``code OSProvisioningTimeout, 4 attempts; 3 polls, 1800 s`` for a failed result."""
    parts = []
    if result.error_code is not None:
        parts.append(f"code {result.error_code}")
    if result.attempts is not None:
        parts.append(f"{result.attempts} attempt{'s' if result.attempts != 1 else ''}")
    known = ", ".join(parts) + "; " if parts else ""
    return f"{known}{result.polls} polls, {result.elapsed:.0f} s"
