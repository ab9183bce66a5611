"""List results: one page of ``value`` items and the absolute ``nextLink`` of the next page."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import Field

from aiovmss.models._base import ArmModel
from aiovmss.models.scale_set import VirtualMachineScaleSet
from aiovmss.models.vm import VirtualMachineScaleSetVM

__all__ = ["Page", "VirtualMachineScaleSetListResult", "VirtualMachineScaleSetVMListResult"]

T = TypeVar("T", bound=ArmModel)


class Page(ArmModel, Generic[T]):
    """One page of a list: ``Page[VirtualMachineScaleSetVM].from_wire(body)``."""

    value: list[T] = Field(default_factory=list)
    next_link: str | None = None


class VirtualMachineScaleSetListResult(Page[VirtualMachineScaleSet]):
    """A page of scale sets."""


class VirtualMachineScaleSetVMListResult(Page[VirtualMachineScaleSetVM]):
    """A page of scale set VMs."""
