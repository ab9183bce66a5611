"""Asynchronous operations by id, and Microsoft.Features registrations."""

from __future__ import annotations

from fakevmss._backend._store import Store
from fakevmss._errors import not_found
from fakevmss._state import Feature, Operation

__all__ = ["Operations"]


class Operations:
    """Operation status and feature registrations of one backend."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_operation(self, sub: str, operation_id: str) -> Operation:
        """An operation by id (404 if unknown to this subscription)."""
        op = self.store.operations.get(operation_id.lower())
        if op is None or op.subscription.lower() != sub.lower():
            raise not_found("Microsoft.Compute/locations/operations", operation_id)
        return op

    def register_feature(self, sub: str, namespace: str, feature: str) -> Feature:
        """Start registering: Registering now, Registered after ``feature_registration``."""
        return self.store.features.register(sub, namespace, feature)

    def get_feature(self, sub: str, namespace: str, feature: str) -> Feature:
        """A feature's registration state."""
        return self.store.features.get(sub, namespace, feature)
