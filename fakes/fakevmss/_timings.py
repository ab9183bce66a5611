"""Every duration of the emulation in one frozen object (seconds).

docs/fake/emulation.md has Resilient create and delete; docs/fake/lifecycle.md the VM operations
(power, reimage, redeploy, maintenance, model upgrades, the VM's own update).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Timings"]


@dataclass(frozen=True, slots=True)
class Timings:
    """Durations and limits of the emulation; override any with ``replace``.

    The VM operations (``start`` to ``vm_update``) are our choices: how long each keeps a VM
    ``Updating`` before it reaches its end state (docs/fake/lifecycle.md).

    Example::

        fast = dataclasses.replace(Timings(), provisioning_timeout_linux=60)
    """

    create_linux: float = 90.0
    create_windows: float = 180.0
    provisioning_timeout_linux: float = 480.0
    provisioning_timeout_windows: float = 1200.0
    create_max_attempts: int = 5
    create_time_limit: float = 1800.0
    delete_attempt: float = 60.0
    delete_max_retries: int = 5
    delete_retry_delays: tuple[float, ...] = (0.0, 600.0, 1200.0, 2400.0, 4800.0)
    lro_retry_after: float = 10.0
    feature_registration: float = 300.0
    start: float = 30.0
    power_off: float = 30.0
    power_off_skip_shutdown: float = 10.0
    deallocate: float = 60.0
    restart: float = 60.0
    reimage: float = 120.0
    redeploy: float = 180.0
    perform_maintenance: float = 300.0
    model_upgrade: float = 60.0
    vm_update: float = 10.0

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            values = value if isinstance(value, tuple) else (value,)
            if any(not isinstance(v, int | float) or isinstance(v, bool) for v in values):
                raise TypeError(f"Timings.{spec.name} must be a number, got {value!r}")
            if any(v < 0 for v in values):
                raise ValueError(f"Timings.{spec.name} must not be negative, got {value!r}")
        if self.create_max_attempts < 1:
            raise ValueError("Timings.create_max_attempts must be at least 1")
        if len(self.delete_retry_delays) < self.delete_max_retries:
            raise ValueError("Timings.delete_retry_delays needs one delay per retry")

    def create_duration(self, os_type: str) -> float:
        """How long a successful create attempt takes for ``os_type``."""
        return self.create_windows if os_type == "Windows" else self.create_linux

    def provisioning_timeout(self, os_type: str) -> float:
        """When a timing-out create attempt fails for ``os_type``."""
        if os_type == "Windows":
            return self.provisioning_timeout_windows
        return self.provisioning_timeout_linux

    def delete_retry_delay(self, retry: int) -> float:
        """Delay before resilient delete retry ``retry`` (1-based) after the previous failure."""
        return self.delete_retry_delays[retry - 1]
