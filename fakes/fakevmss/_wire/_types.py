"""What the wire layer reads from the rest of the fake, as structural protocols.

The wire layer never imports the state or engine modules: it reads the attributes listed here,
so any object with them (the backend's dataclasses, or hand-built ones in tests) serialises.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

__all__ = [
    "ClockLike",
    "FaultsLike",
    "FeatureLike",
    "HttpFaultLike",
    "OperationLike",
    "ScaleSetLike",
    "VMLike",
]


class ClockLike(Protocol):
    """The clock API the wire layer uses (virtual or real)."""

    def now(self) -> float:
        """Clock seconds."""
        ...

    def to_datetime(self, t: float) -> datetime:
        """A UTC datetime for clock second ``t``."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait on the clock."""
        ...

    @property
    def speed(self) -> float:
        """Virtual seconds per real second (1.0 for a virtual clock)."""
        ...


class HttpFaultLike(Protocol):
    """One HTTP fault taken from the fault plan."""

    @property
    def kind(self) -> str:
        """``error``, ``throttle``, ``drop``, ``slow`` or ``garbage``."""
        ...

    @property
    def status(self) -> int:
        """HTTP status of an ``error`` fault (of a ``garbage`` one: 0 keeps the real status)."""
        ...

    @property
    def code(self) -> str:
        """ARM code of an ``error`` fault."""
        ...

    @property
    def message(self) -> str | None:
        """Message of an ``error`` fault."""
        ...

    @property
    def retry_after(self) -> float:
        """Virtual seconds of a ``throttle`` fault's Retry-After."""
        ...

    @property
    def after_send(self) -> bool:
        """Whether a ``drop`` happens after the request was acted on."""
        ...

    @property
    def seconds(self) -> float:
        """Virtual delay of a ``slow`` fault."""
        ...

    @property
    def mode(self) -> str:
        """How a ``garbage`` fault mangles the body: ``truncated`` or ``not_json``."""
        ...


class FaultsLike(Protocol):
    """The HTTP side of the fault plan."""

    def take_http_fault(self, method: str, path: str) -> HttpFaultLike | None:
        """The next fault matching ``method`` and ``path`` (consumes one of its ``times``)."""
        ...


class VMLike(Protocol):
    """A scale set VM as the wire layer reads it."""

    @property
    def instance_id(self) -> str:
        """Instance id."""
        ...

    @property
    def name(self) -> str:
        """VM name."""
        ...

    @property
    def vm_id(self) -> str:
        """Platform VM id (uuid)."""
        ...

    @property
    def os_type(self) -> str:
        """``Linux`` or ``Windows``."""
        ...

    @property
    def provisioning_state(self) -> str:
        """Current provisioning state."""
        ...

    @property
    def deletion_status(self) -> str:
        """``resilientVMDeletionStatus``."""
        ...

    @property
    def time_created(self) -> float:
        """Clock seconds of creation."""
        ...

    @property
    def etag(self) -> int:
        """Change counter."""
        ...

    @property
    def power_state(self) -> str:
        """Power state for the instance view."""
        ...

    @property
    def latest_model_applied(self) -> bool:
        """Whether the VM runs the scale set's latest model."""
        ...

    @property
    def last_error(self) -> Mapping[str, Any] | None:
        """The ARM error (``code``, ``message``) of the last failed attempt or operation."""
        ...

    @property
    def index(self) -> int:
        """Creation order within the scale set (spreads VMs over fault domains)."""
        ...

    @property
    def status_time(self) -> float:
        """Clock seconds of the VM's last state change."""
        ...

    @property
    def model(self) -> Mapping[str, Any]:
        """The scale set spec of the model the VM runs (its size, image and user data)."""
        ...

    @property
    def protection(self) -> Mapping[str, bool] | None:
        """``protectionPolicy`` as set through the VM's PUT (None: never set)."""
        ...


class ScaleSetLike(Protocol):
    """A scale set as the wire layer reads it."""

    @property
    def state_time(self) -> float:
        """Clock seconds of the last change of ``provisioning_state``."""
        ...

    @property
    def subscription(self) -> str:
        """Subscription id."""
        ...

    @property
    def resource_group(self) -> str:
        """Resource group (display spelling)."""
        ...

    @property
    def name(self) -> str:
        """Scale set name (display spelling)."""
        ...

    @property
    def spec(self) -> Mapping[str, Any]:
        """The writable body as given."""
        ...

    @property
    def orchestration_mode(self) -> str:
        """``Uniform`` or ``Flexible``."""
        ...

    @property
    def provisioning_state(self) -> str:
        """Current provisioning state."""
        ...

    @property
    def unique_id(self) -> str:
        """Platform unique id (uuid)."""
        ...

    @property
    def time_created(self) -> float:
        """Clock seconds of creation."""
        ...

    @property
    def etag(self) -> int:
        """Change counter."""
        ...


class OperationLike(Protocol):
    """An asynchronous operation."""

    @property
    def id(self) -> str:
        """Operation id (uuid)."""
        ...

    @property
    def status(self) -> str:
        """``InProgress``, ``Succeeded``, ``Failed`` or ``Canceled``."""
        ...

    @property
    def start_time(self) -> float:
        """Clock seconds at start."""
        ...

    @property
    def end_time(self) -> float | None:
        """Clock seconds at the end, if ended."""
        ...

    @property
    def error(self) -> Mapping[str, Any] | None:
        """The ARM error object of a failed operation."""
        ...

    @property
    def location(self) -> str:
        """Region used in the operation's URL."""
        ...

    @property
    def resource_id(self) -> str:
        """ARM id of the target resource."""
        ...

    @property
    def returns_resource(self) -> bool:
        """True for PUT/PATCH: the final result is the resource."""
        ...


class FeatureLike(Protocol):
    """A Microsoft.Features registration."""

    @property
    def namespace(self) -> str:
        """Resource provider namespace."""
        ...

    @property
    def name(self) -> str:
        """Feature name."""
        ...

    @property
    def state(self) -> str:
        """``NotRegistered``, ``Registering`` or ``Registered``."""
        ...
