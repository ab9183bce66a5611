"""Wait until a VM or a scale set has settled after create (Resilient create included).

Under Resilient create a VM shows ``Creating`` through every retry, for up to 30 minutes, and
the scale set stays ``Creating``/``Updating`` until all its new VMs have settled. These waiters
poll ``provisioningState`` until it reads ``Succeeded`` or ``Failed``; a VM that failed is
asked once more, for its instance view, so the error names the ARM code and attempt count.
``wait_for_instances_created`` waits for a whole scale-out, finding the new VMs itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from aiovmss._names import validate_instance_ids, validate_name
from aiovmss.errors import VMCreationFailedError, WaitTimeoutError
from aiovmss.waiters._creation_watch import CreationWatch, add_failure_details, describe_failure
from aiovmss.waiters._decisions import CreationTracker
from aiovmss.waiters._observe import OnPoll, notify, observe_scale_set, observe_vm
from aiovmss.waiters._polling import BeforeSleep, Round, poll_until_settled, unsettled_reason
from aiovmss.waiters._results import CreationOutcome, CreationResult, Observation
from aiovmss.waiters.strategies import RetryIfCreationInProgress

if TYPE_CHECKING:
    from aiovmss._client import ComputeClient

__all__ = [
    "DEFAULT_CREATE_POLL_INTERVAL",
    "DEFAULT_CREATE_TIMEOUT",
    "wait_for_instances_created",
    "wait_for_scale_set_provisioning",
    "wait_for_vm_creation",
]

#: Default deadline of a creation wait: an hour, twice Resilient create's 30-minute bound.
DEFAULT_CREATE_TIMEOUT = 3600.0
#: Default pause between polls (stretched by a longer Retry-After).
DEFAULT_CREATE_POLL_INTERVAL = 30.0

#: Fills a failed result's ``error_code`` and ``attempts`` (a VM's; nothing for a scale set).
Details = Callable[[CreationResult], Awaitable[None]]


async def _settle(
    client: Any,
    name: str,
    where: str,
    observe: Callable[[], Awaitable[tuple[Observation, Any]]],
    *,
    on_poll: OnPoll | None,
    details: Details | None = None,
    **loop: Any,
) -> CreationResult:
    """Poll ``observe`` until settled; raise on failure or timeout."""
    start = client.clock.now()
    tracker = CreationTracker(name, start)

    async def poll() -> Round:
        observation, model = await observe()
        judged = tracker.record(observation, model)
        await notify(on_poll, name, judged)
        return Round(judged.verdict, judged.retry_after)

    await poll_until_settled(
        client.clock, poll, retry=RetryIfCreationInProgress(), start=start, **loop
    )
    result = tracker.result(client.clock.now())
    state = result.history[-1].provisioning_state if result.history else None
    if result.outcome is CreationOutcome.TIMED_OUT:
        raise WaitTimeoutError(
            f"wait for creation of {where}: "
            f"{unsettled_reason(loop['timeout'], loop.get('max_polls'), result.polls)} "
            f"(provisioningState {state}; {result.polls} polls)",
            result=result,
        )
    if result.outcome is CreationOutcome.FAILED:
        if details is not None:
            await details(result)
        raise VMCreationFailedError(
            f"wait for creation of {where}: provisioningState {state} ({describe_failure(result)})",
            result=result,
        )
    return result


async def wait_for_vm_creation(
    client: ComputeClient,
    rg: str,
    scale_set: str,
    instance_id: str,
    *,
    timeout: float = DEFAULT_CREATE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_CREATE_POLL_INTERVAL,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    max_polls: int | None = None,
) -> CreationResult:
    """Poll one VM until ``provisioningState`` is ``Succeeded`` (returned) or ``Failed``.

    A 404 (the VM not there yet) and transient errors keep it polling.

    Raises:
        TypeError, InvalidNameError: a name or the instance id is not a valid str.
        VMCreationFailedError: the VM settled ``Failed``; ``.result`` is the ``CreationResult``,
            whose ``error_code`` and ``attempts`` (also in the message) come from one GET of
            the VM's instance view, when the service provides them.
        WaitTimeoutError: not settled within ``timeout`` seconds on the client's clock.
    """
    validate_name("resource group", rg)
    validate_name("scale set name", scale_set)
    validate_name("instance_id", instance_id)

    def observe() -> Awaitable[tuple[Observation, Any]]:
        return observe_vm(client, rg, scale_set, instance_id, expand=None)

    def details(result: CreationResult) -> Awaitable[None]:
        return add_failure_details(client, rg, scale_set, [result], 1)

    return await _settle(
        client,
        instance_id,
        f"VM {instance_id} of {rg}/{scale_set}",
        observe,
        on_poll=on_poll,
        details=details,
        timeout=timeout,
        poll_interval=poll_interval,
        before_sleep=before_sleep,
        max_polls=max_polls,
    )


async def wait_for_scale_set_provisioning(
    client: ComputeClient,
    rg: str,
    scale_set: str,
    *,
    timeout: float = DEFAULT_CREATE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_CREATE_POLL_INTERVAL,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    max_polls: int | None = None,
) -> CreationResult:
    """Poll a scale set until ``provisioningState`` is ``Succeeded`` (returned) or ``Failed``.

    Raises:
        VMCreationFailedError: the scale set settled ``Failed`` (some VM failed to create).
        WaitTimeoutError: not settled within ``timeout`` seconds on the client's clock.
    """
    validate_name("resource group", rg)
    validate_name("scale set name", scale_set)

    def observe() -> Awaitable[tuple[Observation, Any]]:
        return observe_scale_set(client, rg, scale_set)

    return await _settle(
        client,
        scale_set,
        f"scale set {rg}/{scale_set}",
        observe,
        on_poll=on_poll,
        timeout=timeout,
        poll_interval=poll_interval,
        before_sleep=before_sleep,
        max_polls=max_polls,
    )


async def wait_for_instances_created(
    client: ComputeClient,
    rg: str,
    scale_set: str,
    instance_ids: Iterable[str] | None = None,
    *,
    since: Iterable[str] | None = None,
    count: int | None = None,
    timeout: float = DEFAULT_CREATE_TIMEOUT,  # noqa: ASYNC109 - a deadline on the client clock
    poll_interval: float = DEFAULT_CREATE_POLL_INTERVAL,
    concurrency: int = 16,
    on_poll: OnPoll | None = None,
    before_sleep: BeforeSleep | None = None,
    max_polls: int | None = None,
    raise_on_failure: bool = True,
    orchestration_mode: str | None = None,
) -> dict[str, CreationResult]:
    """Wait for a scale-out (or a new scale set): every new VM until it settled.

    Pass the new VMs' ``instance_ids``, or let the wait find them: ``since`` is the instance
    ids that existed before the scale-out (``()`` for a new scale set), and every VM a list
    shows that is not among them is new. Take ``since`` from a list before you scale::

        since = [vm.instance_id async for vm in client.scale_set_vms.list(rg, name)]
        await client.scale_sets.begin_update(rg, name, {"sku": {"capacity": len(since) + 5}})
        results = await wait_for_instances_created(client, rg, name, since=since, count=5)

    A Uniform scale set is watched with one list call per round; a Flexible one (whose VMs
    cannot be listed: pass ``instance_ids``) with per-VM GETs, at most ``concurrency`` at a
    time. Without ``count`` the wait ends once at least one new VM was found and every new VM
    settled; with it, once ``count`` were found. A VM not there yet keeps it polling.

    Args:
        client: an ``aiovmss.ComputeClient``; its clock drives every sleep and the deadline.
        rg: the resource group.
        scale_set: the scale set's name.
        instance_ids: the VMs to wait for; ``None`` to find the new ones (needs ``since``).
        since: the instance ids that existed before; only without ``instance_ids``.
        count: how many new VMs to expect, when finding them.
        timeout: seconds on the client's clock before ``WaitTimeoutError``.
        poll_interval: seconds between rounds (longer when the server asks with Retry-After).
        concurrency: per-VM GETs in flight at most (Flexible).
        on_poll: ``on_poll(instance_id, observation)`` after each VM's poll (sync or async).
        before_sleep: tenacity's ``before_sleep`` hook.
        max_polls: stop after this many rounds (``WaitTimeoutError``).
        raise_on_failure: raise ``VMCreationFailedError`` when a VM settled ``Failed``.
        orchestration_mode: ``"Flexible"`` skips the list call that would be refused.

    Returns:
        Each VM's ``CreationResult`` by instance id; a failed one names its ARM error code and
        attempt count (``error_code``, ``attempts``) when the service provides them.

    Raises:
        TypeError: both or neither of ``instance_ids`` and ``since``; a str where a list of ids
            is expected, or a non-str id. ValueError: ``count`` below 1, or finding new VMs of a
            Flexible scale set. InvalidNameError: a name that is unsafe in a URL.
        ResourceNotFoundError: the scale set was not there when the wait began.
        VMCreationFailedError: some VM settled ``Failed`` (unless ``raise_on_failure=False``);
            ``.result`` is the dict of every VM's ``CreationResult``.
        WaitTimeoutError: not settled in time; ``.result`` as above.
    """
    validate_name("resource group", rg)
    validate_name("scale set name", scale_set)
    ids, known = _creation_targets(instance_ids, since, count, orchestration_mode)
    start = client.clock.now()
    watch = CreationWatch(
        client, rg, scale_set, ids, since=known, count=count, concurrency=concurrency,
        on_poll=on_poll, use_list=(orchestration_mode or "").lower() != "flexible", start=start,
    )  # fmt: skip
    if not watch.complete():
        await poll_until_settled(
            client.clock, watch.poll, retry=RetryIfCreationInProgress(), timeout=timeout,
            poll_interval=poll_interval, start=start, max_polls=max_polls,
            before_sleep=before_sleep,
        )  # fmt: skip
    if watch.missing is not None:
        raise watch.missing
    results = watch.results()
    await add_failure_details(client, rg, scale_set, results.values(), concurrency)
    where = f"VMs of {rg}/{scale_set}"
    _raise_unsettled(watch, results, where, raise_on_failure, timeout, max_polls)
    return results


def _creation_targets(
    instance_ids: Iterable[str] | None,
    since: Iterable[str] | None,
    count: int | None,
    orchestration_mode: str | None,
) -> tuple[list[str], frozenset[str] | None]:
    """``(ids to watch from the start, since)``: checked before anything is sent."""
    if (instance_ids is None) == (since is None):
        raise TypeError(
            "pass instance_ids (the new VMs) or since= (the instance ids that existed before "
            "the scale-out; () for a new scale set), not both or neither"
        )
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise TypeError(f"count must be an int, not {type(count).__name__}")
    if count is not None and count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    if instance_ids is not None:
        ids = validate_instance_ids("instance_ids", instance_ids, allow_empty=True)
        return list(dict.fromkeys(ids)), None
    if (orchestration_mode or "").lower() == "flexible":
        raise ValueError("the VMs of a Flexible scale set cannot be listed: pass instance_ids")
    return [], frozenset(validate_instance_ids("since", since, allow_empty=True))


def _raise_unsettled(
    watch: CreationWatch,
    results: dict[str, CreationResult],
    where: str,
    fail: bool,
    timeout: float,
    max_polls: int | None,
) -> None:
    """Raise ``WaitTimeoutError`` (not settled, or too few new VMs) or ``VMCreationFailedError``."""
    late = [r for r in results.values() if r.outcome is CreationOutcome.TIMED_OUT]
    if late or not watch.complete():
        reason = unsettled_reason(timeout, max_polls, watch.rounds)
        names = ", ".join(r.name for r in late[:10]) or "none pending"
        expected = "" if watch.since is None else f"; {len(results)} new VMs found"
        raise WaitTimeoutError(
            f"wait for creation of {where}: {reason} ({names}{expected})", result=results
        )
    failed = [r for r in results.values() if r.outcome is CreationOutcome.FAILED]
    if failed and fail:
        names = "; ".join(f"VM {r.name} ({describe_failure(r)})" for r in failed[:5])
        raise VMCreationFailedError(
            f"wait for creation of {where}: {len(failed)} of {len(results)} VMs failed: {names}",
            result=results,
        )
