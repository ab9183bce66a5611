"""``client.features``: Microsoft.Features registration of the preview feature flags."""

from __future__ import annotations

from aiovmss._catalog import FEATURES_API_VERSION, FeatureOps
from aiovmss.models import FeatureResult
from aiovmss.operations._common import OperationContext

__all__ = ["FEATURES_API_VERSION", "FeaturesOperations"]


class FeaturesOperations:
    """Register and read subscription features (``ResilientVMScaleSetVMCreation``, ...)."""

    def __init__(self, context: OperationContext) -> None:
        self._ctx = context

    async def register(self, namespace: str, feature: str) -> FeatureResult:
        """Register ``feature``; its state goes Registering, then Registered."""
        return await self._ctx.fetch(FeatureOps.register, (namespace, feature))

    async def get(self, namespace: str, feature: str) -> FeatureResult:
        """The feature and its registration ``state``."""
        return await self._ctx.fetch(FeatureOps.get, (namespace, feature))
