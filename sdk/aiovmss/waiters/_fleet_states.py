"""A fleet round's first step: the scale sets' own states, one list call per resource group.

A scale set whose own ``provisioningState`` says its VMs' operation still runs (``Creating`` or
``Updating`` while VMs are created, ``Deleting`` while the scale set is deleted) needs no list
of its VMs this round: Resilient create and delete keep the scale set in that state until every
VM has settled (``docs/fake/emulation.md``). Any other answer opens the gate, so a service that
ends the scale set's state earlier costs nothing but the list this would have saved
(``docs/waiters.md``, "Fleets").

Once a scale set being created leaves that state, its instance view's counts can say at once
that every VM in it succeeded (``every_vm_succeeded``): one GET instead of a list of every page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from enum import StrEnum
from functools import partial
from typing import Any

from aiovmss.errors import ResourceNotFoundError
from aiovmss.waiters._decisions import normalise
from aiovmss.waiters._observe import (
    FleetShare,
    error_observation,
    gather_bounded,
    observe_scale_set,
)
from aiovmss.waiters._results import Observation

__all__ = [
    "BUSY_CREATING",
    "BUSY_DELETING",
    "Gate",
    "Key",
    "ScaleSetStates",
    "every_vm_succeeded",
    "gate",
    "list_resource_group",
    "read_counts",
]

#: A scale set, as the caller names it: ``(resource group, scale set name)``.
Key = tuple[str, str]

#: Scale set states that mean its VMs' create (a new scale set, or a scale-out) still runs.
BUSY_CREATING = frozenset({"creating", "updating"})
#: The scale set state that means its delete still runs.
BUSY_DELETING = frozenset({"deleting"})

_NOT_FOUND = "ResourceNotFound"
_PROVISIONING = "provisioningstate/"
_SUCCEEDED = "provisioningstate/succeeded"


class Gate(StrEnum):
    """What a scale set's own state means for listing its VMs this round."""

    BUSY = "Busy"  # its operation still runs: nothing to judge yet
    GONE = "Gone"  # 404: the scale set is not there
    OPEN = "Open"  # anything else: list its VMs
    NO_NEWS = "NoNews"  # the read failed (throttled, 5xx): skip it this round


def gate(observation: Observation, busy: frozenset[str]) -> Gate:
    """The gate for one scale set from the observation of its own state."""
    if observation.http_status == 404:
        return Gate.GONE
    if observation.http_status != 200:
        return Gate.NO_NEWS
    return Gate.BUSY if normalise(observation.provisioning_state) in busy else Gate.OPEN


def list_resource_group(wanted: int, last_pages: int) -> bool:
    """Whether one list of the resource group costs less than a GET of each wanted scale set."""
    return wanted > 1 and last_pages <= wanted


def every_vm_succeeded(counts: Mapping[str, int], watched: int) -> bool:
    """Whether a scale set's status counts say every VM in it succeeded.

    ``counts`` is ``VirtualMachineScaleSetInstanceView.status_counts``: true when its
    ``ProvisioningState/...`` codes are all ``succeeded`` (any case) and count at least
    ``watched`` VMs, and at least one.
    """
    succeeded = 0
    for code, count in counts.items():
        lowered = code.lower()
        if lowered == _SUCCEEDED:
            succeeded += count
        elif lowered.startswith(_PROVISIONING):
            return False
    return succeeded >= max(watched, 1)


async def read_counts(
    client: Any, rg: str, scale_set: str, share: FleetShare
) -> dict[str, int] | None:
    """The scale set's VM counts by status code (its instance view); ``None``: no news.

    Raises:
        AzureError: a failure no poll should ride out (401, 403, ...).
    """
    get_instance_view = getattr(client.scale_sets, "get_instance_view", None)
    if get_instance_view is None:
        return None
    async with share.limiter:
        share.tally.add()
        try:
            view = await get_instance_view(rg, scale_set)
        except Exception as error:
            error_observation(error, client.clock.now())  # raises what no poll rides out
            return None
    counts: dict[str, int] = view.status_counts
    return counts


def _key(rg: str, name: str) -> tuple[str, str]:
    return rg.lower(), name.lower()


class ScaleSetStates:
    """Reads the states of many scale sets: a list per resource group, or a GET each."""

    def __init__(self, client: Any, share: FleetShare) -> None:
        self.client, self.share = client, share
        self.pages: dict[str, int] = {}  # pages the last list of each resource group took

    async def read(self, keys: Iterable[Key]) -> dict[Key, Observation]:
        """Each scale set's own state as an observation (404 when not there).

        Raises:
            AzureError: a failure no poll should ride out (401, 403, ...).
        """
        groups: dict[str, list[Key]] = {}
        for key in keys:
            groups.setdefault(key[0].lower(), []).append(key)
        calls: list[Callable[[], Awaitable[dict[Key, Observation]]]] = []
        listing = getattr(self.client.scale_sets, "_list_states", None)
        for rg, members in groups.items():
            if listing is not None and list_resource_group(len(members), self.pages.get(rg, 1)):
                calls.append(partial(self._by_list, members))
            else:
                calls.extend(partial(self._by_get, key) for key in members)
        states: dict[Key, Observation] = {}
        for answer in await gather_bounded(calls, len(calls) or 1):  # the limiter bounds them
            states.update(answer)
        return states

    async def _by_get(self, key: Key) -> dict[Key, Observation]:
        async with self.share.limiter:
            self.share.tally.add()
            observation, _ = await observe_scale_set(self.client, key[0], key[1])
        return {key: observation}

    async def _by_list(self, members: list[Key]) -> dict[Key, Observation]:
        rg = members[0][0]
        async with self.share.limiter:
            try:
                found = await self._list(rg)
            except ResourceNotFoundError as error:  # the resource group itself is gone
                gone = Observation(self.client.clock.now(), http_status=404, error_code=error.code)
                return dict.fromkeys(members, gone)
            except Exception as error:
                return dict.fromkeys(members, error_observation(error, self.client.clock.now()))
        now = self.client.clock.now()
        absent = Observation(now, http_status=404, error_code=_NOT_FOUND)
        return {key: found.get(_key(*key), absent) for key in members}

    async def _list(self, rg: str) -> dict[tuple[str, str], Observation]:
        now, pages = self.client.clock.now(), 0
        found: dict[tuple[str, str], Observation] = {}
        async for page in self.client.scale_sets._list_states(rg).by_page():
            pages += 1
            self.share.tally.add()
            for item in page:
                found[_key(rg, item.name or "")] = Observation(
                    now, provisioning_state=item.provisioning_state, http_status=200
                )
        self.pages[rg.lower()] = pages
        return found
