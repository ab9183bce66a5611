"""``fake.timeline_html``: the standalone timeline file, its drawing, escaping and policy."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

from fakevmss import FakeCompute, VirtualClock
from fakevmss._http import RequestRecord
from fakevmss._ui._html import render_html

RG = "rg"
CODE = "InternalExecutionError"
HOSTILE = "<img src=x onerror=alert(1)>"
QUOTES = "\"double\" 'single' & </svg><script>alert(2)</script>"
# Every element and attribute the file may hold: nothing that loads or runs anything.
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table",
                "thead", "tbody", "tr", "th", "td", "svg", "line", "text", "rect", "g"}  # fmt: skip
ALLOWED_ATTRIBUTES = {"x", "y", "x1", "x2", "y1", "y2", "width", "height", "fill", "stroke",
                      "stroke-width", "stroke-dasharray", "font-size", "class", "xmlns",
                      "viewbox", "role", "charset", "http-equiv", "content", "lang"}  # fmt: skip


class Parsed(HTMLParser):
    """Start tags with their attributes, and the text, as a browser's parser sees them."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def resilient_delete() -> FakeCompute:
    fake = FakeCompute(clock=VirtualClock(auto_advance=False), seed=11)
    fake.faults.fail_delete(CODE, scale_set="web", instances=["1"], attempts=2)
    fake.create_scale_set(RG, "web", capacity=2)
    fake.create_scale_set(RG, "other", capacity=1)
    fake.clock.advance(100)
    fake.backend.sets.delete_instances(fake.subscription_id, RG, "web", ["1"], force=False)
    fake.clock.advance(1000)
    return fake


def test_file_draws_each_attempt_with_its_code_rounds_and_now(tmp_path: Path) -> None:
    fake = resilient_delete()
    path = fake.timeline_html(tmp_path / "t.html")
    assert path == tmp_path / "t.html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    parsed = Parsed(text)
    titles = [t for t in parsed.text if t.startswith(("delete #", "create #"))]
    assert f"delete #1 failed {CODE} +00:01:40 - +00:02:40" in titles
    assert f"delete #2 (forced) failed {CODE} +00:02:40 - +00:03:40" in titles
    assert "delete #3 (forced) succeeded +00:13:40 - +00:14:40" in titles
    assert {"retry 1", "retry 2", "now", "delete requested"} <= set(parsed.text)
    assert parsed.text.count(CODE) >= 1  # the code written under its first bar
    bars = [attrs for tag, attrs in parsed.tags if tag == "rect" and attrs.get("class") == "bar"]
    fills = {attrs["fill"] for attrs in bars}
    assert fills == {"#2e8b57", "#d0342c"}  # succeeded, failed
    assert "fakevmss timeline (seed=11) at +00:18:20" in parsed.text


def test_file_is_filtered_by_resource_group_and_name(tmp_path: Path) -> None:
    fake = resilient_delete()
    text = fake.timeline_html(tmp_path / "t.html", RG, "OTHER").read_text()
    assert "rg/other" in text and "rg/web" not in text
    empty = fake.timeline_html(tmp_path / "e.html", "nope").read_text()
    assert "No scale sets." in empty


def test_names_tags_and_codes_with_html_in_them_stay_text(tmp_path: Path) -> None:
    fake = FakeCompute(clock=VirtualClock(auto_advance=False))
    fake.faults.fail_delete(QUOTES)
    fake.create_scale_set(RG, HOSTILE, capacity=1, tags={HOSTILE: QUOTES})
    fake.clock.advance(100)
    fake.backend.sets.delete_instances(fake.subscription_id, RG, HOSTILE, ["0"], force=False)
    fake.clock.advance(100)
    text = fake.timeline_html(tmp_path / "t.html").read_text()
    parsed = Parsed(text)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"img", "script"}
    assert tags <= ALLOWED_TAGS
    joined = "".join(parsed.text)
    assert f"{HOSTILE}_0" in joined and f"{HOSTILE}={QUOTES}" in joined
    assert QUOTES in joined
    assert all(set(attrs) <= ALLOWED_ATTRIBUTES for _, attrs in parsed.tags)


def test_file_policy_allows_its_own_style_and_nothing_else(tmp_path: Path) -> None:
    text = resilient_delete().timeline_html(tmp_path / "t.html").read_text()
    (style,) = re.findall(r"<style>(.*?)</style>", text, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = f"default-src &#x27;none&#x27;; style-src &#x27;sha256-{digest}&#x27;"
    assert f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in text
    assert "<script" not in text and "style=" not in text


def test_big_scale_sets_are_capped(tmp_path: Path) -> None:
    fake = FakeCompute(clock=VirtualClock(auto_advance=False))
    fake.create_scale_set(RG, "big", capacity=5)
    with fake.lock:
        text = render_html(fake, list(fake.backend.scale_sets.values()), max_vms=2)
    parsed = Parsed(text)
    assert [t for t in parsed.text if t.startswith("big_")] == ["big_0", "big_1"]
    assert "3 more VMs not drawn." in parsed.text


def test_request_log_is_listed_newest_first(tmp_path: Path) -> None:
    fake = resilient_delete()
    fake.requests.extend(
        RequestRecord(float(t), "GET", f"/r/{t}", {}, 200, "2024-07-01") for t in range(3)
    )
    parsed = Parsed(fake.timeline_html(tmp_path / "t.html").read_text())
    assert [t for t in parsed.text if t.startswith("/r/")] == ["/r/2", "/r/1", "/r/0"]
    assert "Requests (latest 3 of 3, newest first)" in parsed.text
