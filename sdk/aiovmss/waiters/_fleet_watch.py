"""The fleet waiters' rounds: every scale set of the fleet polled once per round, together.

A round reads the scale sets' own states first (``_fleet_states``: one list per resource
group), then polls each scale set whose state lets its VMs be judged with that scale set's
own watch (one list of its VMs, or per-VM GETs for Flexible). Every request of the round holds
one permit of the shared limiter, so at most ``concurrency`` are in flight across the fleet;
the round counts them, and the pause before the next round is stretched when the read budget
asks for it (``_pacing``). See ``docs/waiters.md``, "Fleets".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from aiovmss.errors import ResourceNotFoundError
from aiovmss.waiters._creation_watch import CreationWatch
from aiovmss.waiters._deletion_watch import DeletionWatch
from aiovmss.waiters._fleet_states import (
    BUSY_CREATING,
    BUSY_DELETING,
    Gate,
    Key,
    ScaleSetStates,
    gate,
)
from aiovmss.waiters._observe import FleetShare, gather_bounded
from aiovmss.waiters._pacing import next_interval, read_budget
from aiovmss.waiters._polling import Round
from aiovmss.waiters._results import Observation, Verdict

__all__ = ["FleetCreation", "FleetDeletion", "FleetWatch"]

Watch = DeletionWatch | CreationWatch


class FleetWatch:
    """Rounds over the watches of a fleet (one per scale set); see the module docstring.

    ``skip_busy`` turns the first step on: a scale set whose state is in ``busy`` is not
    polled that round.
    """

    busy: frozenset[str] = frozenset()
    settled: Verdict = Verdict.SUCCEEDED

    def __init__(
        self,
        client: Any,
        watches: Mapping[Key, Any],
        share: FleetShare,
        *,
        poll_interval: float,
        skip_busy: bool,
    ) -> None:
        self.client, self.watches, self.share = client, dict(watches), share
        self.poll_interval, self.skip_busy = poll_interval, skip_busy
        self.states = ScaleSetStates(client, share)
        self.rounds = 0
        self.costs: list[int] = []  # requests sent by each round

    def done(self, watch: Any) -> bool:
        """Whether ``watch`` needs no more rounds."""
        raise NotImplementedError

    def gated(self, watch: Any) -> bool:
        """Whether ``watch`` may be skipped while its scale set is busy."""
        return True

    def on_gone(self, watch: Any, observation: Observation) -> Awaitable[Round]:
        """Poll ``watch`` whose scale set answered 404 in the first step."""
        return watch.poll()  # type: ignore[no-any-return]

    def on_state(self, watch: Any, observation: Observation) -> None:
        """Note what the scale set's own state says of ``watch`` (nothing, by default)."""

    def on_open(self, watch: Any) -> Callable[[], Awaitable[Round]]:
        """The poll of ``watch`` once its scale set's own state says it is not busy."""
        return watch.poll  # type: ignore[no-any-return]

    def pending(self) -> dict[Key, Any]:
        """The watches that still need rounds."""
        return {key: watch for key, watch in self.watches.items() if not self.done(watch)}

    async def poll(self) -> Round:
        """One round over the fleet: states first, then every scale set that may have news."""
        self.rounds += 1
        self.share.tally.value = 0
        todo = self.pending()
        gates = await self._gates(todo)
        calls: list[Callable[[], Awaitable[Round]]] = []
        for key, watch in todo.items():
            observation = gates.get(key)
            if observation is not None:
                self.on_state(watch, observation)
            verdict = Gate.OPEN if observation is None else gate(observation, self.busy)
            if verdict is Gate.GONE and observation is not None:
                calls.append(partial(self.on_gone, watch, observation))
            elif verdict is Gate.OPEN:
                calls.append(watch.poll if observation is None else self.on_open(watch))
        rounds: list[Round] = await gather_bounded(calls, len(calls) or 1)
        return self._conclude(rounds, [o for o in gates.values() if o.retry_after is not None])

    async def _gates(self, todo: dict[Key, Any]) -> dict[Key, Observation]:
        if not self.skip_busy:
            return {}
        return await self.states.read(key for key, watch in todo.items() if self.gated(watch))

    def _conclude(self, rounds: list[Round], throttled: list[Observation]) -> Round:
        cost = self.share.tally.value
        self.costs.append(cost)
        if any(r.verdict is Verdict.FAILED for r in rounds):
            return Round(Verdict.FAILED)  # a missing scale set: the caller raises
        hints = [r.retry_after for r in rounds if r.retry_after is not None]
        hints += [o.retry_after for o in throttled if o.retry_after is not None]
        wait = next_interval(self.poll_interval, cost, read_budget(self.client))
        if wait > self.poll_interval:
            hints.append(wait)
        verdict = Verdict.IN_PROGRESS if self.pending() else self.settled
        return Round(verdict, max(hints, default=None))


class FleetDeletion(FleetWatch):
    """Rounds of a fleet deletion wait: each scale set's first list sees its VMs."""

    busy = BUSY_DELETING
    settled = Verdict.DELETED

    def done(self, watch: Any) -> bool:
        """Whether every VM of ``watch`` settled."""
        return not watch.pending()

    def gated(self, watch: Any) -> bool:
        """Only a scale set whose pending VMs were all seen: before, a list must see them."""
        return bool(watch.pending_seen())

    def on_gone(self, watch: Any, observation: Observation) -> Awaitable[Round]:
        """Every pending VM was seen, and the scale set is gone: so are they."""
        return watch.poll_gone(observation.error_code)  # type: ignore[no-any-return]

    def on_state(self, watch: Any, observation: Observation) -> None:
        """An answer of the scale set itself proves it exists."""
        if observation.http_status == 200:
            watch.scale_set_known = True


class FleetCreation(FleetWatch):
    """Rounds of a fleet creation wait; a scale set missing at its first list stops them."""

    busy = BUSY_CREATING
    settled = Verdict.SUCCEEDED

    def gated(self, watch: Any) -> bool:
        """Skipped while busy once its VMs were listed (or given): the first list finds them.

        That list goes while the scale set is still being created, so that once it is not,
        its instance view's counts can settle every VM at once (``on_open``), instead of a
        list of every page after the creation.
        """
        return watch.since is None or bool(watch.listed_once)

    def on_open(self, watch: Any) -> Callable[[], Awaitable[Round]]:
        """The scale set's counts first, then its list if they do not settle every VM."""
        return watch.poll_settled  # type: ignore[no-any-return]

    def done(self, watch: Any) -> bool:
        """Whether ``watch`` is complete (every new VM settled, enough found)."""
        return bool(watch.complete()) or watch.missing is not None

    def missing(self) -> ResourceNotFoundError | None:
        """The first scale set found missing, if any."""
        return next((w.missing for w in self.watches.values() if w.missing is not None), None)
