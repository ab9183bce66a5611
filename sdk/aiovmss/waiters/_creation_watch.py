"""The creation waiters' rounds for many VMs, and what a failed creation's error says.

With instance ids the watch follows exactly those VMs. Without, it finds the new VMs itself:
every VM a list shows whose instance id is not in ``since`` (the ids that existed before the
scale-out) is new, and joins the watch when first listed (``docs/waiters.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiovmss.errors import ResourceNotFoundError
from aiovmss.waiters._decisions import CreationTracker
from aiovmss.waiters._observe import (
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
    ) -> None:
        self.client, self.rg, self.scale_set, self.start = client, rg, scale_set, start
        self.trackers = {iid: CreationTracker(iid, start) for iid in instance_ids}
        self.since, self.count = since, count
        self.concurrency, self.on_poll, self.use_list = concurrency, on_poll, use_list
        self.listed_once = False
        self.rounds = 0
        # Set instead of raised: the creation retry predicate rides out 404s (not there yet).
        self.missing: ResourceNotFoundError | None = None

    def pending(self) -> list[str]:
        """Instance ids whose creation has not settled."""
        return [iid for iid, t in self.trackers.items() if t.verdict is Verdict.IN_PROGRESS]

    def complete(self) -> bool:
        """True once every watched VM settled (and, when finding them, enough were found)."""
        if self.pending():
            return False
        return self.since is None or len(self.trackers) >= (self.count or 1)

    async def poll(self) -> Round:
        """Observe every pending VM once (finding new ones first) and judge it."""
        self.rounds += 1
        observed = await (self._by_list() if self.use_list else self._by_get(self.pending()))
        if self.missing is not None:
            return Round(Verdict.FAILED)  # the caller raises it, outside the polling loop
        retry_after = await record_round(self.trackers, observed, self.on_poll)
        verdict = Verdict.SUCCEEDED if self.complete() else Verdict.IN_PROGRESS
        return Round(verdict, retry_after)

    async def _by_list(self) -> Observed:
        try:
            listed = await list_round(self.client, self.rg, self.scale_set)
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
            self._find_new(listed)
        return pick(listed, self.pending(), self.client.clock.now())

    def _find_new(self, listed: Observed) -> None:
        if self.since is None:
            return
        for iid in listed:
            if iid not in self.since and iid not in self.trackers:
                self.trackers[iid] = CreationTracker(iid, self.start)

    async def _by_get(self, pending: list[str]) -> Observed:
        return await observe_vms(
            self.client, self.rg, self.scale_set, pending, expand=None,
            concurrency=self.concurrency,
        )  # fmt: skip

    def results(self) -> dict[str, CreationResult]:
        """Every watched VM's result as of now."""
        now = self.client.clock.now()
        return {iid: tracker.result(now) for iid, tracker in self.trackers.items()}


async def add_failure_details(
    client: Any, rg: str, scale_set: str, results: Iterable[CreationResult], concurrency: int
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
