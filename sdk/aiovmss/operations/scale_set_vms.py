"""``client.scale_set_vms``: the VMs of a scale set (virtualMachineScaleSets/virtualMachines)."""

from __future__ import annotations

from typing import Any

from aiovmss._paging import AsyncPaged, model_page_parser
from aiovmss._polling import AsyncLROPoller
from aiovmss.models import VirtualMachineScaleSetVM, VirtualMachineScaleSetVMListResult
from aiovmss.operations._common import (
    OperationContext,
    check_optional_str,
    expand_values,
    force_deletion_param,
    names,
)

__all__ = ["ScaleSetVMsOperations"]

_parse_page = model_page_parser(VirtualMachineScaleSetVMListResult)


class ScaleSetVMsOperations:
    """List, read and delete the VMs of a scale set, with their Resilient delete status."""

    def __init__(self, context: OperationContext) -> None:
        self._ctx = context

    def _path(
        self, resource_group: object, name: object, instance_id: object | None = None
    ) -> tuple[str, str]:
        """``(path, resource)`` of a scale set's VM collection, or of one VM."""
        pairs: list[tuple[str, object]] = [
            ("resource group", resource_group),
            ("scale set name", name),
        ]
        if instance_id is not None:
            pairs.append(("instance id", instance_id))
        parts = names(*pairs)
        path = (
            f"{self._ctx.subscription_path()}/resourceGroups/{parts[0]}"
            f"/providers/Microsoft.Compute/virtualMachineScaleSets/{parts[1]}/virtualMachines"
        )
        if instance_id is None:
            return path, f"{resource_group}/{name}"
        return f"{path}/{parts[2]}", f"{resource_group}/{name}/virtualMachines/{instance_id}"

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
        path, resource = self._path(resource_group, name)
        params = (
            ("$expand", self._check_expand(expand)),
            ("$filter", check_optional_str("filter", filter)),
            ("$select", check_optional_str("select", select)),
        )
        paged: AsyncPaged[Any] = AsyncPaged(
            self._ctx.pipeline,
            self._ctx.url(path, *params),
            _parse_page,
            api_version=self._ctx.api_version.value,
            operation="scale_set_vms.list",
            resource=resource,
        )
        return paged

    async def get(
        self, resource_group: str, name: str, instance_id: str, *, expand: str | None = None
    ) -> VirtualMachineScaleSetVM:
        """GET one VM; ``expand="resiliencyView"`` adds ``resilientVMDeletionStatus``.

        Raises:
            ApiVersionError: ``resiliencyView`` at 2023-07-01 (nothing is sent).
            ResourceNotFoundError: the VM does not exist (or was deleted).
        """
        path, resource = self._path(resource_group, name, instance_id)
        return await self._ctx.pipeline.send_decoded(
            "GET",
            self._ctx.url(path, ("$expand", self._check_expand(expand))),
            VirtualMachineScaleSetVM.from_wire,
            operation="scale_set_vms.get",
            resource=resource,
        )

    async def begin_delete(
        self, resource_group: str, name: str, instance_id: str, *, force_deletion: bool = False
    ) -> AsyncLROPoller[None]:
        """DELETE one VM (``forceDeletion`` always sent); Resilient delete may retry it later."""
        path, resource = self._path(resource_group, name, instance_id)
        return await self._ctx.begin(
            "DELETE",
            self._ctx.url(path, force_deletion_param(force_deletion)),
            operation="scale_set_vms.begin_delete",
            resource=resource,
            result_type=None,
            resource_url=self._ctx.url(path),
        )
