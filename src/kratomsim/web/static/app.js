// kratomsim pages: read a form, call the REST API with fetch, draw the chart and tables.
// All numbers come from the API; this file only lays them out. Text is inserted with textContent.
"use strict";

const $ = (sel) => document.querySelector(sel);

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function fmt(x) {
  if (x === null || x === undefined) return "";
  if (typeof x !== "number") return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1000 || a < 0.01 ? x.toPrecision(3) : Number(x.toPrecision(3)).toString();
}

// An error is shown under the form's submit button, focused (so it is in view and read out: the box
// has role="alert") and the field it names is marked aria-invalid. Results of an earlier request are
// cleared, so nothing stale stays on screen next to the error.
function showError(message, form) {
  const box = $("#error");
  for (const field of document.querySelectorAll("[aria-invalid=true]")) field.removeAttribute("aria-invalid");
  box.textContent = message || "";
  box.hidden = !message;
  if (!message) return;
  if (form) {
    const actions = form.querySelector(".actions") || form.querySelector("button[type=submit]");
    actions.insertAdjacentElement("afterend", box);
    const field = fieldNamed(form, message);
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-errormessage", "error");
    }
  }
  box.setAttribute("tabindex", "-1");
  box.focus();
}

// The form field an error message is about: the one whose name or label the message mentions first
// (API messages start with the field, "nights: ...", or name it, "cannot read dose ...").
function fieldNamed(form, message) {
  const text = message.toLowerCase();
  let best = null;
  let at = Infinity;
  for (const input of form.querySelectorAll("input, select, textarea")) {
    if (!input.name) continue;
    const name = input.name.split(".").pop().toLowerCase();
    const words = name.length >= 3 ? [name] : [];  // "at" would match the word, not the field
    for (const label of input.labels || []) words.push(label.textContent.trim().toLowerCase());
    for (const word of words) {
      const i = text.search(new RegExp("(^|[^a-z])" + escapeRegExp(word) + "([^a-z]|$)"));
      if (i >= 0 && i < at) { at = i; best = input; }
    }
  }
  return best;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// While a request runs the previous results are greyed (and marked busy); an error clears them.
function markStale(stale) {
  for (const node of [$("#results"), $("#chart")]) {
    if (!node) continue;
    node.classList.toggle("stale", stale);
    node.setAttribute("aria-busy", stale ? "true" : "false");
  }
}

function clearResults() {
  const results = $("#results");
  if (results) results.hidden = true;
  const chart = $("#chart");
  if (chart && window.Plotly && chart.classList.contains("js-plotly-plot")) Plotly.purge(chart);
  markStale(false);
}

function setStatus(text) {
  const s = $("#status");
  if (s) s.textContent = text;
}

// Form fields -> JSON body. Numbers stay numbers, checkboxes booleans, data-list fields arrays,
// "a.dose"-style names nest, empty optional fields are left out.
function formBody(form) {
  const body = {};
  for (const input of form.querySelectorAll("input, select, textarea")) {
    if (!input.name) continue;
    let value;
    if (input.type === "checkbox") value = input.checked;
    else if (input.type === "number") value = input.value === "" ? undefined : Number(input.value);
    else if (input.hasAttribute("data-list"))
      value = input.value.split(",").map((s) => s.trim()).filter(Boolean);
    else value = input.value.trim() === "" ? undefined : input.value.trim();
    if (value === undefined) continue;
    const parts = input.name.split(".");
    let target = body;
    for (const p of parts.slice(0, -1)) target = target[p] = target[p] || {};
    target[parts[parts.length - 1]] = value;
  }
  return body;
}

function fillForm(form, params) {
  for (const [k, v] of Object.entries(params)) {
    const input = form.elements.namedItem(k);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = Boolean(v);
    else input.value = Array.isArray(v) ? v.join(", ") : v;
  }
}

async function api(path, options) {
  const response = await fetch(path, options);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(typeof data.detail === "string" ? data.detail : `HTTP ${response.status}`);
  return data;
}

const postJSON = (path, body) =>
  api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

function table(columns, rows) {
  const t = el("table");
  const head = t.createTHead().insertRow();
  for (const c of columns) head.appendChild(el("th", c, { scope: "col" }));
  const tbody = t.createTBody();
  for (const row of rows) {
    const tr = tbody.insertRow();
    for (const cell of row) tr.appendChild(el("td", fmt(cell), typeof cell === "number" ? { class: "num" } : {}));
  }
  return t;
}

function fillList(selector, items) {
  const list = $(selector);
  if (!list) return;
  list.replaceChildren(...items.map((t) => el("li", t)));
}

// Each sleep window shaded, with a dashed line at its wake-up (as in the CLI's plots).
function sleepShapes(windows) {
  return windows.flatMap(([x0, x1]) => [
    { type: "rect", xref: "x", yref: "paper", x0, x1, y0: 0, y1: 1,
      fillcolor: "rgba(110, 110, 110, 0.12)", line: { width: 0 }, layer: "below" },
    { type: "line", xref: "x", yref: "paper", x0: x1, x1, y0: 0, y1: 1,
      line: { color: "#222222", width: 1, dash: "dash" } },
  ]);
}

// Mitragynine, 7-OH and medicines bold; the minor alkaloids thin and pale, as in the CLI's plots.
const MINOR = ["speciogynine", "paynantheine", "speciociliatine", "mitraciliatine", "isopaynantheine"];
const lineFor = (name) => (MINOR.includes(name)
  ? { color: colourFor(name), width: 1.2 } : { color: colourFor(name), width: 2.5 });

// Axis titles: the long one on wide screens, the short one where the long one would be cut off.
const axisTitle = (long, short) => ({ text: window.innerWidth < 600 ? short : long });

function plot(traces, layout) {
  const narrow = window.innerWidth < 600;
  const base = {
    margin: { l: 60, r: 10, t: 10, b: 60 },
    legend: {},
    xaxis: { title: { text: "Clock time" }, type: "date" },
    hovermode: "x unified",
  };
  if (narrow) {
    // On a phone the legend goes under the chart, in rows of about two names, with room kept for it
    // so it never covers the axis; the figure grows instead of squeezing the plot.
    // A long name takes a whole row of the legend, two short ones share a row; a row is about 29 px.
    const names = traces.filter((t) => t.showlegend !== false).map((t) => String(t.name || ""));
    const halves = names.reduce((n, name) => n + (name.length > 20 ? 2 : 1), 0);
    const legendHeight = 29 * Math.ceil(halves / 2) + 10;
    base.margin.b = 95 + legendHeight;
    base.height = 320 + base.margin.b;
    base.legend = { orientation: "h", x: 0, xanchor: "left", yref: "container", y: 0, yanchor: "bottom",
                    font: { size: 11 } };
  }
  if (layout.yaxis2) {
    // A right-hand axis takes the legend's usual place: the legend goes under the plot instead, in
    // rows packed to the chart's width, with its room reserved so it covers neither axis nor data.
    base.margin.r = 60;
    if (!narrow) {
      // A wrapped horizontal legend lines its entries up in columns as wide as the longest entry.
      const width = Math.max(300, document.getElementById("chart").clientWidth - 20);
      const names = traces.filter((tr) => tr.showlegend !== false).map((tr) => String(tr.name || ""));
      const column = 50 + 7 * Math.max(...names.map((n) => n.length));
      const rows = Math.ceil(names.length / Math.max(1, Math.floor(width / column)));
      base.margin.b = 80 + 21 * rows;
      base.height = 400 + base.margin.b;
      base.legend = { orientation: "h", x: 0, xanchor: "left", yref: "container", y: 0, yanchor: "bottom" };
    }
  }
  return Plotly.react("chart", traces, Object.assign(base, layout), { responsive: true, displaylogo: false });
}

async function loadProducts() {
  const selects = document.querySelectorAll("select[data-products]");
  if (!selects.length) return;
  try {
    const products = await api("/api/products");
    for (const s of selects) {
      const keep = s.value;
      s.replaceChildren(...products.map((p) => el("option", `${p.id}: ${p.name}`, { value: p.id })));
      s.value = keep;
    }
  } catch (err) { /* the K51 option stays */ }
}

// ------------------------------------------------------------------------------------------- pages

function bindForm(form, render) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    markStale(true);
    setStatus("Simulating…");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = await postJSON(form.dataset.api, formBody(form));
      setStatus("");  // cleared before drawing, so a page's note about the chart stays
      await paletteReady;
      await render(data);
      markStale(false);
      $("#results") && ($("#results").hidden = false);
    } catch (err) {
      setStatus("");
      clearResults();
      showError(err.message, form);
    } finally {
      button.disabled = false;
    }
  });
}

// One colour per compound on every page and plot: the table of kratomsim.report.palette, from the API.
let COLOURS = { colours: {}, other: "#555555" };
let paletteReady = Promise.resolve();
async function loadPalette() {
  try { COLOURS = await api("/api/palette"); } catch (err) { /* grey lines still draw */ }
}

// 'mitragynine (kratom:K51:2g)', 'zolpidem:10mg', 'zolpidem with kratom' -> the compound's colour.
function colourFor(label) {
  const base = String(label).split(" (")[0].trim().replace(/ with kratom$/, "").split(":")[0].trim().toLowerCase();
  return COLOURS.colours[base] || COLOURS.other;
}

function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Alkaloids whose band is drawn at first; the others' bands are one legend click away, so that seven
// overlapping bands do not hide each other (the lines of every alkaloid are always drawn).
const FIRST_BANDS = ["mitragynine", "7-hydroxymitragynine"];

// One curve per compound; with a population, its median line and its low-high band (shaded).
function nightTraces(c) {
  const traces = [];
  const banded = c.curves.filter((s) => s.band).map((s) => s.compound);
  const shown = banded.some((n) => FIRST_BANDS.includes(n)) ? FIRST_BANDS : banded;
  c.curves.forEach((s, i) => {
    const color = colourFor(s.compound);
    if (!s.band) {
      traces.push({ x: c.clock, y: s.conc_ng_per_mL, name: s.compound, type: "scatter", mode: "lines",
                    line: lineFor(s.compound), opacity: MINOR.includes(s.compound) ? 0.6 : 1,
                    hovertemplate: "%{y:.3g} ng/mL" });
      return;
    }
    const b = s.band;
    const first = shown.includes(s.compound);
    const group = first ? s.compound : `${s.compound} band`;
    const bandName = `${s.compound} ${c.band.interval} band`;
    const visible = first ? true : "legendonly";
    traces.push(
      { x: c.clock, y: b.low_ng_per_mL, type: "scatter", mode: "lines", line: { width: 0, color }, visible,
        legendgroup: group, showlegend: false, hoverinfo: "skip", name: `${s.compound} low` },
      { x: c.clock, y: b.high_ng_per_mL, type: "scatter", mode: "lines", line: { width: 0, color }, visible,
        fill: "tonexty", fillcolor: rgba(color, 0.25), legendgroup: group, showlegend: !first,
        legendrank: 2000 + i, name: bandName, hovertemplate: `${c.band.interval} band: up to %{y:.3g} ng/mL` },
    );
  });
  // Median lines last, so they are drawn over every band.
  c.curves.forEach((s, i) => {
    if (!s.band) return;
    traces.push({ x: c.clock, y: s.band.median_ng_per_mL, type: "scatter", mode: "lines",
                  line: { color: colourFor(s.compound), width: 2 }, legendgroup: s.compound,
                  legendrank: 1000 + i, name: s.compound, hovertemplate: "median %{y:.3g} ng/mL" });
  });
  return traces;
}

function iv(cell, scale) {
  const k = scale || 1;
  return `${fmt(k * cell.median)} (${fmt(k * cell.low)}–${fmt(k * cell.high)})`;
}

function renderPopulation(data) {
  const block = $("#population-block");
  const pop = data.population;
  block.hidden = !pop;
  if (!pop) return;
  const [lo, hi] = pop.interval_percent;
  const last = data.scenario.nights;
  $("#population-title").textContent =
    `Across ${pop.subjects.toLocaleString("en")} simulated people: median (${fmt(lo)}–${fmt(hi)}%)`;
  const rows = pop.nights.filter((r) => r.night === 1 || r.night === last);
  $("#population-table").replaceChildren(table(
    ["night", "compound", "at bedtime (ng/mL)", "peak (ng/mL)", "at wake-up (ng/mL)", "morning (ng/mL)", "sleep AUC (nM·h)"],
    rows.map((r) => [r.night, r.compound, iv(r.at_dose_ng_per_mL), iv(r.peak_ng_per_mL), iv(r.wake_ng_per_mL),
                     iv(r.morning_ng_per_mL), iv(r.auc_sleep_nM_h)]),
  ));
}

function renderSleep(data) {
  const sleep = data.sleep_architecture;
  $("#sleep-block").hidden = !sleep;
  if (!sleep) return;
  const words = { "-1": "less", "0": "no change", "1": "more" };
  const cell = (c) => {
    const dir = c.direction === null ? "not predicted" : words[String(c.direction)];
    const ch = c.change;
    return ch.median === null ? `${dir}; size: none` : `${dir}; scenario ${fmt(ch.median)} (${fmt(ch.low)} to ${fmt(ch.high)}) points`;
  };
  const names = Object.values(sleep.nights[0].changes).map((c) => c.outcome);
  $("#sleep-table").replaceChildren(table(
    ["night", "mu stimulus, night mean (%)", ...names],
    sleep.nights.map((n) => [n.night, iv(n.night_mean_mu_stimulus_percent),
                             ...Object.values(n.changes).map(cell)]),
  ));
  $("#sleep-fit").textContent = `Median (${Math.round(100 * sleep.level)}% interval). Fit ${sleep.identifiability.fit}: ` +
    sleep.identifiability.reason;
  $("#sleep-assumption").textContent = sleep.assumption;
  if (window.renderSleepPlot) window.renderSleepPlot(sleep);  // static/sleep_plot.js
}

// Each morning as a dotted line (wake-up is the dashed end of each sleep window).
function morningShapes(mornings) {
  return (mornings || []).map((x) => ({ type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
                                        line: { color: "#6b4c9a", width: 1, dash: "dot" } }));
}

// A medicine's published next-morning level: a dash-dot line across the chart, named in the legend.
function thresholdTraces(c) {
  const ends = [c.clock[0], c.clock[c.clock.length - 1]];
  return (c.thresholds || []).map((t) => ({
    x: ends, y: [t.ng_per_mL, t.ng_per_mL], type: "scatter", mode: "lines", name: t.label,
    line: { color: colourFor(t.compound), width: 1.5, dash: "dashdot" }, hovertemplate: `${t.label}<extra></extra>`,
  }));
}

// The highest value any trace draws, for axis ranges that the nM axis can mirror.
function topOf(traces) {
  let top = 0;
  for (const t of traces) for (const v of t.y || []) if (v !== null && v > top) top = v;
  return top > 0 ? top * 1.05 : 1;
}

function renderNight(data) {
  const c = data.chart;
  const traces = [...nightTraces(c), ...thresholdTraces(c)];
  const top = topOf(traces);
  const layout = { yaxis: { title: axisTitle("Plasma concentration (ng/mL)", "Plasma (ng/mL)"), range: [0, top] },
                   shapes: [...sleepShapes(c.sleep_windows), ...morningShapes(c.mornings)] };
  if (c.nM_axis) {
    // The same scale in nM of mitragynine (ng/mL x 1000 / molecular weight), on the right.
    const k = c.nM_axis.nM_per_ng_per_mL;
    layout.yaxis2 = { title: axisTitle(`${c.nM_axis.compound} (nM)`, "nM"), overlaying: "y", side: "right",
                      range: [0, top * k], showgrid: false };
    // An empty trace on the second axis, so plotly draws it.
    traces.push({ x: [c.clock[0]], y: [null], yaxis: "y2", showlegend: false, hoverinfo: "skip", name: "nM axis",
                  type: "scatter", mode: "lines", line: { width: 0 } });
  }
  plot(traces, layout);
  setStatus(c.band
    ? `Lines: the median of ${c.band.subjects.toLocaleString("en")} simulated people. Coloured shading: ` +
      `the ${c.band.interval} band of mitragynine and 7-hydroxymitragynine (click "… band" in the legend ` +
      "for another alkaloid's). Grey columns: sleep windows (bedtime to wake-up)."
    : "Shaded: sleep windows (bedtime to wake-up); dashed line: wake-up; dotted line: the morning time. " +
      "Bold: mitragynine, 7-hydroxymitragynine and medicines; thin: the minor alkaloids. Dash-dot: a " +
      "medicine's published next-morning level. Right-hand axis: the same scale in nM of mitragynine.");
  $("#summary").replaceChildren(...data.summary.split("\n").map((line) => el("p", line)));
  const warn = [...data.warnings, ...data.comedication_warnings];
  $("#warnings").replaceChildren(...warn.map((w) => el("p", w, { class: "warning" })));
  $("#nights-table").replaceChildren(table(
    ["night", "compound", "at bedtime (ng/mL)", "peak (ng/mL)", "peak at", "at wake-up (ng/mL)", "morning (ng/mL)", "sleep AUC (nM·h)"],
    data.nights.map((r) => [r.night, r.compound, r.at_dose_ng_per_mL, r.peak_ng_per_mL, r.peak_clock.slice(-5),
                            r.wake_ng_per_mL, r.morning_ng_per_mL, r.auc_sleep_nM_h]),
  ));
  $("#nights-title").textContent = data.population ? "Night by night: the typical person" : "Night by night";
  renderPopulation(data);
  renderSleep(data);
  const popNotes = data.population ? data.population.notes : [];
  fillList("#notes", [...data.notes, ...popNotes, data.disclaimer]);
  fillList("#evidence", data.evidence.map((e) => `${e.text} (${e.sources.join("; ")})`));
  fillList("#sources", data.sources.map((s) => s.citation));
}

async function refreshSaved(form) {
  const list = $("#saved");
  const items = await api("/api/scenarios");
  list.replaceChildren(...items.map((item) => {
    const li = el("li");
    li.appendChild(el("span", `${item.name} (${item.params.dose} of ${item.params.product}, ${item.params.nights} night(s)) `));
    const open = el("button", "Open", { type: "button", class: "link", "aria-label": `Open ${item.name}` });
    open.addEventListener("click", async () => {
      const saved = await api(`/api/scenarios/${item.id}`);
      fillForm(form, saved.params);
      form.requestSubmit();
    });
    const del = el("button", "Delete", { type: "button", class: "link", "aria-label": `Delete ${item.name}` });
    del.addEventListener("click", async () => {
      await api(`/api/scenarios/${item.id}`, { method: "DELETE" });
      refreshSaved(form);
    });
    li.append(open, del);
    return li;
  }));
  if (!items.length) list.replaceChildren(el("li", "None yet."));
}

function initNight() {
  const form = $("#night-form");
  bindForm(form, renderNight);
  const save = $("#save-form");
  save.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    try {
      await postJSON("/api/scenarios", { name: $("#scenario-name").value, kind: "night", params: formBody(form) });
      $("#scenario-name").value = "";
      await refreshSaved(form);
    } catch (err) { showError(err.message, save); }
  });
  refreshSaved(form).catch((err) => showError(err.message));
}

function initReceptors() {
  bindForm($("#receptors-form"), (data) => {
    const c = data.chart;
    const d = c.curves.default;
    const traces = [
      { x: c.clock, y: c.curves.high.total, line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
      { x: c.clock, y: c.curves.low.total, fill: "tonexty", line: { width: 0 }, fillcolor: "rgba(128,128,128,0.25)",
        name: "range over unbound fraction" },
      { x: c.clock, y: d.total, name: "all alkaloids", line: { color: "black", width: 3 } },
      ...Object.entries(d.by_ligand).map(([n, y]) => ({ x: c.clock, y, name: n, line: { color: colourFor(n) } })),
      { x: c.clock, y: d.stimulus, name: "stimulus (% of full agonist)", line: { dash: "dash", color: "red" } },
    ];
    plot(traces, { yaxis: { title: axisTitle(`${data.receptor} receptor occupancy (%)`, `${data.receptor} occupancy (%)`), range: [0, 100] },
                   shapes: sleepShapes(c.sleep_windows) });
    $("#table").replaceChildren(table(
      ["night", "at bedtime (%)", "peak (%)", "peak at", "at wake-up (%)", "stimulus at peak (%)"],
      data.nights.map((n) => [n.night, n.bedtime.occupancy_percent, n.peak.occupancy_percent, n.peak.clock.slice(-5),
                              n.wake.occupancy_percent, n.peak.stimulus_percent]),
    ));
    const iv = data.interval;
    const cell = (c) => `${fmt(c.median)}% (${fmt(c.low)}-${fmt(c.high)})`;
    const head = iv ? [`Peak ${iv.receptor} occupancy, median (90% interval): ${cell(iv.peak_occupancy_percent)}; ` +
      "share of occupied receptors: " + Object.entries(iv.share_of_occupied_percent).map(([n, c]) => `${n} ${cell(c)}`).join(", ")] : [];
    const pc = data.positive_control;
    const control = pc ? [`Positive control (${pc.drug}, ${pc.study}): ` + pc.arms.map((a) =>
      `${fmt(a.dose_mg)} mg observed ${fmt(a.observed_percent)}%, predicted ${fmt(a.predicted_percent)}%`).join("; ")] : [];
    fillList("#notes", [...head, ...control, `Binding data: ${data.data_set}; efficacy: ${data.efficacy_set}.`, ...data.notes]);
  });
}

async function initInteractions() {
  try {
    const meds = await api("/api/medicines");
    $("#victims").replaceChildren(...meds.victims.map((v) => el("option", null, { value: v })));
  } catch (err) { /* free text still works */ }
  bindForm($("#interact-form"), (p) => {
    $("#table").replaceChildren(table(["quantity", "predicted", "low", "high"], [
      ["AUC ratio", p.auc_ratio, p.auc_ratio_low, p.auc_ratio_high],
      ["Cmax ratio", p.cmax_ratio, p.cmax_ratio_low, p.cmax_ratio_high],
      ["gut term", p.gut_term, "", ""],
      ["liver term", p.liver_term, "", ""],
    ]));
    const m = p.next_morning;
    $("#morning").textContent = m && m.available
      ? `At ${m.wake} (${fmt(m.hours_after_dose)} h after a ${fmt(m.victim_dose_mg)} mg dose): ` +
        `${fmt(m.without_kratom_ng_per_mL)} ng/mL without kratom, ${fmt(m.with_kratom_ng_per_mL)} ng/mL with.`
      : (m && m.reason) || "";
    fillList("#notes", [`Driven by ${p.enzyme} inhibition (${p.site}); ${p.model} model.`, ...p.assumptions]);
    fillList("#sources", p.sources);
  });
}

// Each matched claim with everything the API gives for it: the verdict and why (rationale), the
// catalog's own verdict, how close the match was, and the studies behind it.
function claimCard(m, references) {
  const li = el("li", null, { class: "claim" });
  li.appendChild(el("p", `“${m.clause || m.sentence}”`, { class: "claim-text" }));
  const verdict = el("p");
  verdict.appendChild(el("strong", m.verdict));
  const flags = [m.negated ? "negated" : "", m.hedged ? "hedged" : ""].filter(Boolean).join(", ");
  verdict.append(` — catalog claim ${m.claim_id} (catalog verdict: ${m.catalog_verdict}; similarity ${fmt(m.similarity)}` +
                 `${flags ? `; ${flags}` : ""})`);
  li.appendChild(verdict);
  li.appendChild(el("p", `Why: ${m.rationale}`, { class: "rationale" }));
  const sources = el("ul", null, { class: "claim-sources", "aria-label": "Evidence for this claim" });
  for (const s of m.sources) {
    const key = String(s).split(" ")[0];
    sources.appendChild(el("li", references[key] ? `${s}: ${references[key]}` : s));
  }
  li.appendChild(el("p", "Evidence:"));
  li.appendChild(sources);
  return li;
}

function initAudit() {
  bindForm($("#audit-form"), (r) => {
    $("#table").replaceChildren(table(["sentence", "claim", "verdict", "similarity", "negated", "hedged"],
      r.claims.map((m) => [m.sentence, m.claim_id, m.verdict, m.similarity, m.negated ? "yes" : "", m.hedged ? "yes" : ""])));
    $("#claims").replaceChildren(...(r.claims.length ? r.claims.map((m) => claimCard(m, r.references))
                                                       : [el("li", "No claim of the catalog was found.")]));
    fillList("#notes", r.not_in_catalog.length ? r.not_in_catalog : ["None."]);
    fillList("#sources", Object.entries(r.references).map(([k, v]) => `${k}: ${v}`));
  });
}

function initCompare() {
  bindForm($("#compare-form"), (r) => {
    const c = r.chart;
    const traces = c.curves.map((s) => ({
      x: c.clock, y: s.conc_ng_per_mL.map((v) => (v > 0 ? v : null)), name: s.name, type: "scatter", mode: "lines",
      line: s.name.startsWith("kratom") || s.name.includes("(kratom")
        ? { color: colourFor(s.name) } : { color: colourFor(s.name), dash: "dash" },
      hovertemplate: "%{y:.3g} ng/mL",
    }));
    plot(traces, { yaxis: { title: axisTitle("Plasma concentration (ng/mL, log scale)", "Plasma (ng/mL, log)"), type: "log" },
                   shapes: sleepShapes(c.sleep_windows) });
    setStatus("Shaded: sleep windows (bedtime to wake-up). Dashed: medicines.");
    const last = r.setting.nights;
    $("#table").replaceChildren(table(
      ["aid", "compound", "% of peak at wake (night 1)", "wake-up night 1 (ng/mL)", `wake-up night ${last} (ng/mL)`,
       `morning night ${last} (ng/mL)`, `sleep AUC night ${last} / night 1`],
      r.aids.map((e) => [e.aid, e.compound, 100 * e.night_1.fraction_of_peak_at_wake, e.night_1.wake_ng_per_mL,
                         e.night_last.wake_ng_per_mL, e.night_last.morning_ng_per_mL, e.night_last.auc_ratio_vs_night1]),
    ));
    const above = r.aids.filter((e) => e.share_above_next_morning_level).map((e) => {
      const a = e.share_above_next_morning_level;
      return `${e.aid}: ${fmt(100 * a.share.wake.all)}% of ${a.subjects} simulated people above ${fmt(a.threshold_ng_per_mL)} ng/mL at wake-up after night ${a.nights}`;
    });
    fillList("#notes", [...above, ...r.notes]);
    fillList("#sources", r.sources.map((s) => s.citation));
  });
}

const PAGES = { night: initNight, compare: initCompare, receptors: initReceptors, interactions: initInteractions, audit: initAudit };

document.addEventListener("DOMContentLoaded", () => {
  loadProducts();
  paletteReady = loadPalette();
  const init = PAGES[document.body.dataset.page] || window.kratomsimInitPage;
  if (init) init();
});
