"""The view model of the fake's page: what ``GET /_fake/ui/data`` answers, as plain JSON.

Built from the fake's state (scale sets and their VMs' histories, the request log, the faults
in force, the clock) without HTTP, so it is tested directly. Only one page of VM rows and one
page of the request log are built per answer: a 10,000-VM fleet costs a count and a slice,
not 10,000 rows (docs/fake/ui.md has the numbers).

Every string here may be user input (names, tags, paths, error codes): the page shows them
with ``textContent`` and the HTML file escapes them; this module only clips their length.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from fakevmss._clock import VirtualClock
from fakevmss._http import RequestRecord
from fakevmss._state import VM, ScaleSet
from fakevmss._timeline import format_seconds
from fakevmss._ui._faults import describe_faults
from fakevmss._ui._lanes import Lane, Window, lane, round_times, ticks, window_for
from fakevmss._ui._query import ViewQuery

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = [
    "MAX_SCALE_SETS",
    "MAX_TEXT",
    "build_view",
    "clip",
    "clock_view",
    "every_scale_set",
    "request_page",
    "scale_set_key",
    "scale_set_row",
    "vm_lanes",
    "vm_page",
]

#: The most scale sets one answer lists (the rest are counted).
MAX_SCALE_SETS = 200
#: The longest string shown; longer ones end in an ellipsis.
MAX_TEXT = 256
# The most tags shown per scale set.
_MAX_TAGS = 20
# Request records searched per step of a filtered request log.
_CHUNK = 512


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def every_scale_set(fake: FakeCompute) -> list[ScaleSet]:
    """Live scale sets, then deleted ones, each in the order they were created or removed."""
    return [*fake.backend.scale_sets.values(), *fake.backend.removed]


def scale_set_key(scale_set: ScaleSet) -> str:
    """``<resource group>/<name>``: how the page names and filters a scale set."""
    return f"{scale_set.resource_group}/{scale_set.name}"


def clock_view(clock: Any) -> dict[str, Any]:
    """The clock: kind, time (seconds and labels), speed, whether the page may advance it."""
    virtual = isinstance(clock, VirtualClock)
    now = clock.now()
    return {
        "kind": "virtual" if virtual else "real",
        "now": now,
        "now_label": format_seconds(now),
        "utcnow": clock.utcnow().isoformat(),
        "speed": clock.speed,
        "auto_advance": clock.auto_advance if virtual else None,
        "can_advance": virtual,
    }


def scale_set_row(scale_set: ScaleSet) -> dict[str, Any]:
    """One scale set: identity, state, policies, capacity, tags, delete rounds."""
    tags = sorted(scale_set.tags.items())[:_MAX_TAGS]
    round_at = scale_set.round_at
    return {
        "key": clip(scale_set_key(scale_set)),
        "resource_group": clip(scale_set.resource_group),
        "name": clip(scale_set.name),
        "exists": scale_set.exists,
        "provisioning_state": scale_set.provisioning_state,
        "orchestration_mode": scale_set.orchestration_mode,
        "capacity": scale_set.capacity,
        "vms": len(scale_set.vms),
        "deleted_vms": len(scale_set.graveyard),
        "creation_policy": scale_set.creation_policy_enabled,
        "deletion_policy": scale_set.deletion_policy_enabled,
        "tags": [[clip(str(k)), clip(str(v))] for k, v in tags],
        "rounds": len(scale_set.history),
        "next_round": None if round_at is None else format_seconds(round_at),
    }


def _vm_matches(vm: VM, needle: str) -> bool:
    # No generator per VM: a filter runs over the whole fleet, and each one is a GC allocation.
    return (
        needle in vm.name.lower()
        or needle in vm.instance_id.lower()
        or needle in vm.provisioning_state.lower()
        or needle in vm.power_state
        or needle in vm.deletion_status.lower()
    )


def _chosen(scale_sets: Sequence[ScaleSet], query: ViewQuery) -> list[ScaleSet]:
    if not query.scale_set:
        return list(scale_sets)
    return [s for s in scale_sets if scale_set_key(s).lower() == query.scale_set]


def _slice_unfiltered(scale_sets: Sequence[ScaleSet], offset: int, limit: int) -> Iterator[VM]:
    """VMs ``offset`` to ``offset + limit``, sorting only the scale sets that hold them."""
    for scale_set in scale_sets:
        size = len(scale_set.vms) + len(scale_set.graveyard)
        if offset >= size:
            offset -= size
            continue
        for vm in scale_set.every_vm()[offset : offset + limit]:
            yield vm
            limit -= 1
        offset = 0
        if limit <= 0:
            return


def _select_vms(scale_sets: Sequence[ScaleSet], query: ViewQuery) -> tuple[int, list[VM]]:
    """The total matching the filters, and the page of them."""
    offset, limit = query.vm_offset, query.vm_limit
    if not query.vm_q:
        total = sum(len(s.vms) + len(s.graveyard) for s in scale_sets)
        return total, list(_slice_unfiltered(scale_sets, offset, limit))
    matched = [vm for s in scale_sets for vm in s.every_vm() if _vm_matches(vm, query.vm_q)]
    return len(matched), matched[offset : offset + limit]


def _vm_row(vm: VM, item: Lane, window: Window) -> dict[str, Any]:
    return {
        "key": clip(f"{scale_set_key(vm.scale_set)}/{vm.instance_id}"),
        "scale_set": clip(scale_set_key(vm.scale_set)),
        "instance_id": clip(vm.instance_id),
        "name": clip(vm.name),
        "exists": vm.exists,
        "provisioning_state": vm.provisioning_state,
        "power_state": vm.power_state,
        "deletion_status": vm.deletion_status,
        "create_attempts": vm.create_attempts,
        "delete_attempts": vm.delete_attempts,
        "bars": [
            {
                "kind": bar.kind,
                "attempt": bar.attempt,
                "x0": window.x(bar.start),
                "x1": window.x(window.end if bar.end is None else bar.end),
                "outcome": bar.outcome,
                "code": None if bar.code is None else clip(bar.code),
                "forced": bar.forced,
                "label": clip(bar.label),
            }
            for bar in item.bars
        ],
        "marks": [
            {"x": window.x(mark.time), "kind": mark.kind, "label": clip(mark.label)}
            for mark in item.marks
        ],
    }


def vm_lanes(vms: Sequence[VM]) -> list[Lane]:
    """The lane of each VM, with the delete rounds of its scale set that retried it."""
    rounds: dict[int, dict[str, list[float]]] = {}
    lanes = []
    for vm in vms:
        by_id = rounds.get(id(vm.scale_set))
        if by_id is None:
            by_id = rounds[id(vm.scale_set)] = round_times(vm.scale_set)
        lanes.append(lane(vm, by_id.get(vm.instance_id.lower(), ())))
    return lanes


def vm_page(scale_sets: Sequence[ScaleSet], query: ViewQuery, now: float) -> dict[str, Any]:
    """One page of VM rows with their lanes, drawn over one window shared by the page."""
    total, vms = _select_vms(_chosen(scale_sets, query), query)
    lanes = vm_lanes(vms)
    window = window_for(lanes, now)
    return {
        "total": total,
        "offset": query.vm_offset,
        "limit": query.vm_limit,
        "window": {
            "start": window.start,
            "end": window.end,
            "start_label": format_seconds(window.start),
            "end_label": format_seconds(window.end),
            "now": window.x(now),
        },
        "ticks": [{"x": tick.x, "label": tick.label} for tick in ticks(window)],
        "items": [_vm_row(vm, item, window) for vm, item in zip(vms, lanes, strict=True)],
    }


def _request_row(record: RequestRecord) -> dict[str, Any]:
    return {
        "time": record.time,
        "time_label": format_seconds(record.time),
        "method": clip(record.method, 16),
        "path": clip(record.path, 512),
        "status": record.status,
        "api_version": None if record.api_version is None else clip(record.api_version, 64),
    }


def _newest_matches(
    records: Sequence[RequestRecord], needle: str, wanted: int
) -> tuple[list[RequestRecord], bool]:
    """Up to ``wanted`` records containing ``needle``, newest first; and whether all were read.

    Reads the log in chunks from its end, with one ``lower()`` and one search per chunk: most
    chunks of a narrow filter hold no match (``ui_bench.py``: about 40% off a full scan).
    """
    hits: list[RequestRecord] = []
    end = len(records)
    while end > 0:
        start = max(0, end - _CHUNK)
        chunk = records[start:end]
        texts = [f"{r.method} {r.path} {r.status} {r.api_version or ''}" for r in chunk]
        if needle in "\n".join(texts).lower():  # a superset: each record is checked below
            for record, text in zip(reversed(chunk), reversed(texts), strict=True):
                if needle in text.lower():
                    hits.append(record)
                    if len(hits) == wanted:
                        return hits, False
        end = start
    return hits, True


def request_page(records: Sequence[RequestRecord], query: ViewQuery) -> dict[str, Any]:
    """One page of the request log, newest first, filtered by ``query.req_q``.

    A filtered scan stops one match past the page (the log only grows, so scanning all of it
    for a count would make every answer slower): ``matched`` is exact when ``complete``, else
    a lower bound that says an older page exists.
    """
    offset, limit = query.req_offset, query.req_limit
    if not query.req_q:
        complete = True
        matched = len(records)
        stop = max(0, matched - offset)
        chosen = records[max(0, stop - limit) : stop][::-1]
    else:
        hits, complete = _newest_matches(records, query.req_q, offset + limit + 1)
        matched, chosen = len(hits), hits[offset : offset + limit]
    return {
        "total": len(records),
        "matched": matched,
        "complete": complete,
        "offset": offset,
        "limit": limit,
        "items": [_request_row(record) for record in chosen],
    }


def build_view(fake: FakeCompute, query: ViewQuery) -> dict[str, Any]:
    """Everything the page shows for ``query``. Call it holding ``fake.lock``."""
    scale_sets = every_scale_set(fake)
    now = fake.clock.now()
    return {
        "seed": fake.seed,
        "clock": clock_view(fake.clock),
        "scale_sets": {
            "total": len(scale_sets),
            "items": [scale_set_row(s) for s in scale_sets[:MAX_SCALE_SETS]],
        },
        "faults": describe_faults(fake.faults),
        "vms": vm_page(scale_sets, query, now),
        "requests": request_page(fake.requests, query),
    }
