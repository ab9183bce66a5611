"""Fixtures for the waiter tests."""

from __future__ import annotations

import pytest
from waiters_stub import StubClient


@pytest.fixture
def stub() -> StubClient:
    return StubClient()
