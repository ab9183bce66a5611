"""A readable per-VM timeline of scale sets, for failing-test reports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from fakevmss._state import ScaleSet

if TYPE_CHECKING:
    from fakevmss._limits import ThrottleEvent

__all__ = ["format_seconds", "render_timeline"]


def format_seconds(t: float) -> str:
    """Virtual seconds as ``+HH:MM:SS``, with ``.mmm`` when the milliseconds are not zero."""
    # Round once, to milliseconds, before splitting: rounding only the fraction showed
    # 59.9996 s as "+00:00:59.000".
    whole, millis = divmod(round(t * 1000), 1000)
    hours, rest = divmod(whole, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f".{millis:03d}" if millis else ""
    return f"+{hours:02d}:{minutes:02d}:{seconds:02d}{fraction}"


def render_timeline(
    scale_sets: Iterable[ScaleSet], *, seed: int, throttled: Iterable[ThrottleEvent] = ()
) -> str:
    """One block per scale set (its delete rounds, then every VM's events), then throttling."""
    lines = [f"fakevmss timeline (seed={seed})"]
    for scale_set in scale_sets:
        gone = "" if scale_set.exists else " (deleted)"
        lines.append(
            f"scale set {scale_set.resource_group}/{scale_set.name}{gone}: "
            f"{scale_set.provisioning_state}, {scale_set.orchestration_mode}"
        )
        for event in scale_set.history:
            ids = ", ".join(event.instance_ids)
            lines.append(f"  {format_seconds(event.time)} {event.event}: {ids}")
        for vm in scale_set.every_vm():
            lines.append(
                f"  vm {vm.instance_id}: {vm.provisioning_state}, power={vm.power_state}, "
                f"deletion={vm.deletion_status}"
            )
            for h in vm.history:
                code = f" {h.code}" if h.code else ""
                forced = " (forced)" if h.forced else ""
                what = f"{h.operation} " if h.operation else ""
                lines.append(
                    f"    {format_seconds(h.time)} {what}{h.event} #{h.attempt}{forced}{code}"
                    f" -> {h.state}"
                )
    lines.extend(_throttled_lines(throttled))
    return "\n".join(lines)


def _throttled_lines(events: Iterable[ThrottleEvent]) -> list[str]:
    """One line per throttled request (429 by the request limits), under a heading."""
    lines = [
        f"  {format_seconds(e.time)} 429 {e.method} {e.path} by {e.limit} "
        f"(principal {e.principal}, retry after {e.retry_after:g} s)"
        for e in events
    ]
    return ["throttled requests:", *lines] if lines else []
