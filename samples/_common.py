"""What the samples share: arguments, the client (embedded fake or --live), and display.

Every sample runs against the embedded fake (``fakevmss``) by default, on its virtual clock, so
hours of Resilient create and delete pass in seconds. ``--live --subscription ID
--resource-group RG [--location L]`` runs the same steps against real Azure with
``azure.identity.aio.DefaultAzureCredential`` (imported only then).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiovmss import ComputeClient, StaticTokenCredential
from aiovmss.waiters import Observation

try:  # rich is optional: plain lines otherwise
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table
except ImportError:  # pragma: no cover - exercised only without the [samples] extra
    Console = Progress = Table = None  # type: ignore[assignment,misc]

#: The sample body's password: it must never appear in any output (tests look for it).
CANARY_PASSWORD = "Canary-Pa55word-never-printed!"


@dataclass
class Session:
    """A ready client, plus the fake behind it (``None`` when --live)."""

    client: ComputeClient
    fake: Any
    resource_group: str
    location: str

    @property
    def live(self) -> bool:
        """True when talking to real Azure."""
        return self.fake is None


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The samples' common command line."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--live", action="store_true", help="use real Azure, not the fake")
    parser.add_argument("--subscription", help="subscription id (with --live)")
    parser.add_argument("--resource-group", default="samples-rg", help="resource group")
    parser.add_argument("--location", default="westus", help="Azure region")
    parser.add_argument("--seed", type=int, default=7, help="the fake's random seed")
    args = parser.parse_args(argv)
    if args.live and not args.subscription:
        parser.error("--live needs --subscription and --resource-group")
    return args


@asynccontextmanager
async def open_session(args: argparse.Namespace) -> AsyncIterator[Session]:
    """A client on the embedded fake (default) or on real Azure (``--live``)."""
    if args.live:
        from azure.identity.aio import DefaultAzureCredential

        async with (
            DefaultAzureCredential() as credential,
            ComputeClient(credential, args.subscription) as client,
        ):
            yield Session(client, None, args.resource_group, args.location)
        return
    from fakevmss import FakeCompute

    fake = FakeCompute(seed=args.seed, location=args.location)
    async with ComputeClient(
        StaticTokenCredential("fake-token"),
        fake.subscription_id,
        transport=fake.transport(),
        clock=fake.clock,
    ) as client:
        yield Session(client, fake, args.resource_group, args.location)


def scale_set_body(
    location: str, capacity: int, *, creation: bool = True, deletion: bool = True
) -> dict[str, Any]:
    """A small Linux Uniform scale set with both resiliency policies as asked."""
    return {
        "location": location,
        "sku": {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": capacity},
        "properties": {
            "orchestrationMode": "Uniform",
            "overprovision": False,
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "osProfile": {
                    "computerNamePrefix": "sample",
                    "adminUsername": "azureuser",
                    "adminPassword": CANARY_PASSWORD,
                },
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "0001-com-ubuntu-server-jammy",
                        "sku": "22_04-lts-gen2",
                        "version": "latest",
                    },
                    "osDisk": {"osType": "Linux", "createOption": "FromImage"},
                },
            },
            "resiliencyPolicy": {
                "resilientVMCreationPolicy": {"enabled": creation},
                "resilientVMDeletionPolicy": {"enabled": deletion},
            },
        },
    }


def say(text: str) -> None:
    """Print one line (flushed, so a parent process sees progress as it happens)."""
    print(text, flush=True)


def clock_text(seconds: float) -> str:
    """``1h02m03s`` style."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


class PollProgress:
    """An ``on_poll`` callback: a line when a resource's state changes, and a settled count.

    With rich importable the count is a progress bar; otherwise plain lines only. Use as a
    context manager around the wait.
    """

    def __init__(
        self, start: float, label: str, total: int, labels: dict[str, str] | None = None
    ) -> None:
        self.start, self.label, self.total = start, label, total
        self.labels = labels or {}
        self.last: dict[str, tuple[Any, ...]] = {}
        self.settled: set[str] = set()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> PollProgress:
        if Progress is not None:
            self._bar = Progress(console=Console(file=sys.stdout, width=110), transient=False)
            self._task = self._bar.add_task(f"{self.label}s settled", total=self.total)
            self._bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, name: str, observation: Observation) -> None:
        """Show a change of ``name``'s state, status or verdict."""
        key = (observation.provisioning_state, observation.deletion_status, observation.verdict)
        if self.last.get(name) == key:
            return
        self.last[name] = key
        if observation.http_status == 404:
            seen = "gone (404)"
        else:
            seen = f"{observation.provisioning_state or '-'} / {observation.deletion_status or '-'}"
        when = clock_text(observation.time - self.start)
        what = f"{self.labels.get(name, self.label)} {name}"
        line = f"  [{when:>9}] {what:<22} {seen:<28} -> {observation.verdict.value}"
        if self._bar is not None:
            self._bar.console.print(line, highlight=False, markup=False)
        else:
            say(line)
        if observation.verdict.value != "InProgress" and name not in self.settled:
            self.settled.add(name)
            if self._bar is not None:
                self._bar.update(self._task, completed=len(self.settled))


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A table: rich when available, aligned text otherwise."""
    cells = [[_text(cell) for cell in row] for row in rows]
    if Table is not None and Console is not None:
        grid = Table(title=title)
        for column in columns:
            grid.add_column(column)
        for row in cells:
            grid.add_row(*row)
        Console(file=sys.stdout, width=110).print(grid)
        return
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    say(title)
    for row in [list(columns), *cells]:
        say("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _text(cell: object) -> str:
    """A cell's text: enum members by value, ``None`` as a dash."""
    if cell is None:
        return "-"
    return str(getattr(cell, "value", cell))


def print_timeline(
    fake: Any, rg: str, scale_set: str, instance_ids: Iterable[str], *, origin: float = 0.0
) -> None:
    """Each VM's history from ``origin`` on (the fake's clock; live mode has no history)."""
    say("Timeline (virtual time):")
    for iid in instance_ids:
        for event in fake.vm(rg, scale_set, iid).history:
            when = _field(event, "time", 0.0) - origin
            if when >= 0:
                say(f"  {clock_text(when):>9}  VM {iid:<4} {_event_text(event)}")


def _field(event: Any, name: str, default: Any = None) -> Any:
    if isinstance(event, dict):
        return event.get(name, default)
    return getattr(event, name, default)


def _event_text(event: Any) -> str:
    parts = [str(_field(event, "event", "")), f"attempt {_field(event, 'attempt', '-')}"]
    state = _field(event, "state")
    if state:
        parts.append(f"-> {state}")
    return "  ".join(parts)
