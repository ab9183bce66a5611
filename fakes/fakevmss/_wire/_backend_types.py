"""The backend as the wire layer calls it: one structural protocol per component.

Each handler calls one method of one component (``env.backend.sets.put(...)``); the
backend's own classes satisfy these protocols (mypy checks it where ``FakeCompute`` builds the
wire app), and a test may hand the wire app any object with the same shape.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, Protocol

from fakevmss._vm_ops import VMOp
from fakevmss._wire._types import FeatureLike, OperationLike, ScaleSetLike, VMLike

__all__ = [
    "ActionsLike",
    "BackendLike",
    "OperationsLike",
    "ScaleSetsLike",
    "UpgradesLike",
    "VMsLike",
]


class ScaleSetsLike(Protocol):
    """Scale set operations."""

    def put(
        self,
        sub: str,
        rg: str,
        name: str,
        doc: dict[str, Any],
        /,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[ScaleSetLike, bool, OperationLike]:
        """Create or replace a scale set."""
        ...

    def patch(
        self,
        sub: str,
        rg: str,
        name: str,
        patch: dict[str, Any],
        /,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[ScaleSetLike, OperationLike]:
        """Deep-merge ``patch`` into a scale set."""
        ...

    def get(self, sub: str, rg: str, name: str, /) -> ScaleSetLike:
        """One scale set."""
        ...

    def list(self, sub: str, rg: str | None, /) -> Sequence[ScaleSetLike]:
        """Scale sets of a resource group, or of the subscription when ``rg`` is None."""
        ...

    def delete(self, sub: str, rg: str, name: str, /, *, force: bool) -> OperationLike | None:
        """Start deleting a scale set; None when it does not exist."""
        ...

    def delete_instances(
        self, sub: str, rg: str, name: str, instance_ids: builtins.list[str], /, *, force: bool
    ) -> OperationLike:
        """Start deleting some instances."""
        ...


class VMsLike(Protocol):
    """Scale set VM operations."""

    def list(self, sub: str, rg: str, name: str, /) -> Sequence[VMLike]:
        """Live VMs of a Uniform scale set."""
        ...

    def live(self, sub: str, rg: str, name: str, /) -> Sequence[VMLike]:
        """Live VMs of any scale set (what its instance view counts)."""
        ...

    def put(
        self,
        sub: str,
        rg: str,
        name: str,
        instance_id: str,
        protection: Mapping[str, bool] | None,
        /,
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[VMLike, OperationLike]:
        """The VM's PUT: its protection policy."""
        ...

    def get(self, sub: str, rg: str, name: str, instance_id: str, /) -> VMLike:
        """One VM."""
        ...

    def delete(
        self, sub: str, rg: str, name: str, instance_id: str, /, *, force: bool
    ) -> OperationLike:
        """Start deleting one VM."""
        ...


class ActionsLike(Protocol):
    """VM operations on a scale set's VMs or on one VM."""

    def on_scale_set(
        self,
        op_kind: VMOp,
        sub: str,
        rg: str,
        name: str,
        instance_ids: list[str] | None,
        /,
        *,
        skip_shutdown: bool = False,
    ) -> OperationLike:
        """``op_kind`` on the named VMs (None: every VM) of a scale set."""
        ...

    def on_vm(
        self,
        op_kind: VMOp,
        sub: str,
        rg: str,
        name: str,
        instance_id: str,
        /,
        *,
        skip_shutdown: bool = False,
    ) -> OperationLike:
        """``op_kind`` on one VM."""
        ...


class UpgradesLike(Protocol):
    """Rolling upgrade operations (refused)."""

    def approve_rolling_upgrade(self, sub: str, rg: str, name: str, /) -> NoReturn:
        """Refuse: no rolling upgrade awaits approval."""
        ...


class OperationsLike(Protocol):
    """Operation status and feature registrations."""

    def get_operation(self, sub: str, operation_id: str, /) -> OperationLike:
        """An operation by id."""
        ...

    def register_feature(self, sub: str, namespace: str, feature: str, /) -> FeatureLike:
        """Start registering a feature."""
        ...

    def get_feature(self, sub: str, namespace: str, feature: str, /) -> FeatureLike:
        """A feature's registration."""
        ...


class BackendLike(Protocol):
    """The backend's components."""

    @property
    def sets(self) -> ScaleSetsLike:
        """Scale set operations."""
        ...

    @property
    def vms(self) -> VMsLike:
        """VM operations."""
        ...

    @property
    def actions(self) -> ActionsLike:
        """VM operations."""
        ...

    @property
    def upgrades(self) -> UpgradesLike:
        """Upgrades."""
        ...

    @property
    def ops(self) -> OperationsLike:
        """Operation status and features."""
        ...
