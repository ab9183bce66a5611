"""Pure decisions of the waiters: what a state means, and the per-resource trackers.

Nothing here awaits or reads a clock; the loops in ``deletion.py`` and ``creation.py`` feed
observations in and act on the verdicts that come out.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from aiovmss.waiters._results import (
    CreationOutcome,
    CreationResult,
    DeletionOutcome,
    DeletionResult,
    Observation,
    Verdict,
)

__all__ = [
    "CreationTracker",
    "DeletionTracker",
    "creation_failure",
    "creation_verdict",
    "deletion_verdict",
    "normalise",
    "state_of",
]


def normalise(value: object) -> str | None:
    """A state or status as one lower-case word (``"In Progress"`` -> ``"inprogress"``)."""
    if value is None:
        return None
    text = str(getattr(value, "value", value))
    return text.replace(" ", "").replace("_", "").lower() or None


def _wire(value: object) -> str | None:
    """The wire spelling of an enum member or string, ``None`` kept."""
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _field(obj: Any, *names: str) -> Any:
    """The first of ``names`` on a model or a dict (wire or snake_case spelling)."""
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif getattr(obj, name, None) is not None:
            return getattr(obj, name)
    return None


def state_of(resource: Any) -> tuple[str | None, str | None]:
    """``(provisioningState, resilientVMDeletionStatus)`` of a VM or scale set model (or dict)."""
    props = _field(resource, "properties") or resource
    state = _field(props, "provisioning_state", "provisioningState")
    status = _field(props, "resilient_vm_deletion_status", "resilientVMDeletionStatus")
    return _wire(state), _wire(status)


def deletion_verdict(
    provisioning_state: str | None,
    deletion_status: str | None,
    *,
    failed_for: float | None = None,
    horizon: float | None = None,
    waited_for: float | None = None,
) -> Verdict:
    """The verdict on a VM that still exists, while its deletion is awaited.

    ``Failed`` status, or ``provisioningState`` Failed with status ``Disabled``: failed for good.
    ``InProgress`` (or ``Enabled``, or anything unknown): keep polling, whatever the state says,
    because Resilient delete makes the state flap. Without a status (api-version 2023-07-01), a
    ``Failed`` state is final once ``horizon`` (the length of the whole retry schedule) has
    passed either since the wait first saw the VM Failed (``failed_for``) or since the wait
    started (``waited_for``): a wait that starts after the delete request outlives every retry
    by then, so a Failed that first appears after the last retry (a Running fallback) need not
    hold another whole horizon. ``horizon=None`` makes it final at once.
    """
    status = normalise(deletion_status)
    state = normalise(provisioning_state)
    if status == "failed":
        return Verdict.FAILED
    if status == "disabled":
        return Verdict.FAILED if state == "failed" else Verdict.IN_PROGRESS
    if status is None and state == "failed":
        if horizon is None:
            return Verdict.FAILED
        held = max(failed_for or 0.0, waited_for or 0.0)
        return Verdict.FAILED if held >= horizon else Verdict.IN_PROGRESS
    return Verdict.IN_PROGRESS


def _settled_at(history: list[Observation], verdict: Verdict, now: float) -> float:
    """When the wait ended: the settling observation's time, else ``now``."""
    if verdict is not Verdict.IN_PROGRESS and history:
        return history[-1].time
    return now


#: Judged observations of one round, shared between the VMs that saw the same thing.
Shared = dict[tuple[int, Verdict], Observation]


def _remember(
    tracker: DeletionTracker | CreationTracker,
    observation: Observation,
    verdict: Verdict,
    model: Any,
    shared: Shared | None = None,
) -> Observation:
    """Store ``observation`` judged as ``verdict`` (and ``model``, if any) in ``tracker``.

    A ``compact`` tracker (the fleet waiters') keeps no model, and an observation only when it
    differs from the one before in more than its time: 100,000 VMs polled for an hour would
    otherwise hold millions of identical observations and 100,000 models. ``polls`` counts
    every observation either way. Its result takes its history list as it is, uncopied: the
    fleet waiters ask for results once, when the wait is over. With ``shared``
    (one dict per round), VMs that saw the same observation and got the same verdict share one
    judged observation: a round of 1,000 VMs in one state makes one, not 1,000.
    """
    if model is not None and not tracker.compact:
        tracker.last_seen = model
    if shared is None:
        judged = dataclasses.replace(observation, verdict=verdict)
    else:
        key = (id(observation), verdict)  # ``observation`` lives as long as ``shared`` does
        judged = shared.get(key) or shared.setdefault(
            key, dataclasses.replace(observation, verdict=verdict)
        )
    tracker.polls += 1
    history = tracker.history
    if not (tracker.compact and history and _same_but_time(history[-1], judged)):
        history.append(judged)
    tracker.verdict = verdict
    return judged


def _same_but_time(a: Observation, b: Observation) -> bool:
    """Whether two observations say the same thing (all but their time equal)."""
    return (
        a.provisioning_state == b.provisioning_state
        and a.deletion_status == b.deletion_status
        and a.http_status == b.http_status
        and a.retry_after == b.retry_after
        and a.error_code == b.error_code
        and a.verdict == b.verdict
    )


def creation_verdict(provisioning_state: str | None) -> Verdict:
    """``Succeeded`` and ``Failed`` (or ``Canceled``) settle a create; all else is in progress."""
    state = normalise(provisioning_state)
    if state == "succeeded":
        return Verdict.SUCCEEDED
    if state in {"failed", "canceled"}:
        return Verdict.FAILED
    return Verdict.IN_PROGRESS


_FAILED_PREFIX = "provisioningstate/failed/"
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,79}")
_ATTEMPTS = re.compile(r"\bafter (\d{1,3}) attempts?\b")


def _statuses(vm: Any) -> list[Any]:
    props = _field(vm, "properties") or {}
    view = _field(props, "instance_view", "instanceView") or {}
    statuses = _field(view, "statuses")
    return statuses if isinstance(statuses, list) else []


def creation_failure(vm: Any) -> tuple[str | None, int | None]:
    """``(ARM error code, attempts)`` of a failed VM (model or dict), from its instance view.

    ARM shows a failed provisioning as a status ``ProvisioningState/failed/<Code>`` (for
    example ``OSProvisioningTimedOut``); the attempt count is read from that status's message
    ("... after 4 attempts"), where ``fakevmss`` puts it. Either is ``None`` when absent or not
    well-formed (the body is untrusted: a code must look like one, at most 80 characters).
    """
    for status in _statuses(vm):
        code = _field(status, "code")
        if not isinstance(code, str) or not code.lower().startswith(_FAILED_PREFIX):
            continue
        error = code[len(_FAILED_PREFIX) :]
        message = _field(status, "message")
        found = _ATTEMPTS.search(message[:2000]) if isinstance(message, str) else None
        return (
            error if _ERROR_CODE.fullmatch(error) else None,
            int(found.group(1)) if found else None,
        )
    return None, None


@dataclass(slots=True)
class DeletionTracker:
    """Everything one VM's deletion wait knows: history, when it first failed, verdict.

    ``seen`` is True once a poll found the resource (or the caller knows it existed when the
    wait began): only then is a 404 ``Deleted``; before, it is ``NotFound``. ``compact``
    keeps only the observations that changed something (see ``polls`` for the count).
    """

    instance_id: str
    horizon: float | None
    started: float
    history: list[Observation] = field(default_factory=list)
    last_seen: Any = None
    failed_since: float | None = None
    verdict: Verdict = Verdict.IN_PROGRESS
    seen: bool = False
    compact: bool = False
    polls: int = 0

    @property
    def settled(self) -> bool:
        """True once the VM is deleted or failed for good."""
        return self.verdict is not Verdict.IN_PROGRESS

    def record(
        self, observation: Observation, model: Any = None, shared: Shared | None = None
    ) -> Observation:
        """Judge ``observation``, remember it, and return it with its verdict."""
        return _remember(self, observation, self._judge(observation), model, shared)

    def _judge(self, obs: Observation) -> Verdict:
        if obs.http_status == 404:
            return Verdict.DELETED if self.seen else Verdict.NOT_FOUND
        if obs.http_status != 200:
            return Verdict.IN_PROGRESS  # no news: a throttled or failed poll
        self.seen = True
        self._track_failed(obs)
        failed_for = None if self.failed_since is None else obs.time - self.failed_since
        return deletion_verdict(
            obs.provisioning_state,
            obs.deletion_status,
            failed_for=failed_for,
            horizon=self.horizon,
            waited_for=obs.time - self.started,
        )

    def _track_failed(self, obs: Observation) -> None:
        # Not reset when the state flaps back to Deleting: the horizon spans the whole retry
        # schedule, so once it has passed since the first failure no retry can still be due.
        failed = obs.deletion_status is None and normalise(obs.provisioning_state) == "failed"
        if failed and self.failed_since is None:
            self.failed_since = obs.time

    def result(self, now: float) -> DeletionResult:
        """The result so far (``TimedOut`` while still in progress); elapsed until it settled."""
        outcome = {
            Verdict.DELETED: DeletionOutcome.DELETED,
            Verdict.NOT_FOUND: DeletionOutcome.NOT_FOUND,
            Verdict.FAILED: DeletionOutcome.FAILED,
        }.get(self.verdict, DeletionOutcome.TIMED_OUT)
        return DeletionResult(
            instance_id=self.instance_id,
            outcome=outcome,
            polls=self.polls,
            elapsed=_settled_at(self.history, self.verdict, now) - self.started,
            last_seen=self.last_seen,
            history=self.history if self.compact else list(self.history),
            seen=self.seen,
        )


@dataclass(slots=True)
class CreationTracker:
    """Everything one creation wait knows: history, last model, verdict (``compact``: as above)."""

    name: str
    started: float
    history: list[Observation] = field(default_factory=list)
    last_seen: Any = None
    verdict: Verdict = Verdict.IN_PROGRESS
    compact: bool = False
    polls: int = 0

    def record(
        self, observation: Observation, model: Any = None, shared: Shared | None = None
    ) -> Observation:
        """Judge ``observation`` (a 404 means not there yet), remember it, and return it."""
        verdict = (
            creation_verdict(observation.provisioning_state)
            if observation.http_status == 200
            else Verdict.IN_PROGRESS
        )
        return _remember(self, observation, verdict, model, shared)

    @property
    def seen(self) -> bool:
        """Whether a poll found the VM (any answer 200 so far)."""
        return any(observation.http_status == 200 for observation in self.history)

    def result(self, now: float) -> CreationResult:
        """The result so far (``TimedOut`` while still in progress); elapsed until it settled."""
        outcome = {
            Verdict.SUCCEEDED: CreationOutcome.SUCCEEDED,
            Verdict.FAILED: CreationOutcome.FAILED,
        }.get(self.verdict, CreationOutcome.TIMED_OUT)
        return CreationResult(
            name=self.name,
            outcome=outcome,
            polls=self.polls,
            elapsed=_settled_at(self.history, self.verdict, now) - self.started,
            last_seen=self.last_seen,
            history=self.history if self.compact else list(self.history),
        )
