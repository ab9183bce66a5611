"""JSON from the network: nesting too deep to parse is a ``ValueError`` like any bad JSON."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["TOO_DEEP", "loads"]

TOO_DEEP = "JSON nested too deeply to parse"


def loads(data: bytes | bytearray | str) -> Any:
    """``json.loads(data)``; a body nested deeper than the parser goes is a ValueError.

    The stdlib parser recurses per level and raises ``RecursionError`` around a thousand levels
    down: a hostile body (``[[[[...``) must end as the documented error, not that one.

    Raises:
        ValueError: ``data`` is not JSON, or too deeply nested to parse.
    """
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
