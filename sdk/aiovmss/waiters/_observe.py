"""The waiters' only I/O: one poll of a VM, a scale set or a whole list, as observations."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiovmss._paging import gc_paused
from aiovmss._versions import ApiVersion
from aiovmss.errors import (
    ArmError,
    AzureError,
    HttpResponseError,
    ResourceNotFoundError,
    ThrottledError,
)
from aiovmss.waiters._decisions import creation_failure, state_of
from aiovmss.waiters._pacing import Tally, policy_low
from aiovmss.waiters._results import Observation
from aiovmss.waiters.strategies import is_transient_poll_error

__all__ = [
    "FleetShare",
    "Limiter",
    "ListRefusedError",
    "OnPoll",
    "error_observation",
    "gather_bounded",
    "instance_id_of",
    "list_instance_ids",
    "list_observed",
    "list_round",
    "notify",
    "observe_failure",
    "observe_scale_set",
    "observe_vm",
    "observe_vms",
    "pick",
    "record_round",
    "scale_set_missing",
    "seen_observation",
    "supports_resiliency_view",
]

#: ``on_poll(name, observation)``: a plain function or a coroutine function.
OnPoll = Callable[[str, Observation], Awaitable[None] | None]

#: Bounds the requests of several watches together (the fleet waiters'); ``None``: unbounded.
Limiter = asyncio.Semaphore | None

#: Below this many requests left in a Compute policy, a fleet wait lists without read-ahead.
LOW_POLICY_MARGIN = 4


@dataclass(frozen=True, slots=True)
class FleetShare:
    """What the scale set watches of one fleet wait share (``docs/waiters.md``, "Fleets").

    Their lists read lean views, their trackers keep compact histories, ``limiter`` bounds
    their requests together and ``tally`` counts them for the round.
    """

    limiter: asyncio.Semaphore
    tally: Tally = field(default_factory=Tally)
    #: One listing at a time (see ``list_round``).
    lists: asyncio.Lock = field(default_factory=asyncio.Lock)


class ListRefusedError(Exception):
    """The list VMs call was refused (a Flexible scale set): fall back to per-VM GETs."""


def supports_resiliency_view(client: Any) -> bool:
    """True when the client's api-version carries ``resilientVMDeletionStatus``."""
    version = getattr(client, "api_version", ApiVersion.V2024_07_01)
    return ApiVersion.parse(version).supports_resiliency_view


def error_observation(error: BaseException, now: float) -> Observation:
    """An observation for a failed poll: 404 means gone; transient errors mean no news.

    Raises ``error`` again when it is neither (a 401, a 400, a bug).
    """
    if isinstance(error, ResourceNotFoundError):
        return Observation(now, http_status=404, error_code=error.code)
    if not is_transient_poll_error(error):
        raise error
    retry_after = error.retry_after if isinstance(error, ThrottledError) else None
    if isinstance(error, HttpResponseError):
        return Observation(
            now, http_status=error.status_code, retry_after=retry_after, error_code=error.code
        )
    return Observation(now, http_status=None, error_code=type(error).__name__)


def seen_observation(resource: Any, now: float) -> Observation:
    """An observation of a resource that answered 200."""
    state, status = state_of(resource)
    return Observation(now, provisioning_state=state, deletion_status=status, http_status=200)


def instance_id_of(vm: Any) -> str:
    """A VM model's (or dict's) instance id as a string."""
    value = vm.get("instanceId") if isinstance(vm, dict) else getattr(vm, "instance_id", None)
    return "" if value is None else str(value)


async def observe_vm(
    client: Any, rg: str, scale_set: str, instance_id: str, *, expand: str | None
) -> tuple[Observation, Any]:
    """GET one VM: ``(observation, model or None)``."""
    try:
        vm = await client.scale_set_vms.get(rg, scale_set, instance_id, expand=expand)
    except Exception as error:
        return error_observation(error, client.clock.now()), None
    return seen_observation(vm, client.clock.now()), vm


async def observe_scale_set(client: Any, rg: str, scale_set: str) -> tuple[Observation, Any]:
    """GET the scale set: ``(observation, model or None)``."""
    try:
        model = await client.scale_sets.get(rg, scale_set)
    except Exception as error:
        return error_observation(error, client.clock.now()), None
    return seen_observation(model, client.clock.now()), model


def _refused(error: BaseException) -> bool:
    """A list VMs refusal: ``OperationNotAllowed`` (the answer for Flexible scale sets)."""
    return (
        isinstance(error, HttpResponseError)
        and error.status_code in {400, 409}
        and error.code == "OperationNotAllowed"
    )


def _listing(client: Any, rg: str, scale_set: str, lean: bool, careful: bool) -> Any:
    """The VMs of ``scale_set``: lean ``ResourceState`` views (if asked and served), or models.

    ``careful``: one page at a time (no read-ahead).
    """
    lister = getattr(client.scale_set_vms, "_list_states", None) if lean else None
    listing = (
        lister(rg, scale_set) if lister is not None else client.scale_set_vms.list(rg, scale_set)
    )
    return (
        listing.without_read_ahead()
        if careful and hasattr(listing, "without_read_ahead")
        else listing
    )


async def _collect(listing: Any, tally: Tally | None) -> dict[str, Any]:
    """Every item of ``listing`` by instance id; each page counted in ``tally``."""
    found: dict[str, Any] = {}
    by_page = getattr(listing, "by_page", None)
    if by_page is None:
        async for vm in listing:
            found[instance_id_of(vm)] = vm
        if tally is not None:
            tally.add()
        return found
    async for page in by_page():
        if tally is not None:
            tally.add()
        for vm in page:
            found[instance_id_of(vm)] = vm
    return found


async def list_observed(
    client: Any,
    rg: str,
    scale_set: str,
    *,
    lean: bool = False,
    tally: Tally | None = None,
    careful: bool = False,
) -> dict[str, tuple[Observation, Any]]:
    """One list call: every listed VM's observation and model, by instance id.

    ``lean`` reads each VM as a small ``aiovmss._states.ResourceState`` (the fleet waiters)
    instead of its full model; ``tally`` counts the pages requested.

    Raises:
        ListRefusedError: the service refuses the list (Flexible scale sets).
        AzureError: any other failure of the call, unchanged (the caller judges it).
    """
    try:
        found = await _collect(_listing(client, rg, scale_set, lean, careful), tally)
    except Exception as error:
        if _refused(error):
            raise ListRefusedError(str(error)) from error
        raise
    now = client.clock.now()
    # VMs in the same state share one observation: a round of 1,000 VMs makes a handful.
    shared: dict[tuple[str | None, str | None], Observation] = {}
    observed: dict[str, tuple[Observation, Any]] = {}
    for iid, vm in found.items():
        states = state_of(vm)
        observation = shared.get(states)
        if observation is None:
            observation = shared[states] = Observation(
                now, provisioning_state=states[0], deletion_status=states[1], http_status=200
            )
        observed[iid] = (observation, vm)
    return observed


async def list_round(
    client: Any,
    rg: str,
    scale_set: str,
    *,
    lean: bool = False,
    share: FleetShare | None = None,
) -> dict[str, tuple[Observation, Any]] | Observation:
    """One list call for a round: every listed VM, or one no-news observation if it failed.

    In a fleet wait (``share``) the fleet's listings go one at a time, holding one permit of
    its limiter, and its tally counts their pages; while a Compute policy runs low, page by
    page (no read-ahead). One at a time because the client's pacer learns a policy's count
    from answers: listings held by the pacer together would all be let go together, past the
    count (``docs/client/rate-limits.md``). It costs no time the budget would give: the
    Compute provider allows about one list call a second (``docs/fake/limits.md``).

    Raises:
        ListRefusedError: the service refuses the list (Flexible scale sets).
        ResourceNotFoundError: the scale set itself is not there (the caller judges what
            that means for its wait).
        AzureError: a failure no poll should ride out (401, 400, ...).
    """
    try:
        if share is None:
            return await list_observed(client, rg, scale_set, lean=lean)
        async with share.lists, share.limiter:
            careful = policy_low(client, LOW_POLICY_MARGIN)
            return await list_observed(
                client, rg, scale_set, lean=True, tally=share.tally, careful=careful
            )
    except (ListRefusedError, ResourceNotFoundError):
        raise
    except Exception as error:
        return error_observation(error, client.clock.now())


def pick(
    listed: dict[str, tuple[Observation, Any]] | Observation, wanted: Iterable[str], now: float
) -> dict[str, tuple[Observation, Any]]:
    """Each wanted VM's observation from a list round (absent from the list = 404)."""
    if isinstance(listed, Observation):
        return {iid: (listed, None) for iid in wanted}
    gone = (Observation(now, http_status=404), None)
    return {iid: listed.get(iid, gone) for iid in wanted}


def scale_set_missing(
    rg: str,
    scale_set: str,
    code: str,
    *,
    request_id: str | None = None,
    waiting_for: str = "deletion",
) -> ResourceNotFoundError:
    """The error for a scale set that was not there when a wait began (ARM ``code``)."""
    message = (
        f"wait for {waiting_for} in scale set {rg}/{scale_set}: the scale set was not found "
        f"when the wait began (code {code}); there is nothing to wait for"
    )
    return ResourceNotFoundError(
        message,
        status_code=404,
        error=ArmError(code=code, message=message),
        request_id=request_id,
        resource=f"{rg}/{scale_set}",
    )


async def observe_failure(
    client: Any, rg: str, scale_set: str, instance_id: str
) -> tuple[str | None, int | None]:
    """``(error code, attempts)`` of a failed VM: one GET with ``$expand=instanceView``.

    ``(None, None)`` when the GET fails: the failure itself is known already.
    """
    try:
        vm = await client.scale_set_vms.get(rg, scale_set, instance_id, expand="instanceView")
    except AzureError:
        return None, None
    return creation_failure(vm)


async def list_instance_ids(client: Any, rg: str, scale_set: str) -> list[str] | None:
    """Every VM of a Uniform scale set; ``None`` when the list is refused (Flexible).

    Raises:
        ResourceNotFoundError: the scale set is not there.
    """
    try:
        return list(await list_observed(client, rg, scale_set))
    except ListRefusedError:
        return None


async def observe_vms(
    client: Any,
    rg: str,
    scale_set: str,
    instance_ids: list[str],
    *,
    expand: str | None,
    concurrency: int | asyncio.Semaphore,
    tally: Tally | None = None,
) -> dict[str, tuple[Observation, Any]]:
    """GET each VM (at most ``concurrency`` at a time): every one's observation and model."""
    if tally is not None:
        tally.add(len(instance_ids))

    def call(iid: str) -> Callable[[], Awaitable[tuple[Observation, Any]]]:
        return lambda: observe_vm(client, rg, scale_set, iid, expand=expand)

    answers = await gather_bounded([call(iid) for iid in instance_ids], concurrency)
    return dict(zip(instance_ids, answers, strict=True))


async def record_round(
    trackers: Mapping[str, Any],
    observed: dict[str, tuple[Observation, Any]],
    on_poll: OnPoll | None,
) -> float | None:
    """Judge a round's observations in their trackers and tell ``on_poll``.

    Returns the longest Retry-After any answer asked for (``None``: none did).
    """
    shared: dict[Any, Observation] = {}
    # Judged in one synchronous pass with the collector paused (``gc_paused``: a fleet round
    # judges up to 100,000 VMs), then told to ``on_poll`` in the same order.
    with gc_paused():
        judged = [
            (iid, trackers[iid].record(observation, model, shared))
            for iid, (observation, model) in observed.items()
        ]
    if on_poll is not None:
        for iid, observation in judged:
            await notify(on_poll, iid, observation)
    hints = [o.retry_after for _, o in judged if o.retry_after is not None]
    return max(hints, default=None)


async def notify(on_poll: OnPoll | None, name: str, observation: Observation) -> None:
    """Call ``on_poll`` (sync or async) if given."""
    if on_poll is None:
        return
    outcome = on_poll(name, observation)
    if inspect.isawaitable(outcome):
        await outcome


async def gather_bounded(
    calls: Iterable[Callable[[], Awaitable[Any]]], concurrency: int | asyncio.Semaphore
) -> list[Any]:
    """Run ``calls`` with at most ``concurrency`` in flight; the first error is raised.

    A semaphore instead of a number bounds these calls together with others that share it.
    """
    semaphore = (
        concurrency
        if isinstance(concurrency, asyncio.Semaphore)
        else asyncio.Semaphore(max(1, concurrency))
    )

    async def run(call: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await call()

    results = await asyncio.gather(*(run(c) for c in calls), return_exceptions=True)
    for item in results:
        if isinstance(item, BaseException):
            raise item
    return results
