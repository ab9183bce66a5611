"""pytest plugin (auto-registered): ``fake_compute`` and ``compute_client`` fixtures.

Heavy imports happen inside the fixtures so that loading the plugin never fails or slows down
a test session that does not use it.
"""

from __future__ import annotations

import pytest

__all__ = ["pytest_configure"]

MARKER = "fake_compute"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_compute`` marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**kwargs): keyword arguments for the FakeCompute of the fake_compute fixture",
    )
