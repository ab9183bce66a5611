"""A lean view of listed VMs and scale sets: the few fields the waiters judge by, nothing else.

The public listings (``client.scale_set_vms.list``, ``client.scale_sets.list``) validate every
item into its full typed model. A fleet waiter lists every scale set of the fleet each round and
reads three fields of each VM, so it parses the same pages into these small models instead:
unknown fields are ignored, not kept, and nothing is nested deeper than ``properties``
(``benchmarks/fleet_bench.py``: about 5x less CPU a page than the full models, and a few hundred
bytes a VM held instead of a few kilobytes). Same requests, paging, origin checks and retries:
only the page parser differs (``OperationContext.paged_with``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aiovmss._paging import PageParser, model_page_parser

__all__ = ["STATE_PAGE_PARSER", "ResourceState", "ResourceStatePage", "StateProperties"]


class _Lean(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        populate_by_name=True,
        hide_input_in_errors=True,
        defer_build=True,
    )


class StateProperties(_Lean):
    """``properties`` of a listed VM or scale set: its provisioning and deletion states."""

    provisioning_state: str | None = Field(default=None, alias="provisioningState")
    resilient_vm_deletion_status: str | None = Field(
        default=None, alias="resilientVMDeletionStatus"
    )


class ResourceState(_Lean):
    """A listed VM or scale set, lean: name, instance id (VMs), states.

    Read like the full models: ``state.properties.provisioning_state``, ``state.instance_id``.
    """

    name: str | None = None
    instance_id: str = Field(default="", alias="instanceId")
    properties: StateProperties | None = None

    @property
    def provisioning_state(self) -> str | None:
        """``properties.provisioningState`` (``None`` when absent)."""
        return None if self.properties is None else self.properties.provisioning_state

    @property
    def resilient_vm_deletion_status(self) -> str | None:
        """``properties.resilientVMDeletionStatus`` (``None`` when absent)."""
        props = self.properties
        return None if props is None else props.resilient_vm_deletion_status


class ResourceStatePage(_Lean):
    """One page of a listing, lean."""

    value: list[ResourceState] = Field(default_factory=list)
    next_link: str | None = Field(default=None, alias="nextLink")


#: Parses a list page into ``ResourceState`` items (with the GC paused, as the full parser).
STATE_PAGE_PARSER: PageParser[ResourceState] = model_page_parser(ResourceStatePage)
