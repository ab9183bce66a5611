"""MkDocs hooks: render the docstrings' reStructuredText habits as plain Markdown would.

The docstrings cite names Sphinx-style (``:class:`Name```) and open examples with ``Example::``;
mkdocstrings renders Markdown, where both would show their punctuation. This drops the role
prefix (the name stays as code) and the second colon.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:attr|class|data|exc|func|meth|mod|obj):(?=<code>)")
_LITERAL_INTRO = re.compile(r"(?<=[^:\s]|>)::</p>")


def on_page_content(html: str, **_: Any) -> str:
    """Strip Sphinx roles and ``::`` literal-block markers from a rendered page."""
    return _LITERAL_INTRO.sub(":</p>", _ROLE.sub("", html))
