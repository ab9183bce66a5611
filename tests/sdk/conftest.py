"""Fixtures for the client tests; the helpers themselves live in ``sdk_support``."""

from __future__ import annotations

import pytest
from sdk_support import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
