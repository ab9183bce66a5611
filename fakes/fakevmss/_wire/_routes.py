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
    #: Per segment: the parameter name, or None for a literal (compared lower-cased).
    _slots: tuple[tuple[str | None, str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        segments = tuple(self.template.split("/"))
        object.__setattr__(self, "segments", segments)
        slots = tuple(
            (seg[1:-1], "") if seg.startswith("{") else (None, seg.lower()) for seg in segments
        )
        object.__setattr__(self, "_slots", slots)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        """Path parameters if ``parts`` (decoded segments) fit this template, else None."""
        if len(parts) != len(self._slots):
            return None
        params: dict[str, str] = {}
        for (param, literal), part in zip(self._slots, parts, strict=True):
            if param is not None:
                params[param] = part
            elif literal != part.lower():
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


#: Routes by segment count, in ``ROUTES`` order (a path only fits templates of its length).
_BY_LENGTH: dict[int, tuple[Route, ...]] = {
    length: tuple(route for route in ROUTES if len(route.segments) == length)
    for length in {len(route.segments) for route in ROUTES}
}


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
    if "%" not in trimmed:
        return trimmed.split("/")
    return [unquote(part, errors="replace") for part in trimmed.split("/")]


def resolve(method: str, path: str) -> RouteMatch:
    """The route serving ``method`` on ``path``.

    Raises:
        ArmException: 404 ``InvalidResourceType`` for an unknown path, 405 ``MethodNotAllowed``
            for a known path and a method it does not serve.
    """
    parts = split_path(path)
    known = False
    for route in _BY_LENGTH.get(len(parts), ()):
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
