"""The SKUs a scale set may be resized to (``list_skus``)."""

from __future__ import annotations

from aiovmss.models._base import ArmModel
from aiovmss.models._enums import EnumOrStr, VirtualMachineScaleSetSkuScaleType
from aiovmss.models.paging import Page
from aiovmss.models.scale_set import Sku

__all__ = [
    "VirtualMachineScaleSetListSkusResult",
    "VirtualMachineScaleSetSku",
    "VirtualMachineScaleSetSkuCapacity",
]


class VirtualMachineScaleSetSkuCapacity(ArmModel):
    """How far a SKU scales: ``minimum``, ``maximum``, ``default_capacity``, ``scale_type``."""

    minimum: int | None = None
    maximum: int | None = None
    default_capacity: int | None = None
    scale_type: EnumOrStr[VirtualMachineScaleSetSkuScaleType] | None = None


class VirtualMachineScaleSetSku(ArmModel):
    """One available SKU: the resource type, the ``sku`` (name, tier) and its ``capacity``."""

    resource_type: str | None = None
    sku: Sku | None = None
    capacity: VirtualMachineScaleSetSkuCapacity | None = None


class VirtualMachineScaleSetListSkusResult(Page[VirtualMachineScaleSetSku]):
    """A page of available SKUs."""
