"""Serialised response bodies, reused while nothing they show has changed.

A body is cached per state object (held by reference, so its ``id`` cannot be reused while the
entry lives) together with a key: every value the body is built from. The key is compared on
every use, so a change to any of those values builds a fresh body; nothing has to invalidate
entries by hand. The cache is bounded: when it holds ``limit`` objects it starts afresh (cheaper
than evicting one entry at a time from the front of a dict, which slows as holes pile up).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["BodyCache"]


class BodyCache:
    """Bytes per (object, key); a different key for the same object rebuilds and replaces.

    Keys are compared with ``==`` and never hashed, so they may hold dicts (a scale set's spec).
    """

    __slots__ = ("_entries", "hits", "limit", "misses")

    def __init__(self, limit: int = 4096) -> None:
        self._entries: dict[int, tuple[object, object, bytes]] = {}
        self.limit = max(1, limit)
        self.hits = 0
        self.misses = 0

    def get(self, owner: object, key: object, build: Callable[[], bytes]) -> bytes:
        """The body cached for ``owner`` under ``key``, else ``build()`` (then cached)."""
        entries = self._entries
        slot = id(owner)
        entry = entries.get(slot)
        if entry is not None and entry[0] is owner and entry[1] == key:
            self.hits += 1
            return entry[2]
        self.misses += 1
        body = build()
        if entry is None and len(entries) >= self.limit:
            entries.clear()
        entries[slot] = (owner, key, body)
        return body

    def clear(self) -> None:
        """Forget every body."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
