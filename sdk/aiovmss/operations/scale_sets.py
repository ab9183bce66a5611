"""``client.scale_sets``: Microsoft.Compute/virtualMachineScaleSets operations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiovmss._names import validate_instance_ids
from aiovmss._paging import AsyncPaged, model_page_parser
from aiovmss._polling import AsyncLROPoller
from aiovmss.models import (
    ResiliencyPolicy,
    ResilientVMCreationPolicy,
    ResilientVMDeletionPolicy,
    VirtualMachineScaleSet,
    VirtualMachineScaleSetListResult,
    VirtualMachineScaleSetUpdate,
    VirtualMachineScaleSetUpdateProperties,
)
from aiovmss.operations._common import (
    OperationContext,
    check_bool,
    check_optional_str,
    coerce_body,
    force_deletion_param,
    names,
)

__all__ = ["ScaleSetsOperations"]

_PROVIDER = "/providers/Microsoft.Compute/virtualMachineScaleSets"
_RESULT = "VirtualMachineScaleSet"
_parse_page = model_page_parser(VirtualMachineScaleSetListResult)


class ScaleSetsOperations:
    """Create, update, read, list and delete scale sets, and set their resiliency policy."""

    def __init__(self, context: OperationContext) -> None:
        self._ctx = context

    def _path(self, resource_group: object, name: object | None = None) -> tuple[str, str]:
        """``(path, resource)`` of a resource group's scale sets, or of one scale set."""
        pairs: list[tuple[str, object]] = [("resource group", resource_group)]
        if name is not None:
            pairs.append(("scale set name", name))
        parts = names(*pairs)
        path = f"{self._ctx.subscription_path()}/resourceGroups/{parts[0]}{_PROVIDER}"
        if name is None:
            return path, str(resource_group)
        return f"{path}/{parts[1]}", f"{resource_group}/{name}"

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
        path, resource = self._path(resource_group, name)
        model = coerce_body(VirtualMachineScaleSet, body, "body")
        headers = self._ctx.require_etag(if_match, if_none_match)
        return await self._ctx.begin(
            "PUT",
            self._ctx.url(path),
            json=model.to_wire(),
            headers=headers,
            operation="scale_sets.begin_create_or_update",
            resource=resource,
            result_type=_RESULT,
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
        path, resource = self._path(resource_group, name)
        model = coerce_body(VirtualMachineScaleSetUpdate, body, "body")
        headers = self._ctx.require_etag(if_match)
        return await self._patch(path, resource, model, headers, "scale_sets.begin_update")

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
        path, resource = self._path(resource_group, name)
        operation = "scale_sets.begin_set_resiliency_policy"
        return await self._patch(path, resource, update, {}, operation)

    async def _patch(
        self,
        path: str,
        resource: str,
        model: VirtualMachineScaleSetUpdate,
        headers: dict[str, str],
        operation: str,
    ) -> AsyncLROPoller[VirtualMachineScaleSet]:
        return await self._ctx.begin(
            "PATCH",
            self._ctx.url(path),
            json=model.to_wire(),
            headers=headers,
            operation=operation,
            resource=resource,
            result_type=_RESULT,
        )

    async def get(
        self, resource_group: str, name: str, *, expand: str | None = None
    ) -> VirtualMachineScaleSet:
        """GET one scale set (``expand="userData"`` to include it)."""
        path, resource = self._path(resource_group, name)
        expand = check_optional_str("expand", expand)
        return await self._ctx.pipeline.send_decoded(
            "GET",
            self._ctx.url(path, ("$expand", expand)),
            VirtualMachineScaleSet.from_wire,
            operation="scale_sets.get",
            resource=resource,
        )

    def list(self, resource_group: str) -> AsyncPaged[VirtualMachineScaleSet]:
        """The scale sets of a resource group (``async for``; requests start on iteration)."""
        path, resource = self._path(resource_group)
        return self._paged(path, "scale_sets.list", resource)

    def list_all(self) -> AsyncPaged[VirtualMachineScaleSet]:
        """Every scale set of the subscription."""
        path = f"{self._ctx.subscription_path()}{_PROVIDER}"
        return self._paged(path, "scale_sets.list_all", self._ctx.subscription_id)

    def _paged(self, path: str, operation: str, resource: str) -> AsyncPaged[Any]:
        return AsyncPaged(
            self._ctx.pipeline,
            self._ctx.url(path),
            _parse_page,
            api_version=self._ctx.api_version.value,
            operation=operation,
            resource=resource,
        )

    async def begin_delete(
        self, resource_group: str, name: str, *, force_deletion: bool = False
    ) -> AsyncLROPoller[None]:
        """DELETE a scale set and all its VMs (``forceDeletion`` is always sent)."""
        path, resource = self._path(resource_group, name)
        force = force_deletion_param(force_deletion)
        return await self._ctx.begin(
            "DELETE",
            self._ctx.url(path, force),
            operation="scale_sets.begin_delete",
            resource=resource,
            result_type=None,
            resource_url=self._ctx.url(path),
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
        path, resource = self._path(resource_group, name)
        ids = validate_instance_ids("instance_ids", instance_ids)
        force = force_deletion_param(force_deletion)
        return await self._ctx.begin(
            "POST",
            self._ctx.url(f"{path}/delete", force),
            json={"instanceIds": ids},
            operation="scale_sets.begin_delete_instances",
            resource=resource,
            result_type=None,
            resource_url=self._ctx.url(path),
        )
