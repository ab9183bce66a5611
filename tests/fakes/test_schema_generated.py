"""The checked-in schema modules: up to date with the spec copies, and consistent with the fake.

The up-to-date check regenerates every module into a temporary directory and compares bytes.
It needs Microsoft's spec copies: the directory in ``AIOVMSS_SPEC_DIR``, else a ``shared/spec``
directory next to the repository or next to its parent; without them it is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fakevmss._schema import SCHEMA_VERSIONS, ApiSchema, schema_for
from fakevmss._wire._call import EXPAND_SCALE_SET, EXPAND_VM
from fakevmss._wire._endpoints import ENDPOINTS
from fakevmss._wire._serialize import SECRET_PATHS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "fakes" / "fakevmss" / "_schema"


def spec_dir() -> Path | None:
    """Where the spec copies are, or None."""
    configured = os.environ.get("AIOVMSS_SPEC_DIR")
    if configured:
        return Path(configured)
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "spec").is_dir():
            return base / "shared" / "spec"
    return None


def generator() -> ModuleType:
    location = ROOT / "tools" / "gen_schemas.py"
    loaded = importlib.util.spec_from_file_location("gen_schemas", location)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spec() -> Path:
    found = spec_dir()
    if found is None or not found.is_dir():
        pytest.skip(
            "Microsoft's spec copies are not here: set AIOVMSS_SPEC_DIR to check that the "
            "generated schema modules are up to date"
        )
    return found


def test_checked_in_modules_are_what_the_generator_writes(spec: Path, tmp_path: Path) -> None:
    assert generator().main(["--spec", str(spec), "--out", str(tmp_path)]) == 0
    for version in SCHEMA_VERSIONS:
        name = f"v{version.replace('-', '_')}.py"
        assert (tmp_path / name).read_bytes() == (SCHEMA_DIR / name).read_bytes(), (
            f"{name} is out of date: run python tools/gen_schemas.py --spec DIR"
        )


def test_the_spec_copies_carry_no_inline_examples(spec: Path) -> None:
    """So the request examples walked are the spec-examples fixtures (their source files)."""
    for version in SCHEMA_VERSIONS:
        data = json.loads((spec / version / "virtualMachineScaleSet.json").read_text("utf-8"))
        for item in data["paths"].values():
            for op in item.values():
                for example in (op.get("x-ms-examples") or {}).values():
                    assert set(example) == {"$ref"}


def test_generator_reports_a_missing_spec_directory(tmp_path: Path) -> None:
    assert generator().main(["--spec", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 1


def schemas() -> list[ApiSchema]:
    found = [schema_for(version) for version in SCHEMA_VERSIONS]
    assert None not in found
    return [schema for schema in found if schema is not None]


def test_every_served_route_is_a_published_operation() -> None:
    for schema in schemas():
        for endpoint in ENDPOINTS:
            if endpoint.operation_id is not None:
                published = schema.operations.get(endpoint.operation_id)
                if published is None:  # served from a later api-version only
                    assert endpoint.since is not None and endpoint.since > schema.version
                    continue
                assert published.method == endpoint.method, endpoint.name
        put = schema.operations["VirtualMachineScaleSets_CreateOrUpdate"]
        assert put.body == "#VirtualMachineScaleSet" and put.body_required
        assert schema.operations["VirtualMachineScaleSets_Update"].body == (
            "#VirtualMachineScaleSetUpdate"
        )
    # Bodies another helper's operations will need are generated too.
    for needed in (
        "VirtualMachineScaleSetVMInstanceIDs",
        "VirtualMachineScaleSetReimageParameters",
    ):
        assert all(needed in schema.definitions for schema in schemas())


def test_the_overlay_adds_what_the_resilient_page_documents() -> None:
    old, new = schemas()
    assert "resiliencyPolicy" in old.definitions["VirtualMachineScaleSetProperties"]
    status = new.definitions["VirtualMachineScaleSetVMProperties"]["resilientVMDeletionStatus"]
    assert status.read_only and status.type == "enum:ResilientVMDeletionStatus"
    assert "resilientVMDeletionStatus" not in old.definitions["VirtualMachineScaleSetVMProperties"]
    assert "resiliencyView" in (new.operations["VirtualMachineScaleSetVMs_Get"].expand or ())
    assert "resiliencyView" not in (old.operations["VirtualMachineScaleSetVMs_Get"].expand or ())


def test_the_fake_serves_every_expand_value_the_schema_has() -> None:
    for schema in schemas():
        for op_id, served in (
            ("VirtualMachineScaleSets_Get", EXPAND_SCALE_SET),
            ("VirtualMachineScaleSetVMs_Get", EXPAND_VM),
        ):
            values = {value.lower() for value in schema.operations[op_id].expand or ()}
            assert values <= served, op_id


def secret_paths(schema: ApiSchema, kind: str, prefix: tuple[str, ...], out: set[Any]) -> None:
    kind = kind.split(" ")[0]
    if kind[:1] in "[{":
        secret_paths(schema, kind[1:-1], (*prefix, "*"), out)
    elif kind.startswith("#") and len(prefix) < 12:
        for member in schema.definitions[kind[1:]].values():
            if member.secret:
                out.add((*prefix, member.name))
            elif not member.read_only:
                secret_paths(schema, member.type, (*prefix, member.name), out)


def test_the_serialiser_hides_every_secret_the_schema_marks() -> None:
    found: set[Any] = set()
    for schema in schemas():
        for kind in ("#VirtualMachineScaleSetVMProfile", "#VirtualMachineScaleSetUpdateVMProfile"):
            secret_paths(schema, kind, (), found)
    assert found == set(SECRET_PATHS)
