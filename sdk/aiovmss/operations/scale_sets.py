"""``client.scale_sets``: Microsoft.Compute/virtualMachineScaleSets operations.

Each method checks its arguments and hands its operation (``aiovmss._catalog.ScaleSetOps``,
where the wire is declared) to the shared invoke; the actions on VMs live in
:class:`~aiovmss.operations._scale_set_actions.ScaleSetActions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiovmss._catalog import ScaleSetOps
from aiovmss._paging import AsyncPaged
from aiovmss._polling import AsyncLROPoller
from aiovmss.models import (
    ResiliencyPolicy,
    ResilientVMCreationPolicy,
    ResilientVMDeletionPolicy,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetInstanceView,
    VirtualMachineScaleSetSku,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetUpdateProperties,
)
from aiovmss.operations._common import OperationContext, check_bool, required_ids_body
from aiovmss.operations._scale_set_actions import ScaleSetActions

__all__ = ["ScaleSetsOperations"]


class ScaleSetsOperations(ScaleSetActions):
    """Create, update, read, list and delete scale sets; start, stop, reimage and upgrade VMs."""

    def __init__(self, context: OperationContext) -> None:
        self._ctx = context

    async def begin_create_or_update(
        self,
        resource_group: str,
        name: str,
        body: VirtualMachineScaleSet | dict[str, Any],
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> AsyncLROPoller[VirtualMachineScaleSet]:
        """PUT a scale set; the poller's result is the scale set once provisioned.

        Args:
            resource_group: the resource group.
            name: the scale set's name.
            body: a ``VirtualMachineScaleSet`` or a dict (validated into one first).
            if_match: only if the scale set's etag matches (api-version 2024-07-01).
            if_none_match: ``"*"`` to create only, never overwrite (api-version 2024-07-01).

        Raises:
            ApiVersionError: an etag precondition at 2023-07-01 (nothing is sent).
        """
        return await self._ctx.begin(
            ScaleSetOps.begin_create_or_update,
            (resource_group, name),
            body,
            if_match=if_match,
            if_none_match=if_none_match,
        )

    async def begin_update(
        self,
        resource_group: str,
        name: str,
        body: VirtualMachineScaleSetUpdate | dict[str, Any],
        *,
        if_match: str | None = None,
    ) -> AsyncLROPoller[VirtualMachineScaleSet]:
        """PATCH a scale set with a ``VirtualMachineScaleSetUpdate`` (or dict)."""
        operation = ScaleSetOps.begin_update
        return await self._ctx.begin(operation, (resource_group, name), body, if_match=if_match)

    async def begin_set_resiliency_policy(
        self,
        resource_group: str,
        name: str,
        *,
        resilient_vm_creation: bool | None = None,
        resilient_vm_deletion: bool | None = None,
    ) -> AsyncLROPoller[VirtualMachineScaleSet]:
        """Turn Resilient create and/or delete on or off (PATCH of only the policy).

        The equivalent of ``az vmss update --enable-resilient-creation``; a policy left None is
        not sent, so the service keeps its current value.

        Raises:
            ValueError: both are None.
        """
        if resilient_vm_creation is None and resilient_vm_deletion is None:
            raise ValueError("give resilient_vm_creation, resilient_vm_deletion or both")
        policy = ResiliencyPolicy()
        if resilient_vm_creation is not None:
            enabled = check_bool("resilient_vm_creation", resilient_vm_creation)
            policy.resilient_vm_creation_policy = ResilientVMCreationPolicy(enabled=enabled)
        if resilient_vm_deletion is not None:
            enabled = check_bool("resilient_vm_deletion", resilient_vm_deletion)
            policy.resilient_vm_deletion_policy = ResilientVMDeletionPolicy(enabled=enabled)
        update = VirtualMachineScaleSetUpdate(
            properties=VirtualMachineScaleSetUpdateProperties(resiliency_policy=policy)
        )
        operation = ScaleSetOps.begin_set_resiliency_policy
        return await self._ctx.begin(operation, (resource_group, name), update)

    async def get(
        self, resource_group: str, name: str, *, expand: str | None = None
    ) -> VirtualMachineScaleSet:
        """GET one scale set (``expand="userData"`` to include it)."""
        return await self._ctx.fetch(ScaleSetOps.get, (resource_group, name), expand=expand)

    async def get_instance_view(
        self, resource_group: str, name: str
    ) -> VirtualMachineScaleSetInstanceView:
        """The scale set's instance view: VM counts by status code (``status_counts``)."""
        return await self._ctx.fetch(ScaleSetOps.get_instance_view, (resource_group, name))

    def list(self, resource_group: str) -> AsyncPaged[VirtualMachineScaleSet]:
        """The scale sets of a resource group (``async for``; requests start on iteration)."""
        return self._ctx.paged(ScaleSetOps.list, (resource_group,))

    def list_all(self) -> AsyncPaged[VirtualMachineScaleSet]:
        """Every scale set of the subscription."""
        return self._ctx.paged(ScaleSetOps.list_all, ())

    def list_skus(self, resource_group: str, name: str) -> AsyncPaged[VirtualMachineScaleSetSku]:
        """The SKUs the scale set may be resized to, with their capacity limits."""
        return self._ctx.paged(ScaleSetOps.list_skus, (resource_group, name))

    async def begin_delete(
        self, resource_group: str, name: str, *, force_deletion: bool = False
    ) -> AsyncLROPoller[None]:
        """DELETE a scale set and all its VMs (``forceDeletion`` is always sent)."""
        operation = ScaleSetOps.begin_delete
        return await self._ctx.begin(
            operation, (resource_group, name), force_deletion=force_deletion
        )

    async def begin_delete_instances(
        self,
        resource_group: str,
        name: str,
        instance_ids: Sequence[str],
        *,
        force_deletion: bool = False,
    ) -> AsyncLROPoller[None]:
        """Delete some VMs of a scale set (POST ``.../delete`` with ``instanceIds``).

        Raises:
            TypeError: ``instance_ids`` is not a list (or tuple) of str.
            ValueError: ``instance_ids`` is empty.
        """
        return await self._ctx.begin(
            ScaleSetOps.begin_delete_instances,
            (resource_group, name),
            required_ids_body(instance_ids),
            force_deletion=force_deletion,
        )

    async def begin_update_instances(
        self, resource_group: str, name: str, instance_ids: Sequence[str]
    ) -> AsyncLROPoller[None]:
        """Bring these VMs to the scale set's latest model (a Manual upgrade: ``manualupgrade``).

        Raises:
            TypeError: ``instance_ids`` is not a list (or tuple) of str.
            ValueError: ``instance_ids`` is empty.
        """
        body = required_ids_body(instance_ids)
        operation = ScaleSetOps.begin_update_instances
        return await self._ctx.begin(operation, (resource_group, name), body)
