"""``client.scale_set_vms``: the VMs of a scale set (virtualMachineScaleSets/virtualMachines).

Each method checks its arguments and hands its operation (``aiovmss._catalog.ScaleSetVMOps``,
where the wire is declared) to the shared invoke.
"""

from __future__ import annotations

from typing import Any

from aiovmss._catalog import ScaleSetVMOps
from aiovmss._operation import Operation
from aiovmss._paging import AsyncPaged
from aiovmss._polling import AsyncLROPoller
from aiovmss._states import STATE_PAGE_PARSER, ResourceState
from aiovmss.models import (
    OSProfileProvisioningData,
    VirtualMachineScaleSetVM,
    VirtualMachineScaleSetVMInstanceView,
    VirtualMachineScaleSetVMReimageParameters,
)
from aiovmss.operations._common import (
    OperationContext,
    check_optional_str,
    expand_values,
    reimage_body,
)

__all__ = ["ScaleSetVMsOperations"]


class ScaleSetVMsOperations:
    """List, read, update and delete the VMs of a scale set; start, stop and reimage one VM."""

    def __init__(self, context: OperationContext) -> None:
        self._ctx = context

    def _check_expand(self, expand: object) -> str | None:
        """``expand`` checked; ``resiliencyView`` needs 2024-07-01 (ApiVersionError)."""
        value = check_optional_str("expand", expand)
        if "resiliencyview" in expand_values(value):
            self._ctx.api_version.require("supports_resiliency_view", "expand='resiliencyView'")
        return value

    def list(
        self,
        resource_group: str,
        name: str,
        *,
        expand: str | None = None,
        filter: str | None = None,
        select: str | None = None,
    ) -> AsyncPaged[VirtualMachineScaleSetVM]:
        """The VMs of a Uniform scale set (``$expand``, ``$filter``, ``$select`` as given).

        At 2024-07-01 each VM carries ``resilientVMDeletionStatus`` without any ``$expand``.
        """
        expand = self._check_expand(expand)
        return self._ctx.paged(
            ScaleSetVMOps.list, (resource_group, name), expand=expand, filter=filter, select=select
        )

    def _list_states(self, resource_group: str, name: str) -> AsyncPaged[ResourceState]:
        """The VMs of a Uniform scale set, each a lean ``ResourceState`` (for the waiters).

        The same request as :meth:`list` without arguments; only the pages' parser differs.
        """
        return self._ctx.paged_with(ScaleSetVMOps.list, (resource_group, name), STATE_PAGE_PARSER)

    async def get(
        self, resource_group: str, name: str, instance_id: str, *, expand: str | None = None
    ) -> VirtualMachineScaleSetVM:
        """GET one VM; ``expand="resiliencyView"`` adds ``resilientVMDeletionStatus``.

        Raises:
            ApiVersionError: ``resiliencyView`` at 2023-07-01 (nothing is sent).
            ResourceNotFoundError: the VM does not exist (or was deleted).
        """
        expand = self._check_expand(expand)
        path_names = (resource_group, name, instance_id)
        return await self._ctx.fetch(ScaleSetVMOps.get, path_names, expand=expand)

    async def get_instance_view(
        self, resource_group: str, name: str, instance_id: str
    ) -> VirtualMachineScaleSetVMInstanceView:
        """The VM's instance view: its statuses (``power_state``), agent, disks, extensions."""
        path_names = (resource_group, name, instance_id)
        return await self._ctx.fetch(ScaleSetVMOps.get_instance_view, path_names)

    async def begin_update(
        self,
        resource_group: str,
        name: str,
        instance_id: str,
        body: VirtualMachineScaleSetVM | dict[str, Any],
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> AsyncLROPoller[VirtualMachineScaleSetVM]:
        """PUT one VM (e.g. its ``protectionPolicy``); the poller's result is the updated VM.

        Read-only members of a VM read by :meth:`get` (``instanceView``, ``sku``, ...) are not
        sent back.

        Raises:
            ApiVersionError: an etag precondition at 2023-07-01 (nothing is sent).
            TypeError: ``body`` is neither a ``VirtualMachineScaleSetVM`` nor a dict.
        """
        return await self._ctx.begin(
            ScaleSetVMOps.begin_update,
            (resource_group, name, instance_id),
            body,
            if_match=if_match,
            if_none_match=if_none_match,
        )

    async def begin_delete(
        self, resource_group: str, name: str, instance_id: str, *, force_deletion: bool = False
    ) -> AsyncLROPoller[None]:
        """DELETE one VM (``forceDeletion`` always sent); Resilient delete may retry it later."""
        path_names = (resource_group, name, instance_id)
        operation = ScaleSetVMOps.begin_delete
        return await self._ctx.begin(operation, path_names, force_deletion=force_deletion)

    async def _act(
        self,
        operation: Operation[None],
        resource_group: str,
        name: str,
        instance_id: str,
        **args: Any,
    ) -> AsyncLROPoller[None]:
        return await self._ctx.begin(operation, (resource_group, name, instance_id), **args)

    async def begin_start(
        self, resource_group: str, name: str, instance_id: str
    ) -> AsyncLROPoller[None]:
        """Start the VM."""
        return await self._act(ScaleSetVMOps.begin_start, resource_group, name, instance_id)

    async def begin_power_off(
        self, resource_group: str, name: str, instance_id: str, *, skip_shutdown: bool | None = None
    ) -> AsyncLROPoller[None]:
        """Power the VM off; it stays allocated (``skip_shutdown``: no guest shutdown)."""
        operation = ScaleSetVMOps.begin_power_off
        return await self._act(
            operation, resource_group, name, instance_id, skip_shutdown=skip_shutdown
        )

    async def begin_deallocate(
        self, resource_group: str, name: str, instance_id: str
    ) -> AsyncLROPoller[None]:
        """Stop and deallocate the VM (its compute is released, its disks kept)."""
        return await self._act(ScaleSetVMOps.begin_deallocate, resource_group, name, instance_id)

    async def begin_restart(
        self, resource_group: str, name: str, instance_id: str
    ) -> AsyncLROPoller[None]:
        """Restart the VM."""
        return await self._act(ScaleSetVMOps.begin_restart, resource_group, name, instance_id)

    async def begin_redeploy(
        self, resource_group: str, name: str, instance_id: str
    ) -> AsyncLROPoller[None]:
        """Move the VM to a new host and power it on again."""
        return await self._act(ScaleSetVMOps.begin_redeploy, resource_group, name, instance_id)

    async def begin_reimage_all(
        self, resource_group: str, name: str, instance_id: str
    ) -> AsyncLROPoller[None]:
        """Reimage the VM's OS disk and data disks."""
        return await self._act(ScaleSetVMOps.begin_reimage_all, resource_group, name, instance_id)

    async def begin_reimage(
        self,
        resource_group: str,
        name: str,
        instance_id: str,
        *,
        temp_disk: bool | None = None,
        exact_version: str | None = None,
        os_profile: OSProfileProvisioningData | dict[str, Any] | None = None,
        force_update_os_disk_for_ephemeral: bool | None = None,
    ) -> AsyncLROPoller[None]:
        """Reimage the VM's OS disk; with no argument given, no body is sent.

        Raises:
            ApiVersionError: ``force_update_os_disk_for_ephemeral`` at 2023-07-01.
            TypeError: an argument of the wrong type.
        """
        body = reimage_body(
            VirtualMachineScaleSetVMReimageParameters,
            temp_disk=temp_disk,
            exact_version=exact_version,
            os_profile=os_profile,
            force_update_os_disk_for_ephemeral=force_update_os_disk_for_ephemeral,
        )
        operation = ScaleSetVMOps.begin_reimage
        return await self._act(operation, resource_group, name, instance_id, body=body)
