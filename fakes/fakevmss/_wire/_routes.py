"""Path templates matched case-insensitively, and a router from (method, path) to a value.

Paths are split on ``/`` first and each segment is URL-decoded afterwards, so an encoded slash
(``%2F``) stays inside one name, where name validation refuses it. A template's parameters are
written as the published API writes them (``{vmScaleSetName}``): they are the names that errors
about a bad path segment target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import unquote

from fakevmss._errors import INVALID_RESOURCE_TYPE, METHOD_NOT_ALLOWED, ArmException

__all__ = ["Route", "Router", "split_path"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Route:
    """One path template: its segments, literal ones compared lower-cased."""

    template: str
    segments: tuple[str, ...] = field(init=False)
    #: Per segment: the parameter name, or None for a literal (compared lower-cased).
    _slots: tuple[tuple[str | None, str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        segments = tuple(self.template.strip("/").split("/"))
        object.__setattr__(self, "segments", segments)
        slots = tuple(
            (seg[1:-1], "") if seg.startswith("{") else (None, seg.lower()) for seg in segments
        )
        object.__setattr__(self, "_slots", slots)

    @property
    def shape(self) -> tuple[str, ...]:
        """The segments with every parameter blanked, lower-cased: equal shapes match alike."""
        return tuple("{}" if name is not None else literal for name, literal in self._slots)

    @property
    def params(self) -> tuple[str, ...]:
        """The template's parameter names, in order."""
        return tuple(name for name, _ in self._slots if name is not None)

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


def split_path(path: str) -> list[str]:
    """Decoded segments of ``path`` (one leading and one trailing slash ignored)."""
    trimmed = path[1:] if path.startswith("/") else path
    if trimmed.endswith("/"):
        trimmed = trimmed[:-1]
    if "%" not in trimmed:
        return trimmed.split("/")
    return [unquote(part, errors="replace") for part in trimmed.split("/")]


class Router(Generic[T]):
    """``(method, path) -> (value, path parameters)`` over templates, first match first.

    Args:
        entries: ``(template, method, value)``; one template may serve several methods.
    """

    def __init__(self, entries: Iterable[tuple[str, str, T]]) -> None:
        routes: dict[tuple[str, ...], tuple[Route, dict[str, T]]] = {}
        for template, method, value in entries:
            new = Route(template)
            route, methods = routes.setdefault(new.shape, (new, {}))
            if method in methods:
                raise ValueError(f"{method} {template} is declared twice")
            methods[method] = value
        self._by_length: dict[int, list[tuple[Route, dict[str, T]]]] = {}
        for route, methods in routes.values():
            self._by_length.setdefault(len(route.segments), []).append((route, methods))

    def resolve(self, method: str, path: str) -> tuple[T, dict[str, str]]:
        """The value serving ``method`` on ``path`` and the path's parameters.

        Raises:
            ArmException: 404 ``InvalidResourceType`` for an unknown path, 405
                ``MethodNotAllowed`` for a known path and a method it does not serve.
        """
        parts = split_path(path)
        known = False
        for route, methods in self._by_length.get(len(parts), ()):
            params = route.match(parts)
            if params is None:
                continue
            known = True
            value = methods.get(method.upper())
            if value is not None:
                return value, params
        if known:
            raise ArmException(
                405,
                METHOD_NOT_ALLOWED,
                f"The requested resource does not support http method '{method.upper()}'.",
            )
        raise ArmException(
            404, INVALID_RESOURCE_TYPE, f"The resource type for path '{path}' could not be found."
        )
