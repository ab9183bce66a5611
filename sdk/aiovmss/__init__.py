"""aiovmss: an asyncio client for Azure VM Scale Sets with Resilient create and delete."""

from aiovmss._version import __version__

__all__ = ["__version__"]
