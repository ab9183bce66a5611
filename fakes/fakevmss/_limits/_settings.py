"""``Limits``: every number of the fake's request limits in one frozen object (docs/fake/limits.md).

Two layers, as Azure has them. Azure Resource Manager's subscription buckets (a token bucket per
principal and kind of request, and a global one 15 times larger shared by every principal), with
Microsoft's published numbers as defaults; and the Compute provider's policies, each a sliding
window with a limit, named as Azure names them in ``x-ms-ratelimit-remaining-resource``. Where
Microsoft publishes no number the default is *our reading*; the docs page says which is which.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, fields

__all__ = ["DEFAULT_LIMITS", "DEFAULT_POLICIES", "KINDS", "Limits", "Policy"]

#: The kinds of request ARM counts apart, as its headers name them.
KINDS = ("reads", "writes", "deletes")

_POLICY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")


def _number(owner: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{owner}.{name} must be a number, got {value!r}")
    if not value > 0 or value == float("inf"):  # also refuses NaN
        raise ValueError(f"{owner}.{name} must be a positive finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Policy:
    """One Compute provider policy: a sliding window of ``seconds`` admitting ``limit`` charges.

    ``name`` is the policy as the ``x-ms-ratelimit-remaining-resource`` header shows it after
    ``Microsoft.Compute/`` (for example ``HighCostGet30Min``).
    """

    name: str
    seconds: float
    limit: int

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _POLICY_NAME.fullmatch(self.name):
            raise ValueError(f"Policy name must be letters and digits, got {self.name!r}")
        _number(f"Policy {self.name}", "seconds", self.seconds)
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            raise ValueError(f"Policy {self.name}.limit must be an int of at least 1")


#: The Compute policies the fake applies, with *our reading* of their windows and limits
#: (docs/fake/limits.md gives the evidence for each number).
DEFAULT_POLICIES: tuple[Policy, ...] = (
    Policy("LowCostGet3Min", 180.0, 4000),
    Policy("LowCostGet30Min", 1800.0, 32000),
    Policy("HighCostGet3Min", 180.0, 160),
    Policy("HighCostGet30Min", 1800.0, 800),
    Policy("GetVMScaleSet3Min", 180.0, 200),
    Policy("GetVMScaleSet30Min", 1800.0, 1300),
    Policy("HighCostGetVMScaleSet3Min", 180.0, 190),
    Policy("HighCostGetVMScaleSet30Min", 1800.0, 900),
    Policy("PutVMScaleSet3Min", 180.0, 240),
    Policy("PutVMScaleSet30Min", 1800.0, 1200),
    Policy("DeleteVMScaleSet3Min", 180.0, 120),
    Policy("DeleteVMScaleSet30Min", 1800.0, 600),
    Policy("VMScaleSetBatchedVMRequests5Min", 300.0, 5000),
    Policy("GetOperation3Min", 180.0, 3000),
    Policy("GetOperation30Min", 1800.0, 20000),
)


@dataclass(frozen=True, slots=True)
class Limits:
    """The fake's request limits; override any with ``dataclasses.replace``.

    ARM's buckets hold ``*_capacity`` tokens and refill ``*_refill`` tokens per second of the
    fake's clock, per subscription and principal; the global bucket of each kind, shared by
    every principal of a subscription, is ``global_multiplier`` times larger on both counts.
    ``policies`` are the Compute provider's windows (``()`` applies ARM's buckets only).

    Raises:
        TypeError: a value of the wrong type.
        ValueError: a zero, negative or infinite number, or two policies of one name.

    Example::

        tight = dataclasses.replace(Limits(), reads_capacity=10, reads_refill=1)
        fake = FakeCompute(limits=tight.with_policy("HighCostGet30Min", limit=50))
    """

    reads_capacity: float = 250.0
    reads_refill: float = 25.0
    writes_capacity: float = 200.0
    writes_refill: float = 10.0
    deletes_capacity: float = 200.0
    deletes_refill: float = 10.0
    global_multiplier: float = 15.0
    policies: tuple[Policy, ...] = DEFAULT_POLICIES

    def __post_init__(self) -> None:
        for spec in fields(self):
            if spec.name != "policies":
                _number("Limits", spec.name, getattr(self, spec.name))
        if self.global_multiplier < 1:
            raise ValueError(
                f"Limits.global_multiplier must be at least 1 (the global bucket is shared by "
                f"every principal), got {self.global_multiplier!r}"
            )
        policies = tuple(self.policies)
        if any(not isinstance(p, Policy) for p in policies):
            raise TypeError("Limits.policies must hold Policy objects")
        names = [p.name for p in policies]
        if len(set(names)) != len(names):
            raise ValueError(f"Limits.policies names a policy twice: {sorted(names)}")
        object.__setattr__(self, "policies", policies)

    def capacity(self, kind: str) -> float:
        """Tokens of a full per-principal bucket of ``kind`` (``reads``/``writes``/``deletes``)."""
        return float(getattr(self, f"{kind}_capacity"))

    def refill(self, kind: str) -> float:
        """Tokens per second a per-principal bucket of ``kind`` gains back."""
        return float(getattr(self, f"{kind}_refill"))

    def policy(self, name: str) -> Policy | None:
        """The policy called ``name``, or None."""
        return next((p for p in self.policies if p.name == name), None)

    def with_policy(
        self, name: str, *, seconds: float | None = None, limit: int | None = None
    ) -> Limits:
        """A copy with policy ``name``'s window or limit changed (added if it is new).

        Raises:
            ValueError: a new policy without both ``seconds`` and ``limit``, or a bad value.
        """
        old = self.policy(name)
        if old is None and (seconds is None or limit is None):
            raise ValueError(f"no policy {name!r}: give both seconds= and limit= to add it")
        new = Policy(
            name,
            seconds if seconds is not None else old.seconds,  # type: ignore[union-attr]
            limit if limit is not None else old.limit,  # type: ignore[union-attr]
        )
        kept = tuple(p for p in self.policies if p.name != name)
        return dataclasses.replace(self, policies=(*kept, new))

    def without_policies(self) -> Limits:
        """A copy that applies ARM's buckets only (no Compute provider policy)."""
        return dataclasses.replace(self, policies=())


#: The default ``limits`` of ``FakeCompute`` (frozen, so sharing it is safe).
DEFAULT_LIMITS = Limits()
