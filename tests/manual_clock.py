"""The manual clock of the client and waiter tests (importable from every test folder).

``tests/`` is on ``sys.path`` because ``tests/conftest.py`` lives there.
"""

from __future__ import annotations


class ManualClock:
    """``sleep`` returns at once and moves ``now`` forward; every sleep is recorded."""

    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += max(0.0, seconds)
