"""Fixtures of the conformance suite (helpers live in contract_support.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from contract_support import Official, make_official


@pytest.fixture(params=["in-process", "http"])
async def official(request: pytest.FixtureRequest) -> AsyncIterator[Official]:
    async for value in make_official(request.param, page_size=2):
        yield value


@pytest.fixture(params=["in-process", "http"])
async def official_default_version(request: pytest.FixtureRequest) -> AsyncIterator[Official]:
    """The official client with its own default api-version, on a lenient fake."""
    async for value in make_official(
        request.param, api_version=None, page_size=2, lenient_api_versions=True
    ):
        yield value
