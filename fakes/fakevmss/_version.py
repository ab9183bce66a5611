"""fakevmss's version: the distribution's, written once in ``aiovmss/_version.py``.

Both packages ship in the one ``aiovmss`` distribution, so they share its version. The value is
read from that file's text rather than imported: importing ``aiovmss._version`` would run the
client's ``__init__`` and import the whole client into every process that uses only the fake.
"""

from __future__ import annotations

import ast
from importlib.util import find_spec
from pathlib import Path

__all__ = ["__version__"]


def read_version(source: str) -> str:
    """The string assigned to ``__version__`` in a module's source text.

    Raises:
        LookupError: the source assigns no string to ``__version__``.
    """
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise LookupError("no __version__ = '...' assignment found")


def _aiovmss_version() -> str:
    spec = find_spec("aiovmss")  # a top-level name: found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("fakevmss needs aiovmss, installed with it by the aiovmss distribution")
    path = Path(next(iter(spec.submodule_search_locations)), "_version.py")
    return read_version(path.read_text(encoding="utf-8"))


__version__ = _aiovmss_version()
