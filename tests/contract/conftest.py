"""Fixtures of the conformance suite (helpers live in contract_support.py).

Every response any fake gives during a contract test is checked against the published schema of
its api-version (``schema_support.problems_of``): a test fails if the fake answered something
the files (with their documented overlay) do not describe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from contract_support import Official, make_official
from schema_support import problems_of

from fakevmss import FakeCompute
from fakevmss._http import WireRequest, WireResponse


@pytest.fixture(autouse=True)
def answered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[WireRequest, WireResponse]]]:
    """Every (request, response) of every fake; no response may depart from the schema."""
    answered: list[tuple[WireRequest, WireResponse]] = []
    handle = FakeCompute.handle

    async def recording(self: FakeCompute, request: WireRequest) -> WireResponse:
        response = await handle(self, request)
        answered.append((request, response))
        return response

    monkeypatch.setattr(FakeCompute, "handle", recording)
    yield answered
    problems = [p for request, response in answered for p in problems_of(request, response)]
    assert not problems, "\n".join(problems[:20])


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
