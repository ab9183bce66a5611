"""Checking what the fake answers against the published schema (tests only, never at runtime).

``response_problems`` lists every way one response body departs from its operation's response
definition: a member the definition lacks, a secret shown, a value of the wrong type or outside
a closed enum. ``problems_of(request, response)`` finds the operation from the route.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fakevmss._errors import ArmException
from fakevmss._http import WireRequest, WireResponse
from fakevmss._schema import SCHEMA_VERSIONS, ApiSchema, schema_for
from fakevmss._wire._endpoints import resolve
from fakevmss._wire._serialize import SCALE_SET_TYPE, VM_TYPE

NEWEST = SCHEMA_VERSIONS[-1]
_SCALARS = {
    "string": (str,),
    "date-time": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "object": (dict,),
}


def _scalar_problem(kind: str, value: Any, path: str) -> str | None:
    if kind == "any":
        return None
    if kind.startswith("integer"):
        ok = type(value) is int
    else:
        ok = type(value) in _SCALARS[kind] and not (kind == "number" and type(value) is bool)
    if ok and kind == "date-time":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            ok = False
    return None if ok else f"{path}: {kind} expected, got {value!r:.60}"


def response_problems(
    schema: ApiSchema, kind: str, value: Any, path: str = "$", *, secrets: bool = False
) -> list[str]:
    """Every departure of ``value`` from type string ``kind`` (wire spelling, exact case).

    ``secrets``: secret members may appear (the generated "MaximumSet" examples show them).
    """
    kind = kind.split(" ")[0]
    if value is None:
        return []
    if kind.startswith("#"):
        return _object_problems(schema, kind[1:], value, path, secrets)
    if kind.startswith("[") or kind.startswith("{"):
        items = _items(value, kind[0] == "[", path)
        if isinstance(items, str):
            return [items]
        return [
            problem
            for where, item in items
            for problem in response_problems(schema, kind[1:-1], item, where, secrets=secrets)
        ]
    if kind.startswith("enum:"):
        enum = schema.enums[kind[5:]]
        if not isinstance(value, str) or (enum.closed and value not in enum.values):
            return [f"{path}: {value!r} is not a value of {kind[5:]}"]
        return []
    problem = _scalar_problem(kind, value, path)
    return [] if problem is None else [problem]


def _items(value: Any, array: bool, path: str) -> list[tuple[str, Any]] | str:
    """The (path, item) pairs of an array or a map, or the problem when ``value`` is neither."""
    if array:
        if not isinstance(value, list):
            return f"{path}: array expected"
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        return f"{path}: object expected"
    return [(f"{path}.{key}", item) for key, item in value.items()]


def _object_problems(
    schema: ApiSchema, name: str, value: Any, path: str, secrets: bool
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: object ({name}) expected"]
    members = schema.definitions[name]
    problems = []
    for key, item in value.items():
        member = members.get(key)
        if member is None:
            problems.append(f"{path}.{key}: not a member of {name}")
        elif member.secret and not secrets:
            problems.append(f"{path}.{key}: a secret was returned")
        else:
            problems += response_problems(
                schema, member.type, item, f"{path}.{key}", secrets=secrets
            )
    return problems


def _version(request: WireRequest) -> str:
    query = dict(parse_qsl(urlsplit(request.url).query))
    version = query.get("api-version", "")
    return version if version in SCHEMA_VERSIONS else NEWEST  # served as the newest (lenient)


def response_type(request: WireRequest, response: WireResponse, body: Any) -> str | None:
    """The type string ``response`` must match, or None when the files do not describe it."""
    try:
        match = resolve(request.method, urlsplit(request.url).path)
    except ArmException:
        match = None
    if response.status >= 400:
        return "#CloudError"
    if match is None or not response.body:
        return None
    if match.name == "operations.get":  # Location poll: the resource once a PUT/PATCH ends
        kind = body.get("type") if isinstance(body, dict) else None
        return {
            SCALE_SET_TYPE: "#VirtualMachineScaleSet",
            VM_TYPE: "#VirtualMachineScaleSetVM",
        }.get(str(kind))
    op_id = match.endpoint.operation_id
    schema = schema_for(_version(request))
    if op_id is None or schema is None:
        return None
    return schema.operations[op_id].responses.get(str(response.status))


def problems_of(request: WireRequest, response: WireResponse) -> list[str]:
    """How one answer of the fake departs from the published schema (empty: it conforms)."""
    body = None
    if response.body:
        try:
            body = json.loads(response.body)
        except ValueError:
            return [f"{request.method} {request.url}: the body is not JSON"]
    kind = response_type(request, response, body)
    schema = schema_for(_version(request))
    if kind is None or schema is None:
        return []
    where = f"{request.method} {urlsplit(request.url).path} -> {response.status}"
    return [f"{where}: {p}" for p in response_problems(schema, kind, body)]


def prune(schema: ApiSchema, kind: str, value: Any) -> Any:
    """``value`` without the members ``kind`` lacks (a body cut down to an older version)."""
    kind = kind.split(" ")[0]
    if kind.startswith("#") and isinstance(value, dict):
        members = schema.definitions[kind[1:]]
        return {k: prune(schema, members[k].type, v) for k, v in value.items() if k in members}
    if kind.startswith("[") and isinstance(value, list):
        return [prune(schema, kind[1:-1], v) for v in value]
    if kind.startswith("{") and isinstance(value, dict):
        return {k: prune(schema, kind[1:-1], v) for k, v in value.items()}
    return value
