"""Signature checks shared by the public contract tests (``test_public_contract*.py``).

A uniquely named module (not ``conftest``) so that both test files can import it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
KW = inspect.Parameter.KEYWORD_ONLY
EMPTY = inspect.Parameter.empty


def shape(func: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    """``(name, kind, default)`` of every parameter but ``self``."""
    return [
        (p.name, p.kind, p.default)
        for p in inspect.signature(func).parameters.values()
        if p.name != "self"
    ]


def assert_shape(func: Callable[..., Any], *expected: tuple[str, Any, Any]) -> None:
    """The documented parameters come first, in order; extra ones are keyword-only."""
    actual = shape(func)
    assert actual[: len(expected)] == list(expected), func.__qualname__
    assert all(kind is KW for _, kind, _ in actual[len(expected) :]), func.__qualname__
