"""No file of the repository cites a document that lives outside it.

The reference is the repository's own docs (``docs/``): a reader who follows a citation must find
it. A design note kept elsewhere, or a path on one machine, would leave them nothing to read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEARCHED = ["sdk", "fakes", "tests", "samples", "benchmarks", "docs"]
SEARCHED_FILES = ["README.md", "CHANGELOG.md", "mkdocs.yml", "pyproject.toml"]
# Spelled in pieces so that this file, which must name them, is not itself a hit for greps
# that look for such references elsewhere (the before-stop checks do).
DESIGN = "DESIGN"
SHARED = "shared"
FORBIDDEN = [f"{DESIGN} §", f"{DESIGN}.md", f"../{SHARED}", f"/work/{SHARED}"]
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}


def searched_files() -> list[Path]:
    files = [ROOT / name for name in SEARCHED_FILES]
    for folder in SEARCHED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and not SKIPPED_DIRS.intersection(path.parts):
                files.append(path)
    return [f for f in files if f.resolve() != Path(__file__).resolve()]


def outside_references(text: str) -> list[str]:
    return [needle for needle in FORBIDDEN if needle in text]


@pytest.mark.parametrize(
    "text", [f"see {DESIGN} §6", f"in {DESIGN}.md", f"../{SHARED}/x", f"/work/{SHARED}/y"]
)
def test_each_forbidden_form_is_caught(text: str) -> None:
    assert outside_references(text)


def test_a_docs_citation_is_fine() -> None:
    assert outside_references("see docs/fake/emulation.md") == []


def test_no_file_cites_a_document_outside_the_repository() -> None:
    files = searched_files()
    assert len(files) > 100  # the walk found the tree
    hits = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if outside_references(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert hits == [], "cite docs/<page>.md instead:\n" + "\n".join(hits)
