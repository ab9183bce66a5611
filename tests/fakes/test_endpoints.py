"""The endpoint registry: every entry is complete and agrees with the published API."""

from __future__ import annotations

import re

import pytest

from fakevmss._schema import SCHEMA_VERSIONS, schema_for
from fakevmss._wire._call import Body, Endpoint, Lro
from fakevmss._wire._endpoints import ENDPOINTS, resolve
from fakevmss._wire._routes import Route, Router
from fakevmss._wire._versions import _at_least


def _shape(template: str) -> str:
    """A template with its parameter names blanked, lower-cased (ARM ignores path case)."""
    return re.sub(r"\{[^}]+\}", "{}", template.strip("/")).lower()


def _versions(endpoint: Endpoint) -> list[str]:
    since = endpoint.since
    return [v for v in SCHEMA_VERSIONS if since is None or _at_least(v, since)]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_entry_is_complete(endpoint: Endpoint) -> None:
    assert callable(endpoint.handler)
    assert endpoint.method in ("GET", "PUT", "PATCH", "POST", "DELETE")
    assert re.fullmatch(r"[a-z_]+\.[a-z_]+", endpoint.name)
    expected_lro = {"GET": {Lro.NONE}, "PUT": {Lro.ASYNC_OPERATION}}.get(
        endpoint.method, {Lro.WITH_LOCATION, Lro.NONE}
    )
    assert endpoint.lro in expected_lro
    if endpoint.body is not Body.NONE:
        assert endpoint.operation_id is not None, "a body is checked against its operation"


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.operation_id], ids=lambda e: e.name)
def test_every_entry_is_a_published_operation(endpoint: Endpoint) -> None:
    assert endpoint.operation_id is not None
    for version in _versions(endpoint):
        schema = schema_for(version)
        assert schema is not None
        published = schema.operations.get(endpoint.operation_id)
        assert published is not None, (version, endpoint.operation_id)
        assert published.method == endpoint.method
        assert _shape(published.path) == _shape(endpoint.template)
        if published.body is None:
            assert endpoint.body is Body.NONE
        else:
            wanted = Body.REQUIRED if published.body_required else Body.OPTIONAL
            assert endpoint.body is wanted


def test_names_and_routes_are_unique() -> None:
    names = [e.name for e in ENDPOINTS]
    assert len(names) == len(set(names))
    with pytest.raises(ValueError, match="declared twice"):
        Router([("a/{x}", "GET", 1), ("A/{y}", "GET", 2)])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_entry_routes_to_itself(endpoint: Endpoint) -> None:
    route = Route(endpoint.template)
    path = "/" + "/".join(
        f"p{index}" if segment.startswith("{") else segment
        for index, segment in enumerate(route.segments)
    )
    match = resolve(endpoint.method, path.upper())  # paths match in any case
    assert match.endpoint is endpoint
    assert set(match.params) == set(route.params)
