"""The package version: the ``aiovmss`` distribution's, which ships fakevmss.

``aiovmss/_version.py`` is the one source (``pyproject.toml`` reads it). The fake reads the
installed distribution's metadata instead of importing aiovmss, so ``import fakevmss`` (which
pytest does for every session through the plugin) stays light.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("aiovmss")
except PackageNotFoundError:  # pragma: no cover - running from a source tree never installed
    __version__ = "0+unknown"
