"""Check the built sdist and wheel hold what a user and a packager need.

Usage: python .ci/check_dist.py dist/
The wheel: both packages, both py.typed markers, the pytest11 entry point, the version written in
aiovmss/_version.py, and no tests. The sdist: the packages plus samples, tests, docs and benchmarks.
Prints one line per check; exits 1 on the first failure.
"""

from __future__ import annotations

import ast
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version() -> str:
    """The version written in aiovmss/_version.py (the one source)."""
    for node in ast.parse((ROOT / "sdk/aiovmss/_version.py").read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            return str(node.value.value)
    raise SystemExit("no __version__ in sdk/aiovmss/_version.py")


def check(ok: bool, what: str) -> None:
    """Print one check's line; exit 1 if it failed."""
    print(f"  {'ok' if ok else 'FAIL'}  {what}")
    if not ok:
        raise SystemExit(1)


def check_wheel(path: Path, ver: str) -> None:
    """The wheel: packages, py.typed markers, entry point, metadata, no tests."""
    names = set(zipfile.ZipFile(path).namelist())
    read = zipfile.ZipFile(path).read
    for package in ("aiovmss", "fakevmss"):
        check(f"{package}/__init__.py" in names, f"wheel holds the {package} package")
        check(f"{package}/py.typed" in names, f"wheel holds {package}/py.typed")
    check("fakevmss/pytest_plugin.py" in names, "wheel holds fakevmss/pytest_plugin.py")
    dist_info = f"aiovmss-{ver}.dist-info"
    entry_points = read(f"{dist_info}/entry_points.txt").decode()
    check(
        "[pytest11]" in entry_points and "fakevmss = fakevmss.pytest_plugin" in entry_points,
        "wheel declares the pytest11 entry point fakevmss = fakevmss.pytest_plugin",
    )
    metadata = read(f"{dist_info}/METADATA").decode()
    check(f"\nVersion: {ver}\n" in metadata, f"wheel metadata says version {ver}")
    check("Classifier: Typing :: Typed" in metadata, "wheel metadata says Typing :: Typed")
    check(
        not any(n.startswith(("tests/", "samples/", "docs/")) for n in names), "wheel has no tests"
    )


def check_sdist(path: Path, ver: str) -> None:
    """The sdist: the packages plus samples, tests, docs and benchmarks."""
    prefix = f"aiovmss-{ver}/"
    with tarfile.open(path) as archive:
        names = {n.removeprefix(prefix) for n in archive.getnames()}
    wanted = [
        "sdk/aiovmss/__init__.py",
        "fakes/fakevmss/__init__.py",
        "samples/quickstart.py",
        "samples/downstream_test_example/README.md",
        "tests/conftest.py",
        "tests/test_public_contract.py",
        "tests/fixtures/spec_examples.sha256",
        "docs/index.md",
        "docs/fake/emulation.md",
        "mkdocs.yml",
        "benchmarks/README.md",
        "CHANGELOG.md",
    ]
    for name in wanted:
        check(name in names, f"sdist holds {name}")
    check(any(n.startswith("docs/reference/") for n in names), "sdist holds docs/reference/")


def main() -> None:
    """Check the one wheel and the one sdist of this version in the given folder."""
    dist = Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    ver = version()
    wheels = sorted(dist.glob(f"aiovmss-{ver}-*.whl"))
    sdists = sorted(dist.glob(f"aiovmss-{ver}.tar.gz"))
    check(len(wheels) == 1 and len(sdists) == 1, f"one wheel and one sdist of {ver} in {dist}/")
    check_wheel(wheels[0], ver)
    check_sdist(sdists[0], ver)


if __name__ == "__main__":
    main()
