"""Api-versions the client speaks and what each can do (docs/client/operations.md)."""

from __future__ import annotations

from enum import StrEnum

from aiovmss.errors import ApiVersionError

__all__ = ["ApiVersion"]


class ApiVersion(StrEnum):
    """A supported Microsoft.Compute api-version, with its capabilities."""

    V2023_07_01 = "2023-07-01"
    V2024_07_01 = "2024-07-01"

    @classmethod
    def parse(cls, value: ApiVersion | str) -> ApiVersion:
        """Return the member for ``value``; ``ApiVersionError`` names the supported ones."""
        if isinstance(value, ApiVersion):
            return value
        if not isinstance(value, str):
            raise ApiVersionError(f"api_version must be a string, not {type(value).__name__}")
        try:
            return cls(value.strip())
        except ValueError:
            known = ", ".join(v.value for v in cls)
            raise ApiVersionError(
                f"unsupported api-version {value!r}; aiovmss speaks {known}"
            ) from None

    @property
    def supports_resiliency_policy(self) -> bool:
        """``properties.resiliencyPolicy`` on the scale set (the seed's minimum, 2023-07-01)."""
        return True

    @property
    def supports_resiliency_view(self) -> bool:
        """``$expand=resiliencyView`` and ``resilientVMDeletionStatus`` on VMs."""
        return self is ApiVersion.V2024_07_01

    @property
    def supports_etag(self) -> bool:
        """``etag``, ``If-Match`` and ``If-None-Match`` on scale sets and VMs."""
        return self is ApiVersion.V2024_07_01

    def at_least(self, version: ApiVersion) -> bool:
        """True if this version is ``version`` or later (the values are ISO dates)."""
        return self.value >= version.value

    def require_since(self, version: ApiVersion | None, feature: str) -> None:
        """Raise ``ApiVersionError`` unless this version is ``version`` or later (None: any)."""
        if version is not None and not self.at_least(version):
            raise ApiVersionError(
                f"{feature} needs api-version {version.value} or later; "
                f"this client uses {self.value}"
            )

    def require(self, capability: str, feature: str) -> None:
        """Raise ``ApiVersionError`` unless this version has ``capability`` (a property name)."""
        if not getattr(self, capability):
            raise ApiVersionError(
                f"{feature} needs api-version 2024-07-01; this client uses {self.value}"
            )
