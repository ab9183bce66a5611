"""fakevmss: an in-process fake of the Azure VM Scale Set API with Resilient create and delete."""

from fakevmss._clock import RealClock, TimerHandle, VirtualClock
from fakevmss._fake import FakeCompute, ScaleSetView, VMView
from fakevmss._faults import FaultHandle, Faults, HttpFault
from fakevmss._limits import Limits, Policy, RequestLimiter, ThrottleEvent
from fakevmss._pattern import PathPattern
from fakevmss._state import HistoryEvent, RoundEvent
from fakevmss._timings import Timings
from fakevmss._version import __version__

__all__ = [
    "FakeCompute",
    "FaultHandle",
    "Faults",
    "HistoryEvent",
    "HttpFault",
    "Limits",
    "PathPattern",
    "Policy",
    "RealClock",
    "RequestLimiter",
    "RoundEvent",
    "ScaleSetView",
    "ThrottleEvent",
    "TimerHandle",
    "Timings",
    "VMView",
    "VirtualClock",
    "__version__",
]
