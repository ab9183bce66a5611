// fakevmss page: polls GET /_fake/ui/data every second and redraws what changed.
// Every value shown may be user input (VM names, tags, paths, error codes): the DOM is built
// with createElement and textContent only; nothing here parses HTML (docs/fake/ui.md).
"use strict";

(() => {
  const DATA_URL = "/_fake/ui/data";
  const ADVANCE_URL = "/_fake/clock/advance";
  const POLL_MS = 1000;
  const VM_LIMIT = 50;
  const REQUEST_LIMIT = 100;

  const state = {
    vmOffset: 0,
    vmQuery: "",
    scaleSet: "",
    requestOffset: 0,
    requestQuery: "",
    expanded: new Set(),
    shown: {},
    timer: null,
    sequence: 0,
    last: null,
  };

  const byId = (id) => document.getElementById(id);

  // One element: tag, class names, text. Never HTML.
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // A CSS percentage from a server fraction, clamped (the only numbers put into styles).
  function percent(fraction) {
    const value = Number(fraction);
    if (!Number.isFinite(value)) return "0%";
    return `${Math.min(100, Math.max(0, value * 100))}%`;
  }

  // A class-name suffix from a server word: letters, digits and dashes only.
  function word(value) {
    return String(value).replace(/[^A-Za-z0-9-]/g, "");
  }

  function cells(row, values) {
    for (const value of values) {
      const cell = el("td", null, value);
      row.appendChild(cell);
    }
    return row;
  }

  function emptyRow(tbody, columns, text) {
    const row = el("tr");
    const cell = el("td", "empty", text);
    cell.colSpan = columns;
    row.appendChild(cell);
    tbody.appendChild(row);
  }

  function setStatus(text, isError) {
    const status = byId("status");
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  // -- clock ---------------------------------------------------------------------------

  function renderClock(clock) {
    byId("clock-kind").textContent = `${clock.kind} clock`;
    byId("clock-now").textContent = clock.now_label;
    byId("clock-utc").textContent = clock.utcnow;
    const speed = clock.kind === "real" ? `x${clock.speed}` : (clock.auto_advance ? "auto-advance" : "");
    byId("clock-speed").textContent = speed;
    byId("advance").hidden = !clock.can_advance;
    document.title = `fakevmss ${clock.now_label}`;
  }

  async function advance(event) {
    event.preventDefault();
    const seconds = Number(byId("advance-seconds").value);
    if (!Number.isFinite(seconds) || seconds < 0) {
      setStatus("seconds must be a number >= 0", true);
      return;
    }
    const button = byId("advance-button");
    button.disabled = true;
    try {
      const response = await fetch(ADVANCE_URL, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ seconds }),
        cache: "no-store",
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
        setStatus(`advance refused: ${message}`, true);
      }
    } catch (error) {
      setStatus("advance failed: the fake did not answer", true);
    } finally {
      button.disabled = false;
    }
    refreshNow();
  }

  // -- scale sets and faults -----------------------------------------------------------

  function badge(text, className) {
    return el("span", `badge ${className}`, text);
  }

  function renderScaleSets(scaleSets) {
    const tbody = byId("scale-sets").tBodies[0];
    tbody.replaceChildren();
    const shown = scaleSets.items.length;
    byId("scale-set-count").textContent =
      shown < scaleSets.total ? `(${shown} of ${scaleSets.total})` : `(${scaleSets.total})`;
    if (!shown) emptyRow(tbody, 10, "No scale sets yet.");
    for (const item of scaleSets.items) {
      const row = el("tr");
      row.dataset.key = item.key;
      const name = el("td", null, item.key);
      if (!item.exists) name.appendChild(el("span", "muted", " (deleted)"));
      row.appendChild(name);
      const stateCell = el("td");
      stateCell.appendChild(badge(item.provisioning_state, `state-${word(item.provisioning_state)}`));
      row.appendChild(stateCell);
      const tags = item.tags.map(([key, value]) => `${key}=${value}`).join(", ");
      cells(row, [
        item.orchestration_mode,
        item.capacity,
        `${item.vms} (${item.deleted_vms})`,
        item.creation_policy ? "enabled" : "disabled",
        item.deletion_policy ? "enabled" : "disabled",
        item.rounds,
        item.next_round || "",
        tags,
      ]);
      tbody.appendChild(row);
    }
    renderScaleSetChoice(scaleSets.items);
  }

  function renderScaleSetChoice(items) {
    const select = byId("vm-scale-set");
    const keys = items.map((item) => item.key);
    const current = Array.from(select.options).slice(1).map((option) => option.value);
    if (keys.join("\n") === current.join("\n")) return;
    const all = select.options[0];
    select.replaceChildren(all);
    for (const key of keys) {
      const option = el("option", null, key);
      option.value = key;
      select.appendChild(option);
    }
    select.value = keys.find((key) => key.toLowerCase() === state.scaleSet) || "";
  }

  function renderFaults(faults) {
    const tbody = byId("faults").tBodies[0];
    tbody.replaceChildren();
    byId("fault-count").textContent = `(${faults.length})`;
    if (!faults.length) emptyRow(tbody, 4, "None.");
    for (const fault of faults) {
      const times = fault.times === null ? "no limit" : fault.times;
      tbody.appendChild(cells(el("tr"), [fault.kind, fault.what, fault.filters || "everything", times]));
    }
  }

  // -- VM lanes ------------------------------------------------------------------------

  function renderAxis(vms) {
    const axis = byId("vm-axis");
    axis.replaceChildren();
    for (const tick of vms.ticks) {
      const node = el("span", "tick", tick.label);
      node.style.left = percent(tick.x);
      axis.appendChild(node);
    }
  }

  function renderBar(lane, bar, labels) {
    const node = el("div", `bar kind-${word(bar.kind)} outcome-${word(bar.outcome)}`);
    if (bar.forced) node.classList.add("forced");
    node.style.left = percent(bar.x0);
    node.style.width = percent(Math.max(0, bar.x1 - bar.x0));
    node.title = bar.label;
    node.dataset.kind = bar.kind;
    node.dataset.attempt = String(bar.attempt);
    node.dataset.outcome = bar.outcome;
    if (bar.code) {
      node.dataset.code = bar.code;
      node.appendChild(el("span", "bar-code", bar.code));
      const label = el("span", "code-label", bar.code);
      label.style.left = percent(bar.x0);
      label.title = bar.label;
      lane.appendChild(label);
      labels.push(label);
    }
    lane.appendChild(node);
  }

  function renderMark(lane, mark) {
    const node = el("div", `mark kind-${word(mark.kind)}`);
    node.style.left = percent(mark.x);
    node.title = mark.label;
    if (mark.kind === "round") node.appendChild(el("span", "mark-label", mark.label.replace("retry ", "R")));
    lane.appendChild(node);
  }

  function renderAttempts(vm) {
    const list = el("ol", "attempts");
    for (const bar of vm.bars) list.appendChild(el("li", null, bar.label));
    for (const mark of vm.marks) list.appendChild(el("li", "muted", mark.label));
    return list;
  }

  function renderVmRow(container, vm, nowX, labels) {
    const row = el("div", "vm-row");
    row.dataset.key = vm.key;
    row.dataset.state = vm.provisioning_state;
    row.dataset.deletion = vm.deletion_status;
    row.dataset.power = vm.power_state;
    const label = el("div", "vm-label");
    const name = el("div", "vm-name", vm.name);
    name.title = `${vm.scale_set} instance ${vm.instance_id}`;
    label.appendChild(name);
    const meta = el("div", "vm-meta");
    meta.appendChild(badge(vm.provisioning_state, `state-${word(vm.provisioning_state)} vm-state`));
    meta.appendChild(badge(vm.power_state, `power-${word(vm.power_state)} vm-power`));
    meta.appendChild(badge(vm.deletion_status, `status-${word(vm.deletion_status)} vm-deletion`));
    meta.appendChild(el("span", "muted", `${vm.create_attempts} create, ${vm.delete_attempts} delete`));
    label.appendChild(meta);
    row.appendChild(label);
    const lane = el("div", "lane");
    const future = el("div", "future");
    future.style.left = percent(nowX);
    lane.appendChild(future);
    for (const bar of vm.bars) renderBar(lane, bar, labels);
    for (const mark of vm.marks) renderMark(lane, mark);
    const now = el("div", "now-line");
    now.style.left = percent(nowX);
    lane.appendChild(now);
    row.appendChild(lane);
    row.addEventListener("click", () => toggle(vm.key));
    container.appendChild(row);
    if (state.expanded.has(vm.key)) container.appendChild(renderAttempts(vm));
  }

  // Hide a code label that would overlap the one before it on the same lane, and a code that
  // does not fit in its bar (both stay in the DOM, and in the bar's tooltip).
  function uncrowd(labels) {
    const bars = Array.from(document.querySelectorAll("#vm-rows .bar[data-code]"));
    const tight = bars.filter((bar) => bar.scrollWidth > bar.clientWidth);
    for (const bar of tight) bar.classList.add("tight");
    const boxes = labels.map((label) => [label, label.getBoundingClientRect()]);
    let lastLane = null;
    let lastRight = -Infinity;
    for (const [label, box] of boxes) {
      if (label.parentNode !== lastLane) {
        lastLane = label.parentNode;
        lastRight = -Infinity;
      }
      const crowded = box.left < lastRight + 4;
      label.classList.toggle("crowded", crowded);
      if (!crowded) lastRight = box.right;
    }
  }

  function renderVms(vms) {
    const container = byId("vm-rows");
    container.replaceChildren();
    const labels = [];
    for (const vm of vms.items) renderVmRow(container, vm, vms.window.now, labels);
    if (!vms.items.length) container.appendChild(el("p", "muted", "No VMs match."));
    uncrowd(labels);
    renderAxis(vms);
    byId("vm-count").textContent = `(${vms.total})`;
    byId("vm-range").textContent = range(vms.offset, vms.items.length, vms.total);
    byId("vm-prev").disabled = vms.offset <= 0;
    byId("vm-next").disabled = vms.offset + vms.items.length >= vms.total;
  }

  function toggle(key) {
    if (state.expanded.has(key)) state.expanded.delete(key);
    else state.expanded.add(key);
    if (state.last) renderVms(state.last.vms);
  }

  // -- request log ---------------------------------------------------------------------

  function renderRequests(requests) {
    const tbody = byId("requests").tBodies[0];
    tbody.replaceChildren();
    if (!requests.items.length) emptyRow(tbody, 5, "No requests match.");
    for (const item of requests.items) {
      const row = el("tr", `status-${Math.floor(Number(item.status) / 100)}xx`);
      cells(row, [item.time_label, item.method, item.path, item.status, item.api_version || ""]);
      row.cells[2].className = "path";
      row.cells[3].className = "status";
      tbody.appendChild(row);
    }
    // A filtered log is searched only one match past the page: then "matched" is a lower bound.
    const matched = `${requests.matched}${requests.complete ? "" : "+"}`;
    const filtered = requests.matched < requests.total || !requests.complete;
    byId("request-count").textContent =
      filtered ? `(${matched} matching, of ${requests.total})` : `(${requests.total})`;
    byId("request-range").textContent = range(requests.offset, requests.items.length, matched);
    byId("request-prev").disabled = requests.offset <= 0;
    byId("request-next").disabled =
      requests.complete && requests.offset + requests.items.length >= requests.matched;
  }

  function range(offset, count, total) {
    return count ? `${offset + 1}\u2013${offset + count} of ${total}` : `0 of ${total}`;
  }

  // -- polling -------------------------------------------------------------------------

  // Redraw only the parts whose data changed (a second of a running clock changes few).
  function render(data) {
    const parts = {
      clock: [renderClock, data.clock],
      scaleSets: [renderScaleSets, data.scale_sets],
      faults: [renderFaults, data.faults],
      vms: [renderVms, data.vms],
      requests: [renderRequests, data.requests],
    };
    for (const [name, [draw, part]] of Object.entries(parts)) {
      const text = JSON.stringify(part);
      if (state.shown[name] === text) continue;
      state.shown[name] = text;
      draw(part);
    }
    state.last = data;
  }

  function query() {
    const params = new URLSearchParams();
    params.set("vm_offset", String(state.vmOffset));
    params.set("vm_limit", String(VM_LIMIT));
    params.set("req_offset", String(state.requestOffset));
    params.set("req_limit", String(REQUEST_LIMIT));
    if (state.vmQuery) params.set("vm_q", state.vmQuery);
    if (state.scaleSet) params.set("scale_set", state.scaleSet);
    if (state.requestQuery) params.set("req_q", state.requestQuery);
    return params.toString();
  }

  async function refresh() {
    const sequence = ++state.sequence;
    try {
      const response = await fetch(`${DATA_URL}?${query()}`, {
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      const data = await response.json();
      if (sequence !== state.sequence) return; // a newer request is on its way
      if (!response.ok) {
        setStatus(`the fake refused: ${data.error ? data.error.message : response.status}`, true);
        return;
      }
      render(data);
      setStatus(`updated ${new Date().toLocaleTimeString()}`, false);
    } catch (error) {
      if (sequence === state.sequence) setStatus("the fake does not answer; retrying", true);
    }
  }

  async function loop() {
    clearTimeout(state.timer);
    await refresh();
    clearTimeout(state.timer);
    state.timer = setTimeout(loop, POLL_MS);
  }

  function refreshNow() {
    loop();
  }

  function debounce(action, ms) {
    let pending = null;
    return () => {
      clearTimeout(pending);
      pending = setTimeout(action, ms);
    };
  }

  function wire() {
    byId("advance").addEventListener("submit", advance);
    byId("vm-filter").addEventListener("input", debounce(() => {
      state.vmQuery = byId("vm-filter").value.trim().toLowerCase();
      state.vmOffset = 0;
      refreshNow();
    }, 250));
    byId("vm-scale-set").addEventListener("change", () => {
      state.scaleSet = byId("vm-scale-set").value.toLowerCase();
      state.vmOffset = 0;
      refreshNow();
    });
    byId("request-filter").addEventListener("input", debounce(() => {
      state.requestQuery = byId("request-filter").value.trim().toLowerCase();
      state.requestOffset = 0;
      refreshNow();
    }, 250));
    const page = (key, step) => () => {
      state[key] = Math.max(0, state[key] + step);
      refreshNow();
    };
    byId("vm-prev").addEventListener("click", page("vmOffset", -VM_LIMIT));
    byId("vm-next").addEventListener("click", page("vmOffset", VM_LIMIT));
    byId("request-prev").addEventListener("click", page("requestOffset", -REQUEST_LIMIT));
    byId("request-next").addEventListener("click", page("requestOffset", REQUEST_LIMIT));
  }

  wire();
  loop();
})();
