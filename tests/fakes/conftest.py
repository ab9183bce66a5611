"""Fixtures for the fake's wire tests: a FakeCompute and a raw-JSON client for it."""

from __future__ import annotations

import pytest
from wire_support import SUB, Wire

from fakevmss import FakeCompute


@pytest.fixture
def fake() -> FakeCompute:
    return FakeCompute(seed=0, subscription_id=SUB)


@pytest.fixture
def wire(fake: FakeCompute) -> Wire:
    return Wire(fake)
