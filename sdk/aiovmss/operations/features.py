"""``client.features``: Microsoft.Features registration of the preview feature flags."""

from __future__ import annotations

from aiovmss.models import FeatureResult
from aiovmss.operations._common import OperationContext, names

__all__ = ["FEATURES_API_VERSION", "FeaturesOperations"]

FEATURES_API_VERSION = "2021-07-01"
"""The Microsoft.Features api-version (independent of the client's Compute api-version)."""


class FeaturesOperations:
    """Register and read subscription features (``ResilientVMScaleSetVMCreation``, ...)."""

    def __init__(self, context: OperationContext) -> None:
        self._ctx = context

    def _path(self, namespace: object, feature: object) -> tuple[str, str]:
        """``(path, resource)`` of one feature."""
        ns, name = names(("feature namespace", namespace), ("feature name", feature))
        path = (
            f"{self._ctx.subscription_path()}/providers/Microsoft.Features/providers/{ns}"
            f"/features/{name}"
        )
        return path, f"{namespace}/{feature}"

    async def register(self, namespace: str, feature: str) -> FeatureResult:
        """Register ``feature``; its state goes Registering, then Registered."""
        path, resource = self._path(namespace, feature)
        return await self._ctx.pipeline.send_decoded(
            "POST",
            self._ctx.url(f"{path}/register", api_version=FEATURES_API_VERSION),
            FeatureResult.from_wire,
            operation="features.register",
            resource=resource,
        )

    async def get(self, namespace: str, feature: str) -> FeatureResult:
        """The feature and its registration ``state``."""
        path, resource = self._path(namespace, feature)
        return await self._ctx.pipeline.send_decoded(
            "GET",
            self._ctx.url(path, api_version=FEATURES_API_VERSION),
            FeatureResult.from_wire,
            operation="features.get",
            resource=resource,
        )
