"""Drain: delete VMs of a scale set and report how each deletion really settled."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from aiovmss import ComputeClient
from aiovmss.errors import OperationFailedError
from aiovmss.waiters import wait_for_instances_deleted


async def drain(
    client: ComputeClient, rg: str, scale_set: str, instance_ids: Sequence[str]
) -> dict[str, str]:
    """Delete ``instance_ids`` and wait for them; map each to ``Deleted``, ``Failed`` or
    ``NotFound`` (an id that was not there when the wait began)."""
    poller = await client.scale_sets.begin_delete_instances(rg, scale_set, instance_ids)
    # Wait as soon as the delete is accepted, not after its LRO: a VM the wait never saw is
    # reported NotFound, not Deleted.
    results = await wait_for_instances_deleted(
        client, rg, scale_set, instance_ids, raise_on_failure=False
    )
    # A Failed LRO only means some first attempt failed; Resilient delete went on retrying.
    with contextlib.suppress(OperationFailedError):
        await poller.result()
    return {iid: result.outcome.value for iid, result in results.items()}
