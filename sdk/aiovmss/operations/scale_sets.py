"""``client.scale_sets``: Microsoft.Compute/virtualMachineScaleSets operations.

Each method checks its arguments and hands its operation (``aiovmss._catalog.ScaleSetOps``,
where the wire is declared) to the shared invoke.

The POST actions on VMs (start, power off, reimage, ...) are long-running with no result
(``AsyncLROPoller[None]``). ``instance_ids`` picks the VMs; None (the default) sends no body,
which the service reads as every VM, and an empty list is refused rather than sent (see
``aiovmss._names.validate_instance_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aiovmss._catalog import ScaleSetOps
from aiovmss._operation import Operation
from aiovmss._paging import AsyncPaged
from aiovmss._polling import AsyncLROPoller
from aiovmss._states import STATE_PAGE_PARSER, ResourceState
from aiovmss.models import (
    OSProfileProvisioningData,
    ResiliencyPolicy,
    ResilientVMCreationPolicy,
    ResilientVMDeletionPolicy,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetInstanceView,
    VirtualMachineScaleSetReimageParameters,
    VirtualMachineScaleSetSku,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetUpdateProperties,
)
from aiovmss.operations._common import (
    OperationContext,
    check_bool,
    instance_ids_body,
    reimage_body,
    required_ids_body,
)

__all__ = ["ScaleSetsOperations"]


class ScaleSetsOperations:
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

    def _list_states(self, resource_group: str) -> AsyncPaged[ResourceState]:
        """The scale sets of a resource group, each a lean ``ResourceState`` (for the waiters).

        The same request as :meth:`list`; only the pages' parser differs.
        """
        return self._ctx.paged_with(ScaleSetOps.list, (resource_group,), STATE_PAGE_PARSER)

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
        instance_ids: Iterable[str],
        *,
        force_deletion: bool = False,
    ) -> AsyncLROPoller[None]:
        """Delete some VMs of a scale set (POST ``.../delete`` with ``instanceIds``).

        Raises:
            TypeError: ``instance_ids`` is a str or not iterable, or holds a non-str item.
            ValueError: ``instance_ids`` is empty.
            InvalidNameError: an id is not a safe URL path segment.
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

    async def _act(
        self,
        operation: Operation[None],
        resource_group: str,
        name: str,
        instance_ids: object,
        **params: Any,
    ) -> AsyncLROPoller[None]:
        body = instance_ids_body(instance_ids)
        return await self._ctx.begin(operation, (resource_group, name), body, **params)

    async def begin_start(
        self, resource_group: str, name: str, *, instance_ids: Sequence[str] | None = None
    ) -> AsyncLROPoller[None]:
        """Start the VMs (all of them when ``instance_ids`` is None)."""
        return await self._act(ScaleSetOps.begin_start, resource_group, name, instance_ids)

    async def begin_power_off(
        self,
        resource_group: str,
        name: str,
        *,
        instance_ids: Sequence[str] | None = None,
        skip_shutdown: bool | None = None,
    ) -> AsyncLROPoller[None]:
        """Power the VMs off; they stay allocated and billed (``skip_shutdown``: no guest shutdown).

        Raises:
            TypeError: ``skip_shutdown`` is not a bool (or None).
        """
        operation = ScaleSetOps.begin_power_off
        return await self._act(
            operation, resource_group, name, instance_ids, skip_shutdown=skip_shutdown
        )

    async def begin_deallocate(
        self,
        resource_group: str,
        name: str,
        *,
        instance_ids: Sequence[str] | None = None,
        hibernate: bool | None = None,
    ) -> AsyncLROPoller[None]:
        """Stop and deallocate the VMs (``hibernate=True``: hibernate them instead).

        Raises:
            TypeError: ``hibernate`` is not a bool (or None).
        """
        operation = ScaleSetOps.begin_deallocate
        return await self._act(operation, resource_group, name, instance_ids, hibernate=hibernate)

    async def begin_restart(
        self, resource_group: str, name: str, *, instance_ids: Sequence[str] | None = None
    ) -> AsyncLROPoller[None]:
        """Restart the VMs."""
        return await self._act(ScaleSetOps.begin_restart, resource_group, name, instance_ids)

    async def begin_redeploy(
        self, resource_group: str, name: str, *, instance_ids: Sequence[str] | None = None
    ) -> AsyncLROPoller[None]:
        """Move the VMs to new hosts and power them on again."""
        return await self._act(ScaleSetOps.begin_redeploy, resource_group, name, instance_ids)

    async def begin_perform_maintenance(
        self, resource_group: str, name: str, *, instance_ids: Sequence[str] | None = None
    ) -> AsyncLROPoller[None]:
        """Run the platform maintenance the VMs are eligible for now."""
        operation = ScaleSetOps.begin_perform_maintenance
        return await self._act(operation, resource_group, name, instance_ids)

    async def begin_reimage_all(
        self, resource_group: str, name: str, *, instance_ids: Sequence[str] | None = None
    ) -> AsyncLROPoller[None]:
        """Reimage the VMs' OS disks and data disks."""
        return await self._act(ScaleSetOps.begin_reimage_all, resource_group, name, instance_ids)

    async def begin_approve_rolling_upgrade(
        self, resource_group: str, name: str, *, instance_ids: Sequence[str] | None = None
    ) -> AsyncLROPoller[None]:
        """Approve a pending rolling upgrade of the VMs (api-version 2024-07-01).

        Raises:
            ApiVersionError: at 2023-07-01 (nothing is sent).
        """
        operation = ScaleSetOps.begin_approve_rolling_upgrade
        return await self._act(operation, resource_group, name, instance_ids)

    async def begin_reimage(
        self,
        resource_group: str,
        name: str,
        *,
        instance_ids: Sequence[str] | None = None,
        temp_disk: bool | None = None,
        exact_version: str | None = None,
        os_profile: OSProfileProvisioningData | dict[str, Any] | None = None,
        force_update_os_disk_for_ephemeral: bool | None = None,
    ) -> AsyncLROPoller[None]:
        """Reimage the VMs' OS disks; with no argument given, no body is sent (every VM).

        Args:
            resource_group: the resource group.
            name: the scale set's name.
            instance_ids: the VMs (None: every VM).
            temp_disk: reimage the temp disk too (ephemeral OS disks only).
            exact_version: the image version to reimage to (default: the current one).
            os_profile: a new admin password and/or custom data (secrets, never logged).
            force_update_os_disk_for_ephemeral: api-version 2024-07-01.

        Raises:
            ApiVersionError: ``force_update_os_disk_for_ephemeral`` at 2023-07-01.
            TypeError: an argument of the wrong type.
        """
        body = reimage_body(
            VirtualMachineScaleSetReimageParameters,
            instance_ids=instance_ids,
            temp_disk=temp_disk,
            exact_version=exact_version,
            os_profile=os_profile,
            force_update_os_disk_for_ephemeral=force_update_os_disk_for_ephemeral,
        )
        operation = ScaleSetOps.begin_reimage
        return await self._ctx.begin(operation, (resource_group, name), body)
