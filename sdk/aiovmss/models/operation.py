"""Long-running operation status bodies and ARM error bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from aiovmss.models._base import ArmModel
from aiovmss.models._enums import EnumOrStr, OperationStatusValue

__all__ = ["ErrorDetail", "ErrorResponse", "OperationStatus"]


class ErrorDetail(ArmModel):
    """The ARM ``error`` object: ``code``, ``message``, ``target`` and nested ``details``."""

    code: str | None = None
    message: str | None = None
    target: str | None = None
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(ArmModel):
    """An ARM error body: ``{"error": {...}}``."""

    error: ErrorDetail | None = None


class OperationStatus(ArmModel):
    """The body of an ``Azure-AsyncOperation`` URL: ``status`` plus start/end times and error."""

    id: str | None = None
    name: str | None = None
    status: EnumOrStr[OperationStatusValue] | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    percent_complete: float | None = None
    error: ErrorDetail | None = None

    @property
    def done(self) -> bool:
        """Whether ``status`` is terminal (Succeeded, Failed or Canceled; any case)."""
        return self.status in _TERMINAL


_TERMINAL = (
    OperationStatusValue.SUCCEEDED,
    OperationStatusValue.FAILED,
    OperationStatusValue.CANCELED,
)
