"""Where a member sits in a request body's text: the ``line N, position M`` of ARM's messages.

ARM's deserialiser reports the line (from 1) and the position on that line just past the
member's name, its colon and the blanks after it: the column (from 0) where the value starts.
Public reports match that reading (azure-sdk-for-net #3487: ``  "AccountType": "StandardLRS"``
on line 2 is reported at position 17). Only error answers use this, so it re-scans the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

__all__ = ["value_position"]

_BLANK = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _skip_blank(text: str, index: int) -> int:
    found = _BLANK.match(text, index)
    return index if found is None else found.end()


def _member_value(text: str, index: int, key: str, *, first: bool) -> int | None:
    """Where the value of ``key`` starts in the object opening at ``index``.

    ``first``: the first occurrence (where a deserialiser stops); else the last one (the one a
    parser keeps, so the one a deeper path runs through).
    """
    found = None
    index = _skip_blank(text, index + 1)
    while index < len(text) and text[index] == '"':
        name, index = _DECODER.raw_decode(text, index)
        index = _skip_blank(text, index)
        index = _skip_blank(text, index + 1)  # past the colon
        if name == key:
            found = index
            if first:
                return found
        index = _skip_blank(text, _DECODER.raw_decode(text, index)[1])
        if index < len(text) and text[index] == ",":
            index = _skip_blank(text, index + 1)
    return found


def _item_value(text: str, index: int, wanted: int) -> int | None:
    """Where item ``wanted`` starts in the array opening at ``index``."""
    index = _skip_blank(text, index + 1)
    for _ in range(wanted):
        index = _skip_blank(text, _DECODER.raw_decode(text, index)[1])
        if index >= len(text) or text[index] != ",":
            return None
        index = _skip_blank(text, index + 1)
    return index


def _line_and_position(text: str, index: int) -> tuple[int, int]:
    line, start = 1, 0
    for found in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, found.end()
    return line, index - start


def value_position(text: str, path: Sequence[str | int]) -> tuple[int, int] | None:
    """``(line, position)`` of the value at ``path`` (member names and item indexes).

    None when the JSON ``text`` does not hold it; never raises, whatever the text.
    """
    try:
        index = _skip_blank(text, 0)
        for depth, step in enumerate(path):
            last = depth == len(path) - 1
            opener = "[" if isinstance(step, int) else "{"
            if index >= len(text) or text[index] != opener:
                return None
            if isinstance(step, int):
                found = _item_value(text, index, step)
            else:
                found = _member_value(text, index, step, first=last)
            if found is None:
                return None
            index = found
    except (ValueError, IndexError):
        return None
    return _line_and_position(text, index)
