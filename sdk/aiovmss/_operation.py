"""Operation descriptions: each ARM operation of the client, declared once, as data.

An :class:`Operation` says everything the wire needs: method, path (a :class:`Scope` plus a
suffix), query parameters and headers (:class:`Param`), body model, result model (a class),
long-running or paged, the api-version it needs and, for a long-running one, where its result
is read (``final-state-via``). ``aiovmss._catalog`` holds the table;
``OperationContext.prepare`` (pure) turns an operation and the caller's arguments into a
request and ``OperationContext.call`` sends it: the operation groups are thin methods over
both. See ``docs/client/operations.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from aiovmss._versions import ApiVersion

if TYPE_CHECKING:
    from aiovmss.models import ArmModel

__all__ = [
    "FinalStateVia",
    "Operation",
    "Param",
    "Scope",
    "action",
    "check_param",
    "result_registry",
]


R = TypeVar("R")


class FinalStateVia(StrEnum):
    """Where a long-running operation's result is read once it succeeded (the spec's option).

    ``ORIGINAL_URI``: GET the resource the request named (PUT, PATCH). ``LOCATION``: GET the
    ``Location`` URL of the first response (a POST that returns a body).
    """

    ORIGINAL_URI = "original-uri"
    LOCATION = "location"


@dataclass(frozen=True, slots=True)
class Scope:
    """Where an operation's resource lives, below ``/subscriptions/{sub}``.

    ``path`` has one ``{}`` per name, in order; ``kinds`` names them for error messages;
    ``label`` (same ``{}``) is the resource as logs and errors show it (the subscription id
    when the scope has no names). ``render_path`` and ``render_label`` fill them in.
    """

    path: str
    kinds: tuple[str, ...] = ()
    label: str = ""
    # %-templates: filled in faster than str.format, on every request (GET of one VM too).
    _path_template: str = field(init=False, repr=False, compare=False)
    _label_template: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for template in (self.path, self.label):
            if template.count("{}") != len(self.kinds) and template:
                raise ValueError(f"scope {self.path!r}: one {{}} per name kind")
        object.__setattr__(self, "_path_template", _percent_template(self.path))
        object.__setattr__(self, "_label_template", _percent_template(self.label))

    def render_path(self, segments: tuple[str, ...]) -> str:
        """The path with ``segments`` (already checked and percent-encoded) in place."""
        return self._path_template % segments

    def render_label(self, names: tuple[object, ...]) -> str:
        """The resource label with the raw ``names`` in place."""
        return self._label_template % names


def _percent_template(template: str) -> str:
    """``template`` with each ``{}`` turned into ``%s`` (and any ``%`` kept literal)."""
    return template.replace("%", "%%").replace("{}", "%s")


@dataclass(frozen=True, slots=True)
class Param:
    """A query parameter or header: its wire name, the method's argument, type and first version.

    A value of None is not sent, unless ``always``: then None is a TypeError (``forceDeletion``
    is on every delete). ``bool`` values go on the wire as ``true``/``false``.
    """

    wire: str
    arg: str
    kind: type[bool] | type[str] = str
    where: Literal["query", "header"] = "query"
    since: ApiVersion | None = None
    always: bool = False


@dataclass(frozen=True, slots=True)
class Operation(Generic[R]):
    """One ARM operation whose answer is an ``R``: everything needed to send it and read it.

    ``R`` is the result model (a page model for a paged operation; None for no result).

    Attributes:
        name: ``group.method`` as logs and errors show it (``scale_sets.begin_start``).
        method: the HTTP method.
        scope: where the resource lives; ``suffix`` is appended to its path (``/start``).
        params: the query parameters and headers the operation takes.
        body: the request body's model (None: the operation sends no body).
        body_required: a body must be given (PUT, PATCH, required instance ids).
        body_since: wire names of body members and the first api-version that has them.
        result: the model of the result (a page model for a paged operation; None: nothing).
        long_running: answers with a poller (``begin_*``).
        paged: answers with ``AsyncPaged`` of the page model's items (``list*``).
        since: the first api-version that has the operation (None: every supported one).
        final_state_via: where a long-running operation's result is read (None: no result).
        api_version: a fixed api-version (Microsoft.Features), else the client's.
    """

    name: str
    method: str
    scope: Scope
    suffix: str = ""
    params: tuple[Param, ...] = ()
    body: type[ArmModel] | None = None
    body_required: bool = False
    body_since: tuple[tuple[str, ApiVersion], ...] = ()
    result: type[R] | None = None
    long_running: bool = False
    paged: bool = False
    since: ApiVersion | None = None
    final_state_via: FinalStateVia | None = None
    api_version: str | None = None

    def __post_init__(self) -> None:
        if self.long_running and self.result is not None and self.final_state_via is None:
            default = (
                FinalStateVia.ORIGINAL_URI
                if self.method in ("PUT", "PATCH")
                else FinalStateVia.LOCATION
            )
            object.__setattr__(self, "final_state_via", default)
        if self.paged and self.long_running:
            raise ValueError(f"{self.name}: an operation is paged or long-running, not both")

    @property
    def verb(self) -> str:
        """The method's name without its group (``begin_start``)."""
        return self.name.rpartition(".")[2]


def action(
    name: str,
    scope: Scope,
    suffix: str,
    *,
    body: type[ArmModel] | None = None,
    body_required: bool = False,
    params: tuple[Param, ...] = (),
    since: ApiVersion | None = None,
    body_since: tuple[tuple[str, ApiVersion], ...] = (),
) -> Operation[None]:
    """A POST action: long-running, no result (start, power off, restart, reimage, ...)."""
    return Operation(
        name,
        "POST",
        scope,
        suffix,
        params=params,
        body=body,
        body_required=body_required,
        body_since=body_since,
        long_running=True,
        since=since,
    )


def result_registry(operations: Sequence[Operation[Any]]) -> Mapping[str, type[ArmModel]]:
    """``{model name: model class}`` of every long-running result, for continuation tokens.

    A token names its result model (a string survives JSON); resuming looks the class up here.

    Raises:
        ValueError: two different classes share a name (a token could not tell them apart).
    """
    registry: dict[str, type[ArmModel]] = {}
    for operation in operations:
        model = operation.result
        if not operation.long_running or model is None:
            continue
        if not (isinstance(model, type) and hasattr(model, "from_wire")):
            raise TypeError(f"{operation.name}: the result must be a model class")
        known = registry.setdefault(model.__name__, model)
        if known is not model:
            raise ValueError(f"two LRO result models are named {model.__name__!r}")
    return registry


def check_param(param: Param, value: Any) -> str | None:
    """``value`` as the wire text of ``param`` (None: not sent).

    Raises:
        TypeError: the value is not of the parameter's type (``"false"`` for a bool would be
            truthy), or None for a parameter sent ``always``.
    """
    if value is None and not param.always:
        return None
    if param.kind is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{param.arg} must be a bool, not {type(value).__name__}")
        return "true" if value else "false"
    if not isinstance(value, str):
        raise TypeError(f"{param.arg} must be a str or None, not {type(value).__name__}")
    return value
