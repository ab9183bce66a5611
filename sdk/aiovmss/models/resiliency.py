"""The scale set's ``resiliencyPolicy``: Resilient create and Resilient delete switches."""

from __future__ import annotations

from pydantic import Field

from aiovmss.models._base import ArmModel

__all__ = ["ResiliencyPolicy", "ResilientVMCreationPolicy", "ResilientVMDeletionPolicy"]


class ResilientVMCreationPolicy(ArmModel):
    """``resilientVMCreationPolicy``: retry VM creates that time out (OS provisioning, start)."""

    enabled: bool | None = None


class ResilientVMDeletionPolicy(ArmModel):
    """``resilientVMDeletionPolicy``: retry failed VM deletes as forced deletes."""

    enabled: bool | None = None


class ResiliencyPolicy(ArmModel):
    """``properties.resiliencyPolicy`` of a scale set."""

    resilient_vm_creation_policy: ResilientVMCreationPolicy | None = Field(
        default=None, alias="resilientVMCreationPolicy"
    )
    resilient_vm_deletion_policy: ResilientVMDeletionPolicy | None = Field(
        default=None, alias="resilientVMDeletionPolicy"
    )
