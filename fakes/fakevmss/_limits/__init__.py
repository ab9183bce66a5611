"""The fake's request limits: ARM's subscription buckets and the Compute provider's policies.

Settings (``Limits``, ``Policy``), the counters, the table of which policies charge which
operation, and the state that admits or refuses a request (``RequestLimiter``). No HTTP here;
``fakevmss._wire._throttle`` applies it to requests. See docs/fake/limits.md.
"""

from fakevmss._limits._charges import FALLBACK, Charge, kind_of, vm_count
from fakevmss._limits._counters import SlidingWindow, TokenBucket
from fakevmss._limits._limiter import Refusal, RequestLimiter, ThrottleEvent, Verdict
from fakevmss._limits._principal import PRINCIPAL_HEADER, PrincipalNames, jwt_principal
from fakevmss._limits._settings import DEFAULT_LIMITS, DEFAULT_POLICIES, Limits, Policy

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_POLICIES",
    "FALLBACK",
    "PRINCIPAL_HEADER",
    "Charge",
    "Limits",
    "Policy",
    "PrincipalNames",
    "Refusal",
    "RequestLimiter",
    "SlidingWindow",
    "ThrottleEvent",
    "TokenBucket",
    "Verdict",
    "jwt_principal",
    "kind_of",
    "vm_count",
]
