"""aiovmss: an asyncio client for Azure VM Scale Sets with Resilient create and delete.

Example::

    from aiovmss import ComputeClient, StaticTokenCredential

    async with ComputeClient(StaticTokenCredential("token"), subscription_id) as client:
        poller = await client.scale_sets.begin_set_resiliency_policy(
            "rg", "web", resilient_vm_creation=True, resilient_vm_deletion=True
        )
        await poller.result()
"""

from aiovmss._client import ComputeClient
from aiovmss._clock import Clock, LoopClock
from aiovmss._credentials import AccessToken, AsyncTokenCredential, StaticTokenCredential
from aiovmss._pacing import PacingPolicy
from aiovmss._paging import AsyncPaged
from aiovmss._polling import AsyncLROPoller
from aiovmss._rate_limits import RateLimitHeaders, RateLimits, Remaining
from aiovmss._retry import RetryPolicy
from aiovmss._version import __version__
from aiovmss._versions import ApiVersion

__all__ = [
    "AccessToken",
    "ApiVersion",
    "AsyncLROPoller",
    "AsyncPaged",
    "AsyncTokenCredential",
    "Clock",
    "ComputeClient",
    "LoopClock",
    "PacingPolicy",
    "RateLimitHeaders",
    "RateLimits",
    "Remaining",
    "RetryPolicy",
    "StaticTokenCredential",
    "__version__",
]
