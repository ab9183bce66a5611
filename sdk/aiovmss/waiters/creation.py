"""Wait until a VM or a scale set has settled after create (Resilient create included).

Under Resilient create a VM shows ``Creating`` through every retry, for up to 30 minutes, and
the scale set stays ``Creating``/``Updating`` until all its new VMs have settled. These waiters
poll ``provisioningState`` until it reads ``Succeeded`` or ``Failed``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiovmss.errors import VMCreationFailedError, WaitTimeoutError
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
    "wait_for_scale_set_provisioning",
    "wait_for_vm_creation",
]

#: Default deadline of a creation wait: an hour, twice Resilient create's 30-minute bound.
DEFAULT_CREATE_TIMEOUT = 3600.0
#: Default pause between polls (stretched by a longer Retry-After).
DEFAULT_CREATE_POLL_INTERVAL = 30.0


async def _settle(
    client: Any,
    name: str,
    where: str,
    observe: Callable[[], Awaitable[tuple[Observation, Any]]],
    *,
    on_poll: OnPoll | None,
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
        raise VMCreationFailedError(
            f"wait for creation of {where}: provisioningState {state} after "
            f"{result.polls} polls, {result.elapsed:.0f} s",
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
        VMCreationFailedError: the VM settled ``Failed``; ``.result`` is the ``CreationResult``.
        WaitTimeoutError: not settled within ``timeout`` seconds on the client's clock.
    """

    def observe() -> Awaitable[tuple[Observation, Any]]:
        return observe_vm(client, rg, scale_set, instance_id, expand=None)

    return await _settle(
        client,
        instance_id,
        f"VM {instance_id} of {rg}/{scale_set}",
        observe,
        on_poll=on_poll,
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
