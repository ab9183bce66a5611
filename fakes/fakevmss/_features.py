"""Microsoft.Features registrations and the gate they put on enabling a policy.

The rules are in docs/fake/emulation.md.

With ``FakeCompute(features_registered=False)`` a subscription may turn a resiliency policy on
only once one of the policy's features is ``Registered``; registering takes
``Timings.feature_registration`` on the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fakevmss._errors import SUBSCRIPTION_NOT_REGISTERED_FOR_FEATURE, ArmException
from fakevmss._state import Feature, policy_enabled

__all__ = ["CREATE_FEATURES", "DELETE_FEATURE", "POLICY_FEATURES", "FeatureRegistry"]

#: The creation feature under its documented name and the seed's other spelling.
CREATE_FEATURES = ("ResilientVMScaleSetVMCreation", "ResilientScaleSetVMCreation")
DELETE_FEATURE = "ReliableVMDeletion"
#: Each policy and its Microsoft.Compute features (any one of them Registered will do).
POLICY_FEATURES = (
    ("resilientVMCreationPolicy", CREATE_FEATURES),
    ("resilientVMDeletionPolicy", (DELETE_FEATURE,)),
)


class FeatureRegistry:
    """Feature registrations by (subscription, namespace, name), matched case-insensitively.

    Args:
        registered: every feature starts ``Registered`` (True) or ``NotRegistered``.
        delay: clock seconds from ``Registering`` to ``Registered``.
        now: the clock's ``now``.
        at: schedules a callback at a clock time (the engine's ``at``, so a reset stops it).
    """

    def __init__(
        self,
        *,
        registered: bool,
        delay: float,
        now: Callable[[], float],
        at: Callable[[float, Callable[[], None]], Any],
    ) -> None:
        self.registered = registered
        self.delay = delay
        self._now = now
        self._at = at
        self._features: dict[tuple[str, str, str], Feature] = {}

    def get(self, sub: str, namespace: str, name: str) -> Feature:
        """A feature's registration (made on first sight)."""
        key = (sub.lower(), namespace.lower(), name.lower())
        feature = self._features.get(key)
        if feature is None:
            feature = Feature(namespace, name, "Registered" if self.registered else "NotRegistered")
            self._features[key] = feature
        return feature

    def register(self, sub: str, namespace: str, name: str) -> Feature:
        """Start registering: ``Registering`` now, ``Registered`` after ``delay``."""
        feature = self.get(sub, namespace, name)
        if feature.state == "NotRegistered":
            feature.state = "Registering"
            feature.registered_at = self._now() + self.delay

            def done() -> None:
                feature.state = "Registered"

            self._at(feature.registered_at, done)
        return feature

    def any_registered(self, sub: str, names: tuple[str, ...]) -> bool:
        """Whether any of the Microsoft.Compute features ``names`` is Registered for ``sub``."""
        if self.registered:
            return True
        for name in names:
            feature = self._features.get((sub.lower(), "microsoft.compute", name.lower()))
            if feature is not None and feature.state == "Registered":
                return True
        return False

    def check_policies(self, sub: str, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        """Refuse a spec that turns on a policy whose feature ``sub`` has not registered.

        Raises:
            ArmException: 400 ``SubscriptionNotRegisteredForFeature`` naming the feature.
        """
        for policy, names in POLICY_FEATURES:
            was_on = old is not None and policy_enabled(old, policy)
            if policy_enabled(new, policy) and not was_on and not self.any_registered(sub, names):
                raise ArmException(
                    400,
                    SUBSCRIPTION_NOT_REGISTERED_FOR_FEATURE,
                    f"The subscription is not registered for feature Microsoft.Compute/{names[0]}"
                    f" required by {policy}.",
                    target=f"properties.resiliencyPolicy.{policy}",
                )

    def all(self) -> list[Feature]:
        """Every registration seen so far."""
        return list(self._features.values())
