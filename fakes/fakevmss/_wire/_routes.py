"""Routing: which ARM operation a path names, matched case-insensitively.

Paths are split on ``/`` first and each segment is URL-decoded afterwards, so an encoded slash
(``%2F``) stays inside one name, where name validation refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from fakevmss._errors import (
    INVALID_RESOURCE_TYPE,
    METHOD_NOT_ALLOWED,
    ArmException,
)

__all__ = ["ROUTES", "Route", "RouteMatch", "resolve", "split_path"]

_SS = "subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets"
_FEATURE = (
    "subscriptions/{sub}/providers/Microsoft.Features/providers/{namespace}/features/{feature}"
)


@dataclass(frozen=True, slots=True)
class Route:
    """One path template, the operation it names, and the methods it serves."""

    name: str
    template: str
    methods: frozenset[str]
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.template.split("/")))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        """Path parameters if ``parts`` (decoded segments) fit this template, else None."""
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for pattern, part in zip(self.segments, parts, strict=True):
            if pattern.startswith("{"):
                params[pattern[1:-1]] = part
            elif pattern.lower() != part.lower():
                return None
        return params


ROUTES: tuple[Route, ...] = (
    Route("list_scale_sets", _SS, frozenset({"GET"})),
    Route("scale_set", _SS + "/{name}", frozenset({"GET", "PUT", "PATCH", "DELETE"})),
    Route("delete_instances", _SS + "/{name}/delete", frozenset({"POST"})),
    Route("list_vms", _SS + "/{name}/virtualMachines", frozenset({"GET"})),
    Route("vm", _SS + "/{name}/virtualMachines/{instance_id}", frozenset({"GET", "DELETE"})),
    Route(
        "list_all_scale_sets",
        "subscriptions/{sub}/providers/Microsoft.Compute/virtualMachineScaleSets",
        frozenset({"GET"}),
    ),
    Route(
        "operation",
        "subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/operations/{op}",
        frozenset({"GET"}),
    ),
    Route("feature", _FEATURE, frozenset({"GET"})),
    Route("register_feature", _FEATURE + "/register", frozenset({"POST"})),
)


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A matched route with its decoded path parameters."""

    route: Route
    params: dict[str, str]

    @property
    def name(self) -> str:
        """The operation name."""
        return self.route.name


def split_path(path: str) -> list[str]:
    """Decoded segments of ``path`` (one leading and one trailing slash ignored)."""
    trimmed = path[1:] if path.startswith("/") else path
    if trimmed.endswith("/"):
        trimmed = trimmed[:-1]
    return [unquote(part, errors="replace") for part in trimmed.split("/")]


def resolve(method: str, path: str) -> RouteMatch:
    """The route serving ``method`` on ``path``.

    Raises:
        ArmException: 404 ``InvalidResourceType`` for an unknown path, 405 ``MethodNotAllowed``
            for a known path and a method it does not serve.
    """
    parts = split_path(path)
    known = False
    for route in ROUTES:
        params = route.match(parts)
        if params is None:
            continue
        known = True
        if method.upper() in route.methods:
            return RouteMatch(route, params)
    if known:
        raise ArmException(
            405,
            METHOD_NOT_ALLOWED,
            f"The requested resource does not support http method '{method.upper()}'.",
        )
    raise ArmException(
        404, INVALID_RESOURCE_TYPE, f"The resource type for path '{path}' could not be found."
    )
