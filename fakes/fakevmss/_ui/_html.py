"""The timeline as one standalone HTML file with inline SVG (``fake.timeline_html``).

Drawn from the same lanes as the live page (``_lanes``, ``_view``), with no script at all: a
file a failing test leaves behind opens in any browser, offline. Every string from the fake's
state is escaped, and the file carries a Content-Security-Policy that allows nothing but its
own stylesheet (by hash), so even a mistake in escaping could not run a script.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fakevmss._state import ScaleSet
from fakevmss._ui._faults import describe_faults
from fakevmss._ui._lanes import Lane, Window, ticks, window_for
from fakevmss._ui._query import ViewQuery
from fakevmss._ui._view import clock_view, request_page, scale_set_row, vm_lanes

if TYPE_CHECKING:
    from fakevmss._fake import FakeCompute

__all__ = ["COLORS", "DEFAULT_MAX_VMS", "render_html"]

#: Fill colour of a bar by its outcome (the page's stylesheet uses the same).
COLORS = {
    "succeeded": "#2e8b57",
    "failed": "#d0342c",
    "stopped": "#e08a00",
    "canceled": "#8c8c8c",
    "running": "#2f6fd6",
}
#: VM rows drawn per file unless told otherwise (the rest are counted).
DEFAULT_MAX_VMS = 2000
# Requests listed at the end of the file, newest first.
_REQUESTS = 200
# SVG geometry, in user units.
_WIDTH, _LABEL, _LANE_X, _LANE_W, _ROW, _AXIS = 1100, 320, 330, 760, 36, 24
_MARK_COLORS = {"round": "#8a3ffc", "next-retry": "#8a3ffc", "delete-requested": "#555"}
_DASHES = {"round": "4 2", "next-retry": "1 2"}

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #1a1a1a; }
h1 { font-size: 18px; } h2 { font-size: 16px; margin-top: 24px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { font-size: 12px; color: #666; }
td:first-child, td:last-child { white-space: nowrap; }
.muted { color: #666; }
svg { max-width: 100%; height: auto; font-family: ui-monospace, monospace; }
"""
_CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
    + "'"
)


def _e(value: Any) -> str:
    """``value`` as escaped text (quotes included, so it is safe in attributes too)."""
    return html.escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _axis(window: Window, height: int) -> list[str]:
    parts = []
    for tick in ticks(window):
        x = _LANE_X + tick.x * _LANE_W
        parts.append(
            f'<line x1="{x:.1f}" y1="{_AXIS - 4}" x2="{x:.1f}" y2="{height}" stroke="#eee"/>'
            f'<text x="{x + 2:.1f}" y="{_AXIS - 8}" font-size="10" fill="#666">'
            f"{_e(tick.label)}</text>"
        )
    return parts


def _bars(item: Lane, window: Window, top: int) -> list[str]:
    parts = []
    label_end = float("-inf")
    for bar in item.bars:
        x0 = _LANE_X + window.x(bar.start) * _LANE_W
        x1 = _LANE_X + window.x(window.end if bar.end is None else bar.end) * _LANE_W
        stroke = ' stroke="#000" stroke-width="1.5"' if bar.forced else ""
        fill = COLORS.get(bar.outcome, "#999")
        y = top + (3 if bar.kind == "create" else 5)
        parts.append(
            f'<rect class="bar" x="{x0:.1f}" y="{y}" width="{max(2.0, x1 - x0):.1f}" '
            f'height="12" fill="{fill}"{stroke}><title>{_e(bar.label)}</title></rect>'
        )
        if bar.code and x0 >= label_end:
            parts.append(
                f'<text class="code" x="{x0:.1f}" y="{top + 30}" font-size="10" fill="#d0342c">'
                f"{_e(bar.code)}</text>"
            )
            label_end = x0 + 6.2 * len(bar.code) + 4  # about 6 units a character at size 10
    return parts


def _marks(item: Lane, window: Window, top: int) -> list[str]:
    parts = []
    for mark in item.marks:
        x = _LANE_X + window.x(mark.time) * _LANE_W
        color = _MARK_COLORS.get(mark.kind, "#d0342c")
        dash = f' stroke-dasharray="{_DASHES[mark.kind]}"' if mark.kind in _DASHES else ""
        parts.append(
            f'<line class="mark" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + _ROW - 2}" '
            f'stroke="{color}" stroke-width="1.5"{dash}><title>{_e(mark.label)}</title></line>'
        )
    return parts


def _svg(scale_set: ScaleSet, now: float, max_vms: int) -> str:
    vms = scale_set.every_vm()[:max_vms]
    lanes = vm_lanes(vms)
    window = window_for(lanes, now)
    height = _AXIS + _ROW * len(vms) + 4
    parts = _axis(window, height)
    for row, (vm, item) in enumerate(zip(vms, lanes, strict=True)):
        top = _AXIS + row * _ROW
        parts.append(
            f'<g class="vm"><text x="4" y="{top + 14}" font-size="12">{_e(vm.name)}</text>'
            f'<text x="4" y="{top + 29}" font-size="10" fill="#666">'
            f"{_e(vm.provisioning_state)}, deletion {_e(vm.deletion_status)}, "
            f"{vm.create_attempts} create / {vm.delete_attempts} delete</text>"
        )
        parts.append(
            f'<line x1="{_LANE_X}" y1="{top + _ROW - 1}" x2="{_LANE_X + _LANE_W}" '
            f'y2="{top + _ROW - 1}" stroke="#eee"/>'
        )
        parts += _bars(item, window, top) + _marks(item, window, top) + ["</g>"]
    x_now = _LANE_X + window.x(now) * _LANE_W
    parts.append(
        f'<line class="now" x1="{x_now:.1f}" y1="{_AXIS - 4}" x2="{x_now:.1f}" y2="{height}" '
        'stroke="#111" stroke-width="2"><title>now</title></line>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'width="{_WIDTH}" height="{height}" role="img">' + "".join(parts) + "</svg>"
    )


def _scale_set_section(scale_set: ScaleSet, now: float, max_vms: int) -> str:
    row = scale_set_row(scale_set)
    gone = " (deleted)" if not row["exists"] else ""
    tags = ", ".join(f"{k}={v}" for k, v in row["tags"]) or "none"
    summary = (
        f"{row['provisioning_state']}, {row['orchestration_mode']}, capacity {row['capacity']}, "
        f"{row['vms']} VMs ({row['deleted_vms']} deleted); resilient create "
        f"{'on' if row['creation_policy'] else 'off'}, delete "
        f"{'on' if row['deletion_policy'] else 'off'}; {row['rounds']} delete rounds; tags {tags}"
    )
    total = len(scale_set.vms) + len(scale_set.graveyard)
    more = f'<p class="muted">{total - max_vms} more VMs not drawn.</p>' if total > max_vms else ""
    return (
        f"<h2>{_e(row['key'])}{_e(gone)}</h2><p>{_e(summary)}</p>"
        f"{_svg(scale_set, now, max_vms)}{more}"
    )


def render_html(
    fake: FakeCompute, scale_sets: Sequence[ScaleSet], *, max_vms: int = DEFAULT_MAX_VMS
) -> str:
    """The whole file: clock, faults, one SVG timeline per scale set, the latest requests.

    Call it holding ``fake.lock``; at most ``max_vms`` VM rows are drawn per scale set.
    """
    clock = clock_view(fake.clock)
    now = clock["now"]
    title = f"fakevmss timeline (seed={fake.seed}) at {clock['now_label']}"
    described = describe_faults(fake.faults)
    faults = [[f["kind"], f["what"], f["filters"] or "everything"] for f in described]
    logged = request_page(fake.requests, ViewQuery(req_limit=_REQUESTS))
    rows = [
        [r["time_label"], r["method"], r["path"], r["status"], r["api_version"] or ""]
        for r in logged["items"]
    ]
    sections = "".join(_scale_set_section(s, now, max_vms) for s in scale_sets)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f'<p class="muted">{_e(clock["kind"])} clock, {_e(clock["utcnow"])}. Bars: '
        "green succeeded, red failed, orange stopped at the create limit, grey canceled, "
        "blue running; a black outline is a forced retry; purple dashes are retry rounds, "
        "dots the next retry; the black line is now. Hover a bar for its details.</p>"
        "<h2>Faults in force</h2>"
        + _table(["Kind", "What", "Applies to"], faults, "None.")
        + (sections or '<p class="muted">No scale sets.</p>')
        + f"<h2>Requests (latest {len(rows)} of {logged['total']}, newest first)</h2>"
        + _table(["Time", "Method", "Path", "Status", "api-version"], rows, "None.")
        + "</body></html>\n"
    )
