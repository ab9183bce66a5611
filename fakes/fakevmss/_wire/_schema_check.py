"""Request bodies checked against the published schema of their api-version.

``BodyChecker.check(operation_id, version, body, raw)`` is the one entry point: the route names
its operation, the operation names its body's definition. What it does (docs/fake/strictness.md):

- a member the definition does not have: 400 ``InvalidRequestContent`` with ARM's
  deserialiser message (member, object type, JSON path, line and position), ``target`` the
  path; with ``strict=False`` the member is kept as sent instead;
- a value of the wrong JSON type, outside a closed enum or out of range: 400
  ``InvalidParameter``, ``target`` the path;
- member names match case-insensitively (an exact match first) and are stored in their wire
  spelling; read-only members and ``null`` values are dropped (never stored).

The answer is a new, normalised document; free-form values (``object``/``any``) are reused as
parsed. Checkers are compiled once per definition and api-version, on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from fakevmss._errors import INVALID_REQUEST_CONTENT, ArmException, invalid_parameter
from fakevmss._schema import ApiSchema, Member, schema_for
from fakevmss._wire._json_position import value_position

__all__ = ["CHECKED_OPEN_ENUMS", "RESOURCE_DEFINITION", "BodyChecker", "json_path"]

#: The type ARM's front door names for the top level of a resource PUT or PATCH body.
RESOURCE_DEFINITION = "ResourceDefinition"

#: Extensible enums (``modelAsString: true``) whose values the fake checks anyway, because its
#: behaviour depends on them: an orchestration mode other than Uniform or Flexible is refused.
CHECKED_OPEN_ENUMS = frozenset({"OrchestrationMode"})

Check = Callable[[Any], Any]
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
_PLAIN_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


class Refusal(Exception):
    """A value refused deep in a body; ``path`` grows (innermost first) as it unwinds."""

    def __init__(self, unknown_in: str | None = None, problem: str = "") -> None:
        super().__init__(problem)
        self.unknown_in = unknown_in
        self.problem = problem
        self.path: list[str | int] = []


def json_path(path: list[str | int]) -> str:
    """A JSON path as ARM's deserialiser writes it: ``a.b[0].c``, ``tags['a b']``."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step and set(step) <= _PLAIN_NAME:
            text += f".{step}" if text else step
        else:
            text += "['" + step.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "a number")


def _wrong(expected: str, value: Any) -> Refusal:
    return Refusal(problem=f"must be {expected}, not {_kind(value)}")


def _of_type(expected: str, *types: type) -> Check:
    """A checker accepting values whose exact type is one of ``types`` (so not a bool for 1)."""

    def check(value: Any) -> Any:
        if type(value) not in types:
            raise _wrong(expected, value)
        return value

    return check


_string = _of_type("a string", str)
_integer = _of_type("an integer", int)


def _date_time(value: Any) -> Any:
    _string(value)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise Refusal(problem="must be an ISO 8601 date and time") from None
    return value


def _anything(value: Any) -> Any:
    return value


_SCALARS: dict[str, Check] = {
    "string": _string,
    "boolean": _of_type("a boolean", bool),
    "integer": _integer,
    "number": _of_type("a number", int, float),
    "object": _of_type("an object", dict),
    "date-time": _date_time,
    "any": _anything,
}


def _bounded(bounds: str) -> Check:
    low_text, _, high_text = bounds.partition("..")
    low = int(low_text) if low_text else None
    high = int(high_text) if high_text else None
    shown = f"between {low} and {high}" if None not in (low, high) else ""
    shown = shown or (f"at least {low}" if low is not None else f"at most {high}")

    def check(value: Any) -> Any:
        _integer(value)
        if (low is not None and value < low) or (high is not None and value > high):
            raise Refusal(problem=f"is out of range: the value must be {shown}, inclusive")
        return value

    return check


def _each(item: Check, *, array: bool) -> Check:
    """An array of ``item`` values, or (``array=False``) an object whose values are ``item``."""
    kind: type = list if array else dict
    expected = "an array" if array else "an object"

    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise _wrong(expected, value)
        out: dict[Any, Any] = {}
        step: str | int = 0
        pairs = enumerate(cast(list[Any], value)) if array else cast(dict[Any, Any], value).items()
        try:
            for step, element in pairs:
                out[step] = None if element is None else item(element)
        except Refusal as refusal:
            refusal.path.append(step)
            raise
        return list(out.values()) if array else out

    return check


def _enum(values: tuple[str, ...]) -> Check:
    canonical = {value.lower(): value for value in values}
    listed = ", ".join(values)

    def check(value: Any) -> Any:
        if type(value) is str:
            found = canonical.get(value.lower())
            if found is not None:
                return found
        shown = repr(value[:60]) if type(value) is str else _kind(value)
        raise Refusal(problem=f"has the value {shown}; it must be one of {listed}")

    return check


class _ObjectCheck:
    """The checker of one object definition; its members are compiled on first use."""

    __slots__ = ("_compiler", "_members", "name", "strict", "type_name")

    def __init__(self, name: str, compiler: _Compiler, *, strict: bool) -> None:
        self.name = name
        self.type_name = name
        self.strict = strict
        self._compiler = compiler
        self._members: dict[str, tuple[Member, Check | None]] | None = None

    def _compile(self) -> dict[str, tuple[Member, Check | None]]:
        members: dict[str, tuple[Member, Check | None]] = {}
        for member in self._compiler.schema.definitions[self.name].values():
            check = None if member.read_only else self._compiler.compile(member.type)
            members[member.name.lower()] = members[member.name] = (member, check)
        self._members = members
        return members

    def __call__(self, value: Any) -> Any:
        if type(value) is not dict:
            raise _wrong("an object", value)
        members = self._members if self._members is not None else self._compile()
        out: dict[str, Any] = {}
        key = ""
        try:
            for key, item in value.items():
                found = members.get(key) or members.get(key.lower())
                if found is None:
                    if self.strict:
                        raise Refusal(unknown_in=self.type_name)
                    out[key] = item
                elif found[1] is not None and item is not None:
                    out[found[0].name] = found[1](item)
                # else: read-only (ignored, as ARM does) or null (not given)
        except Refusal as refusal:
            refusal.path.append(key)
            raise
        return out


class _Compiler:
    """Type strings of one schema compiled to checkers (objects shared per definition)."""

    def __init__(self, schema: ApiSchema, *, strict: bool, checked_enums: frozenset[str]) -> None:
        self.schema = schema
        self.strict = strict
        self.checked_enums = checked_enums
        self._objects: dict[str, _ObjectCheck] = {}

    def obj(self, name: str) -> _ObjectCheck:
        """The shared checker of object definition ``name``."""
        found = self._objects.get(name)
        if found is None:
            found = self._objects[name] = _ObjectCheck(name, self, strict=self.strict)
        return found

    def compile(self, kind: str) -> Check:
        """The checker of one type string (without flags)."""
        if kind.startswith("#"):
            return self.obj(kind[1:])
        if kind.startswith("["):
            return _each(self.compile(kind[1:-1]), array=True)
        if kind.startswith("{"):
            return _each(self.compile(kind[1:-1]), array=False)
        if kind.startswith("enum:"):
            enum = self.schema.enums[kind[5:]]
            checked = enum.closed or kind[5:] in self.checked_enums
            return _enum(enum.values) if checked else _string
        if kind.startswith("integer:"):
            return _bounded(kind[8:])
        return _SCALARS[kind]


class BodyChecker:
    """Checks request bodies against the schema of their api-version.

    Args:
        strict: refuse unknown members (False keeps them, a deliberate deviation from Azure).
        checked_enums: extensible enums (``open:`` in the schema) checked like closed ones.
    """

    def __init__(
        self, *, strict: bool = True, checked_enums: frozenset[str] = CHECKED_OPEN_ENUMS
    ) -> None:
        self.strict = strict
        self.checked_enums = checked_enums
        self._compilers: dict[tuple[str, bool], _Compiler] = {}

    def _compiler(self, schema: ApiSchema, strict: bool) -> _Compiler:
        key = (schema.version, strict)
        found = self._compilers.get(key)
        if found is None:
            found = self._compilers[key] = _Compiler(
                schema, strict=strict, checked_enums=self.checked_enums
            )
        return found

    def check(
        self,
        operation_id: str,
        version: str,
        body: dict[str, Any],
        raw: bytes,
        *,
        strict: bool | None = None,
    ) -> dict[str, Any]:
        """``body`` checked and normalised; unchanged when ``version`` has no schema.

        ``strict`` (default: the checker's) is False for a request whose api-version was
        served leniently as an older one: members of the newer version are kept.

        Raises:
            ArmException: 400 ``InvalidRequestContent`` or ``InvalidParameter``.
        """
        schema = schema_for(version)
        operation = None if schema is None else schema.operations.get(operation_id)
        if schema is None or operation is None or operation.body is None:
            return body
        strict = self.strict if strict is None else strict
        compiler = self._compiler(schema, strict)
        top = compiler.compile(operation.body)
        if isinstance(top, _ObjectCheck) and operation.method in ("PUT", "PATCH"):
            top = _TopLevel(top, RESOURCE_DEFINITION)
        try:
            checked: dict[str, Any] = top(body)
        except Refusal as refusal:
            raise _answer(refusal, raw) from None
        return checked


class _TopLevel:
    """An object checker that names itself as ARM's front door does for the top level."""

    __slots__ = ("inner", "type_name")

    def __init__(self, inner: _ObjectCheck, type_name: str) -> None:
        self.inner = inner
        self.type_name = type_name

    def __call__(self, value: Any) -> Any:
        try:
            return self.inner(value)
        except Refusal as refusal:
            if refusal.unknown_in is not None and len(refusal.path) == 1:
                refusal.unknown_in = self.type_name
            raise


def _answer(refusal: Refusal, raw: bytes) -> ArmException:
    path = list(reversed(refusal.path))
    shown = json_path(path)
    if refusal.unknown_in is None:
        return invalid_parameter(shown, f"The value of parameter '{shown}' {refusal.problem}.")
    where = value_position(raw.decode("utf-8", "replace"), path)
    at = "" if where is None else f", line {where[0]}, position {where[1]}"
    member = str(path[-1])
    return ArmException(
        400,
        INVALID_REQUEST_CONTENT,
        "The request content was invalid and could not be deserialized: 'Could not find "
        f"member '{member}' on object of type '{refusal.unknown_in}'. Path '{shown}'{at}.'",
        target=shown,
    )
