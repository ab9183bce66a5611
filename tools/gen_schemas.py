"""Generate the fake's schema modules from Microsoft's published OpenAPI files (stdlib only).

    python tools/gen_schemas.py --spec DIR            # writes fakes/fakevmss/_schema/v*.py
    python tools/gen_schemas.py --spec DIR --out TMP  # writes elsewhere (the up-to-date test)

``DIR`` holds unmodified copies of Azure/azure-rest-api-specs files laid out as
``<api-version>/virtualMachineScaleSet.json``, ``<api-version>/computeRPCommon.json``,
``<api-version>/virtualMachine.json`` and ``common-types/v1/common.json``, with a
``SOURCES.md`` table naming each file's repository path and commit (``--spec`` defaults to the
environment variable ``AIOVMSS_SPEC_DIR``). The ``../../../common-types/v1/common.json`` refs of
the version folders are read from ``common-types/v1/common.json``.

One module per api-version: every definition reachable from a request or response body of the
``VirtualMachineScaleSets`` and ``VirtualMachineScaleSetVMs`` operation groups, ``allOf``
flattened, members in wire spelling with a compact type string (see ``fakevmss._schema``), the
enums, and an operation table. Output is sorted, so the same input gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

VERSIONS = ("2023-07-01", "2024-07-01")
VERSION_FILES = ("virtualMachineScaleSet.json", "computeRPCommon.json", "virtualMachine.json")
COMMON = "common-types/v1/common.json"
GROUPS = ("VirtualMachineScaleSets_", "VirtualMachineScaleSetVMs_")
METHODS = ("get", "put", "patch", "post", "delete")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "fakes" / "fakevmss" / "_schema"

Schema = dict[str, Any]


class SpecError(Exception):
    """The spec copies are missing, malformed, or use a construct this generator does not map."""


class Spec:
    """The spec files of one api-version, loaded on demand, with ``$ref`` resolution."""

    def __init__(self, root: Path, version: str) -> None:
        self.root = root
        self.version = version
        self._files: dict[str, Schema] = {}

    def file(self, key: str) -> Schema:
        """A spec file by its key (path under the spec directory)."""
        if key not in self._files:
            path = self.root / key
            try:
                self._files[key] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SpecError(f"cannot read {path}: {exc}") from None
        return self._files[key]

    def ref_key(self, ref: str, base: str) -> tuple[str, str]:
        """``(file key, definition name)`` of a ``#/definitions/...`` ref written in ``base``."""
        file_part, _, pointer = ref.partition("#")
        if not pointer.startswith("/definitions/"):
            raise SpecError(f"unsupported ref {ref!r} in {base}")
        if not file_part:
            key = base
        elif file_part.endswith(COMMON):
            key = COMMON  # Compute's own common-types, stored flat (see SOURCES.md)
        elif file_part.startswith("./") and "/" not in file_part[2:]:
            key = f"{self.version}/{file_part[2:]}"
        else:
            raise SpecError(f"unsupported ref file {file_part!r} in {base}")
        return key, pointer[len("/definitions/") :]

    def definition(self, key: str, name: str) -> Schema:
        """The definition ``name`` of file ``key``."""
        try:
            found: Schema = self.file(key)["definitions"][name]
        except KeyError:
            raise SpecError(f"{key} has no definition {name!r}") from None
        return found


class Builder:
    """Collects the object definitions and enums reachable from the chosen operations."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.objects: dict[str, dict[str, str]] = {}
        self.required: dict[str, list[str]] = {}
        self.enums: dict[str, tuple[bool, tuple[str, ...]]] = {}
        self._origin: dict[str, tuple[str, str]] = {}
        self._pending: list[tuple[str, Schema, str]] = []

    # -- types ------------------------------------------------------------------------------

    def type_of(self, schema: Schema, base: str, context: str) -> str:
        """The compact type string of ``schema`` (written in file ``base``)."""
        if "$ref" in schema:
            key, name = self.spec.ref_key(schema["$ref"], base)
            target = self.spec.definition(key, name)
            if is_object(target):
                return "#" + self.object_named(name, target, key)
            return self.type_of(target, key, name)
        if "enum" in schema:
            return "enum:" + self.enum_named(schema, context)
        kind = schema.get("type")
        if kind == "array":
            return "[" + self.type_of(schema.get("items", {}), base, context + "Item") + "]"
        if is_object(schema):
            return "#" + self.object_named(inline_name(schema, context), schema, base)
        if kind == "object" or "additionalProperties" in schema:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                return "{" + self.type_of(extra, base, context + "Value") + "}"
            return "{any}" if extra is True else "object"
        return scalar_type(schema, kind)

    def enum_named(self, schema: Schema, context: str) -> str:
        """Register an enum (named by ``x-ms-enum``) and return its name."""
        info = schema.get("x-ms-enum", {})
        name = info.get("name") or context
        values = tuple(str(value) for value in schema["enum"])
        closed = not info.get("modelAsString", False)
        known = self.enums.get(name)
        if known is not None and known != (closed, values):
            name = f"{name}_{hashlib.sha256(repr(values).encode()).hexdigest()[:6]}"
        self.enums[name] = (closed, values)
        return name

    def object_named(self, name: str, schema: Schema, key: str) -> str:
        """Queue an object definition (once) and return its name."""
        origin = self._origin.get(name)
        if origin is None:
            self._origin[name] = (key, json.dumps(schema, sort_keys=True))
            self.objects[name] = {}
            self._pending.append((name, schema, key))
        elif origin != (key, json.dumps(schema, sort_keys=True)):
            raise SpecError(f"two different definitions are both named {name!r}")
        return name

    # -- objects ----------------------------------------------------------------------------

    def drain(self) -> None:
        """Build every queued object definition (building one may queue more)."""
        while self._pending:
            name, schema, key = self._pending.pop()
            members: dict[str, str] = {}
            required: list[str] = []
            for part, part_key in self.parts(schema, key):
                required.extend(part.get("required", ()))
                for member, member_schema in part.get("properties", {}).items():
                    members[member] = self.member(member_schema, part_key, name, member)
            for member in set(required) & set(members):
                members[member] += " req"
            check_case_unique(name, members)
            self.objects[name] = members
            self.required[name] = sorted(set(required) & set(members))

    def parts(self, schema: Schema, key: str) -> Iterator[tuple[Schema, str]]:
        """``schema`` and, first, everything it inherits through ``allOf`` (depth first)."""
        for parent in schema.get("allOf", ()):
            if "$ref" in parent:
                parent_key, parent_name = self.spec.ref_key(parent["$ref"], key)
                yield from self.parts(self.spec.definition(parent_key, parent_name), parent_key)
            else:
                yield from self.parts(parent, key)
        yield schema, key

    def member(self, schema: Schema, key: str, owner: str, member: str) -> str:
        """The type string of one member plus its flags (``ro``, ``secret``)."""
        text = self.type_of(schema, key, owner + member[:1].upper() + member[1:])
        if schema.get("readOnly"):
            text += " ro"
        if schema.get("x-ms-secret"):
            text += " secret"
        return text


def is_object(schema: Schema) -> bool:
    """Whether ``schema`` is a structured object (properties or inheritance)."""
    return "properties" in schema or "allOf" in schema


def inline_name(schema: Schema, context: str) -> str:
    """A name for an inline object: its ``x-ms-client-name`` (capitalised) or the context."""
    client = schema.get("x-ms-client-name")
    return client[:1].upper() + client[1:] if client else context


def scalar_type(schema: Schema, kind: Any) -> str:
    """``string``, ``date-time``, ``integer`` (maybe bounded), ``number``, ``boolean``, ``any``."""
    if kind == "string":
        return "date-time" if schema.get("format") == "date-time" else "string"
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None and high is None:
            return "integer"
        return f"integer:{'' if low is None else int(low)}..{'' if high is None else int(high)}"
    if kind in ("number", "boolean"):
        return str(kind)
    if kind is None:
        return "any"
    raise SpecError(f"unsupported type {kind!r}")


def check_case_unique(name: str, members: dict[str, str]) -> None:
    """Members matched case-insensitively must not differ by case alone."""
    lowered = [member.lower() for member in members]
    if len(set(lowered)) != len(lowered):
        raise SpecError(f"{name} has members that differ only by case")


def operations(builder: Builder) -> dict[str, tuple[Any, ...]]:
    """The operation table; registers every body and response definition with ``builder``."""
    spec = builder.spec
    base = f"{spec.version}/virtualMachineScaleSet.json"
    table: dict[str, tuple[Any, ...]] = {}
    for path, item in spec.file(base)["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None or not op["operationId"].startswith(GROUPS):
                continue
            body, body_required, expand = None, False, None
            for param in op.get("parameters", ()):
                if param.get("in") == "body":
                    body = builder.type_of(param["schema"], base, op["operationId"] + "Body")
                    body_required = bool(param.get("required"))
                elif param.get("in") == "query" and param.get("name") == "$expand":
                    expand = tuple(param.get("enum", ()))
            responses = tuple(
                (code, builder.type_of(r["schema"], base, op["operationId"] + code))
                if "schema" in r
                else (code, None)
                for code, r in sorted(op["responses"].items())
            )
            table[op["operationId"]] = (
                method.upper(),
                path,
                body,
                body_required,
                responses,
                expand,
            )
    return dict(sorted(table.items()))


# -- output ---------------------------------------------------------------------------------


def sources(root: Path, version: str) -> list[tuple[str, str, str]]:
    """``(local path, commit, sha256)`` of each file used, commits read from SOURCES.md."""
    commits: dict[str, str] = {}
    listing = root / "SOURCES.md"
    if listing.exists():
        for line in listing.read_text(encoding="utf-8").splitlines():
            cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and re.fullmatch(r"[0-9a-f]{40}", cells[2]):
                commits[cells[0]] = cells[2]
    keys = [f"{version}/{name}" for name in VERSION_FILES] + [COMMON]
    return [
        (key, commits.get(key, "unknown"), hashlib.sha256((root / key).read_bytes()).hexdigest())
        for key in keys
    ]


def enum_text(closed: bool, values: tuple[str, ...]) -> str:
    """``closed:A|B`` or ``open:A|B`` (``x-ms-enum.modelAsString`` false or true)."""
    if any("|" in value for value in values):
        raise SpecError(f"an enum value contains '|': {values!r}")
    return ("closed:" if closed else "open:") + "|".join(values)


def operation_lines(name: str, op: tuple[Any, ...]) -> list[str]:
    """One OPERATIONS entry: method, path, body type, body required, responses, $expand."""
    method, path, body, body_required, responses, expand = op
    answers = " ".join(f"{code}:{kind or '-'}" for code, kind in responses)
    values = [
        method,
        path,
        body,
        body_required,
        answers,
        None if expand is None else "|".join(expand),
    ]
    items = [f"        {json.dumps(v) if isinstance(v, str) else repr(v)}," for v in values]
    return [f"    {json.dumps(name)}: (", *items, "    ),"]


def render(version: str, files: list[tuple[str, str, str]], builder: Builder, ops: Any) -> str:
    """The module text (laid out as ``ruff format`` keeps it)."""
    lines = [
        f'"""Schema of Microsoft.Compute api-version {version}: GENERATED, do not edit.',
        "",
        "Generated by tools/gen_schemas.py from these files of Azure/azure-rest-api-specs, each",
        "at the commit shown (under specification/compute/resource-manager/Microsoft.Compute/,",
        "in ComputeRP/stable/ for the versioned ones; SHA-256 of each copy in SOURCES below):",
        "",
    ]
    lines += [f"- {key} at {commit}" for key, commit, _ in files]
    lines += [
        "",
        "Regenerate with ``python tools/gen_schemas.py --spec DIR`` (DIR as that script",
        "describes). The formats of the tables are explained in ``fakevmss._schema``.",
        '"""',
        "",
        f"API_VERSION = {json.dumps(version)}",
        "",
        "SOURCES: tuple[tuple[str, str, str], ...] = (",
    ]
    for key, commit, digest in files:
        lines += ["    (", f"        {json.dumps(key)},", f"        {json.dumps(commit)},"]
        lines += [f"        {json.dumps(digest)},", "    ),"]
    lines += [
        ")",
        "",
        "OPERATIONS: dict[str, tuple[str, str, str | None, bool, str, str | None]] = {",
    ]
    for name in ops:
        lines += operation_lines(name, ops[name])
    lines += ["}", "", "ENUMS: dict[str, str] = {"]
    for name in sorted(builder.enums):
        line = f"    {json.dumps(name)}: {json.dumps(enum_text(*builder.enums[name]))},"
        lines.append(line if len(line) <= 100 else line + "  # noqa: E501")
    lines += ["}", "", "DEFINITIONS: dict[str, dict[str, str]] = {"]
    for name in sorted(builder.objects):
        members = builder.objects[name]
        lines.append(f"    {json.dumps(name)}: {{")
        lines += [f"        {json.dumps(m)}: {json.dumps(members[m])}," for m in sorted(members)]
        lines.append("    },")
    lines += ["}", ""]
    return "\n".join(lines)


def generate(root: Path, version: str) -> str:
    """The module text for ``version`` from the spec copies under ``root``."""
    builder = Builder(Spec(root, version))
    ops = operations(builder)
    builder.drain()
    return render(version, sources(root, version), builder, ops)


def main(argv: list[str] | None = None) -> int:
    """Write one module per api-version; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=os.environ.get("AIOVMSS_SPEC_DIR"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.spec is None:
        parser.error("give --spec DIR or set AIOVMSS_SPEC_DIR")
    try:
        for version in VERSIONS:
            target = args.out / f"v{version.replace('-', '_')}.py"
            target.write_text(generate(args.spec, version), encoding="utf-8")
            print(f"wrote {target}")
    except (SpecError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
