"""The POST actions of ``client.scale_sets`` on some or all of a scale set's VMs.

Each is a long-running operation with no result (``AsyncLROPoller[None]``). ``instance_ids``
picks the VMs; None (the default) sends no body, which the service reads as every VM, and an
empty list is refused rather than sent (see ``aiovmss._names.validate_instance_ids``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiovmss._catalog import ScaleSetOps
from aiovmss._operation import Operation
from aiovmss._polling import AsyncLROPoller
from aiovmss.models import OSProfileProvisioningData, VirtualMachineScaleSetReimageParameters
from aiovmss.operations._common import OperationContext, instance_ids_body, reimage_body

__all__ = ["ScaleSetActions"]


class ScaleSetActions:
    """Power, reimage, redeploy, maintenance and rolling-upgrade actions of a scale set."""

    _ctx: OperationContext

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
