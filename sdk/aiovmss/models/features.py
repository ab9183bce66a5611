"""Microsoft.Features feature registration bodies."""

from __future__ import annotations

from pydantic import Field

from aiovmss.models._base import READ_ONLY, ArmModel
from aiovmss.models._enums import EnumOrStr, FeatureState

__all__ = ["FeatureProperties", "FeatureResult"]


class FeatureProperties(ArmModel):
    """``properties`` of a feature: its registration ``state``."""

    state: EnumOrStr[FeatureState] | None = None


class FeatureResult(ArmModel):
    """A feature such as ``Microsoft.Compute/ResilientVMScaleSetVMCreation``."""

    id: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    name: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    type: str | None = Field(default=None, json_schema_extra=READ_ONLY)
    properties: FeatureProperties | None = None

    @property
    def state(self) -> FeatureState | str | None:
        """``properties.state``, or ``None``."""
        return None if self.properties is None else self.properties.state
