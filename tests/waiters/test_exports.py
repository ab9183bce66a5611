"""The public surface of aiovmss.waiters: importable and documented."""

from __future__ import annotations

import aiovmss.waiters as waiters
import aiovmss.waiters.strategies as strategies


def test_exports_are_unique_and_documented() -> None:
    for module in (waiters, strategies):
        assert len(set(module.__all__)) == len(module.__all__)
        for name in module.__all__:
            value = getattr(module, name)
            if callable(value):
                assert (value.__doc__ or "").strip(), name


def test_design_names_are_exported() -> None:
    for name in (
        "wait_for_vm_deletion",
        "wait_for_instances_deleted",
        "wait_for_scale_set_deletion",
        "wait_for_vm_creation",
        "wait_for_scale_set_provisioning",
        "wait_for_instances_created",
        "retry_if_deletion_in_progress",
        "retry_if_creation_in_progress",
        "stop_after_clock_delay",
        "wait_retry_after_or",
        "ResilientDeleteWindow",
        "DeletionResult",
        "CreationResult",
    ):
        assert name in waiters.__all__
