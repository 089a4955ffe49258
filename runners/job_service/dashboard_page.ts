/**
 * The dashboard page: one self-contained HTML document (no external
 * assets). It reads the token from its own URL, opens the Job API
 * WebSocket, `watch`es every job, and for the selected job draws the plan
 * (the SVG from `getPipelineGraph`), per-stage counts and rates, the
 * watermark, the runner's own view (checkpoints for stream, batches for
 * micro-batch), metrics and the log, all updated as events arrive.
 * The user's metrics come first; the runner's own are listed apart, folded.
 */
import { RUNNER_METRIC_NAMES, RUNNER_METRIC_PREFIXES } from "../core/runner_metrics";

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1f2a44; color: white; padding: 10px 20px; display: flex; align-items: baseline; gap: 16px; }
  header h1 { font-size: 18px; margin: 0; }
  #connection { font-size: 13px; opacity: 0.85; }
  main { padding: 16px 20px; }
  section { background: white; border: 1px solid #dde1e8; border-radius: 6px; padding: 12px 16px; margin-bottom: 14px; }
  h2 { font-size: 16px; margin: 0 0 10px 0; }
  h3 { font-size: 14px; margin: 12px 0 6px 0; }
  table { border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #eceff3; }
  th { color: #556; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.job { cursor: pointer; }
  tr.job:hover, tr.job.selected { background: #eef4ff; }
  .state { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
  .state.RUNNING, .state.STARTING { background: #dff3e4; color: #1b6b34; }
  .state.DONE { background: #e3e8f4; color: #2c3e70; }
  .state.FAILED { background: #fbe0e0; color: #9b1c1c; }
  .state.CANCELLED, .state.CANCELLING { background: #f3ecd9; color: #7a5a10; }
  .cards { display: flex; gap: 12px; flex-wrap: wrap; }
  .card { border: 1px solid #e3e6ec; border-radius: 6px; padding: 8px 12px; min-width: 130px; }
  .card .label { font-size: 12px; color: #667; }
  .card .value { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
  /* The graph at its own size (its layout fits its content), scrolled when bigger than the window: scaled down to fit, a big plan was unreadable. */
  #graph { overflow: auto; max-height: 75vh; }
  #graph svg { display: block; max-width: none; }
  .file { font-size: 12px; color: #667; font-weight: normal; font-family: ui-monospace, Menlo, Consolas, monospace; }
  details summary { cursor: pointer; font-size: 13px; color: #445; margin-top: 8px; }
  #graph svg text { font-family: inherit; }
  #log { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; max-height: 220px; overflow: auto; white-space: pre-wrap; background: #fafbfc; border: 1px solid #eceff3; padding: 6px; }
  #log .WARNING { color: #8a5a00; } #log .ERROR { color: #a11; }
  .muted { color: #778; font-size: 13px; }
  .failure { color: #a11; white-space: pre-wrap; font-family: ui-monospace, Menlo, monospace; font-size: 12px; }
`;

const SCRIPT = `
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?token=" + encodeURIComponent(token);
const jobs = new Map();
let ws = null, nextId = 1, selected = null, graphFor = null, metrics = null;
const $ = (id) => document.getElementById(id);
const RUNNER_METRIC_PREFIXES = ${JSON.stringify(RUNNER_METRIC_PREFIXES)};
const RUNNER_METRIC_NAMES = ${JSON.stringify(RUNNER_METRIC_NAMES)};
const isRunnerMetric = (name) => RUNNER_METRIC_NAMES.includes(name) || RUNNER_METRIC_PREFIXES.some((p) => name.startsWith(p));
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const rate = (r) => (r >= 100 ? fmt(r) : r.toFixed(1)) + "/s";
function watermarkText(w) {
  if (w === null || w === undefined) return "-inf";
  if (w === "+inf") return "+inf";
  return new Date(w).toISOString().replace("T", " ").replace(/\\.\\d+Z$/, "Z");
}
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function send(msg) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id: nextId++, ...msg })); }
function connect() {
  $("connection").textContent = "connecting…";
  ws = new WebSocket(wsUrl);
  ws.onopen = () => { $("connection").textContent = "live"; send({ type: "watch" }); if (selected) selectJob(selected, true); };
  ws.onclose = () => { $("connection").textContent = "disconnected; retrying"; setTimeout(connect, 2000); };
  ws.onmessage = (ev) => handle(JSON.parse(ev.data));
}
function handle(m) {
  switch (m.type) {
    case "watchResponse":
      for (const j of m.jobs) jobs.set(j.jobId, j);
      renderJobs();
      if (!selected) { const fromHash = location.hash.slice(1); const last = [...jobs.keys()].pop(); if (jobs.has(fromHash)) selectJob(fromHash); else if (last) selectJob(last); }
      else renderDetail();
      break;
    case "jobEvent":
      jobs.set(m.job.jobId, { ...(jobs.get(m.job.jobId) || {}), ...m.job });
      renderJobs();
      if (!selected) selectJob(m.job.jobId); else if (m.job.jobId === selected) { renderDetail(); renderMetrics(); }
      break;
    case "progressEvent": {
      const j = jobs.get(m.jobId);
      if (j) { j.progress = m.progress; renderJobRow(j); if (m.jobId === selected) renderDetail(); }
      break;
    }
    case "getPipelineGraphResponse":
      if (m.jobId === selected) { $("graph").innerHTML = m.graph.svg; graphFor = m.jobId; renderDetail(); }
      break;
    case "metricsEvent":
      if (m.jobId === selected) { metrics = m.metrics; renderMetrics(); }
      break;
    case "messageEvent":
      if (m.jobId === selected) appendLog(m.message);
      break;
    case "error":
      console.warn("job service:", m.message);
      break;
  }
}
function jobCells(j) {
  const p = j.progress;
  return [
    el("td", {}, j.jobId), el("td", j.file ? { title: j.file } : {}, j.jobName), el("td", {}, j.runner),
    el("td", {}, el("span", { class: "state " + j.state }, j.state)),
    el("td", {}, new Date(j.submittedAt).toLocaleTimeString()),
    el("td", { class: "num" }, p ? fmt(p.elementsIn) : "–"),
    el("td", { class: "num" }, p ? fmt(p.elementsOut) : "–"),
    el("td", { class: "num" }, p ? rate(p.inRate) : "–"),
    el("td", {}, p ? watermarkText(p.watermark) : "–"),
  ];
}
function renderJobRow(j) {
  const row = document.querySelector('#jobs tbody tr[data-job="' + CSS.escape(j.jobId) + '"]');
  if (row) row.replaceChildren(...jobCells(j)); else renderJobs();
}
function renderJobs() {
  const body = $("jobs").tBodies[0];
  const rows = [...jobs.values()].reverse().map((j) => {
    const tr = el("tr", { class: "job" + (j.jobId === selected ? " selected" : ""), "data-job": j.jobId }, ...jobCells(j));
    tr.onclick = () => selectJob(j.jobId);
    return tr;
  });
  body.replaceChildren(...rows);
  $("no-jobs").hidden = jobs.size > 0;
}
function selectJob(id, resubscribe) {
  if (selected === id && !resubscribe) return;
  selected = id; location.hash = id; metrics = null; graphFor = null;
  $("graph").replaceChildren(); $("log").replaceChildren(); $("metrics").replaceChildren();
  $("detail").hidden = false;
  send({ type: "getPipelineGraph", jobId: id });
  send({ type: "getMessageStream", jobId: id });
  renderJobs(); renderDetail();
}
function card(label, value, id) { return el("div", { class: "card" }, el("div", { class: "label" }, label), el("div", { class: "value", id }, value)); }
function renderDetail() {
  const j = jobs.get(selected);
  if (!j) return;
  const p = j.progress;
  $("job-title").replaceChildren(j.jobName + " (" + j.jobId + ", " + j.runner + " runner) ", el("span", { class: "state " + j.state, id: "job-state" }, j.state),
    ...(j.file ? [" ", el("span", { class: "file", id: "job-file" }, j.file)] : []));
  $("cards").replaceChildren(
    card("elements in", p ? fmt(p.elementsIn) : "0", "elements-in"),
    card("elements out", p ? fmt(p.elementsOut) : "0", "elements-out"),
    card("input rate", p ? rate(p.inRate) : "–", "input-rate"),
    card("watermark", p ? watermarkText(p.watermark) : "-inf", "watermark"),
  );
  $("runner-detail").textContent = p && p.detail ? p.detail : "";
  $("failure").textContent = j.failure ? j.failure.message : "";
  renderStages(j);
  renderRunnerView(j);
}
function renderStages(j) {
  const stages = (j.progress && j.progress.stages) || {};
  if (graphFor === j.jobId) {
    for (const g of document.querySelectorAll("#graph g.node")) {
      const s = stages[g.dataset.node];
      g.querySelector("text.counts").textContent = s ? "in " + fmt(s.elementsIn) + " (" + rate(s.inRate) + ") · out " + fmt(s.elementsOut) : "in 0 · out 0";
    }
  }
  const rows = Object.entries(stages).map(([id, s]) => el("tr", { "data-stage": id }, el("td", {}, id), el("td", { class: "num" }, fmt(s.elementsIn)), el("td", { class: "num" }, rate(s.inRate)), el("td", { class: "num" }, fmt(s.elementsOut)), el("td", { class: "num" }, rate(s.outRate))));
  $("stages").tBodies[0].replaceChildren(...rows);
  $("stages").hidden = rows.length === 0;
  $("no-stages").hidden = rows.length > 0;
}
function table(id, headers, rows) {
  return el("table", { id }, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))), el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", i === 0 ? {} : { class: "num" }, c))))));
}
function bytes(n) { return n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KB" : (n / 1048576).toFixed(1) + " MB"; }
function renderRunnerView(j) {
  const p = j.progress;
  const box = $("runner-view");
  if (p && (j.runner === "stream" || p.checkpointsCompleted > 0)) {
    const recent = p.recentCheckpoints.slice(-10).reverse();
    box.replaceChildren(
      el("h3", {}, "Checkpoints"),
      el("div", { class: "cards" }, card("completed", fmt(p.checkpointsCompleted), "checkpoints-completed"),
        card("last duration", recent[0] ? fmt(recent[0].durationMs) + " ms" : "–"), card("last size", recent[0] ? bytes(recent[0].sizeBytes) : "–")),
      table("checkpoints", ["checkpoint", "duration", "size", "completed"], recent.map((c) => [String(c.id), fmt(c.durationMs) + " ms", bytes(c.sizeBytes), new Date(c.completedAt).toLocaleTimeString()])),
    );
  } else if (p && (j.runner === "microbatch" || p.batchesCompleted > 0)) {
    const recent = p.recentBatches.slice(-10).reverse();
    box.replaceChildren(
      el("h3", {}, "Batches"),
      el("div", { class: "cards" }, card("completed", fmt(p.batchesCompleted), "batches-completed"),
        card("last input rows", recent[0] ? fmt(recent[0].inputRows) : "–"), card("last processing", recent[0] ? fmt(recent[0].processingMs) + " ms" : "–")),
      recent.length ? table("batches", ["batch", "input rows", "processing", "scheduling delay", "state rows"], recent.map((b) => [String(b.id), fmt(b.inputRows), fmt(b.processingMs) + " ms", fmt(b.schedulingDelayMs) + " ms", fmt(b.stateRows)])) : el("p", { class: "muted" }, "no micro-batches: bounded input runs as one batch of stages"),
    );
  } else {
    box.replaceChildren(el("p", { class: "muted" }, "The " + j.runner + " runner takes no checkpoints and runs no micro-batches" + (p && p.detail ? " (" + p.detail + ")." : ".")));
  }
}
function renderMetrics() {
  const user = [], runner = [];
  if (metrics) {
    const add = (k, row) => (isRunnerMetric(k) ? runner : user).push(row);
    for (const [k, v] of Object.entries(metrics.counters)) add(k, [k, "counter", fmt(v)]);
    for (const [k, d] of Object.entries(metrics.distributions)) add(k, [k, "distribution", "n " + fmt(d.count) + ", mean " + (d.count ? (d.sum / d.count).toFixed(2) : "–") + ", min " + d.min + ", max " + d.max]);
    for (const [k, g] of Object.entries(metrics.gauges)) add(k, [k, "gauge", String(g.value)]);
  }
  const wasOpen = $("runner-metrics") ? $("runner-metrics").open : false;
  const j = jobs.get(selected);
  const ended = j && ["DONE", "FAILED", "CANCELLED"].includes(j.state);
  const none = ended ? "the job reported no metrics of its own" : "no metrics of the job's own yet";
  $("metrics").replaceChildren(
    user.length ? table("metrics-table", ["metric", "kind", "value"], user) : el("p", { class: "muted", id: "no-user-metrics" }, none),
    ...(runner.length ? [el("details", { id: "runner-metrics", open: wasOpen }, el("summary", {}, "runner metrics (" + runner.length + ")"), table("runner-metrics-table", ["metric", "kind", "value"], runner))] : []),
  );
}
function appendLog(m) {
  const log = $("log");
  const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  log.append(el("div", { class: m.importance }, new Date(m.time).toLocaleTimeString() + "  " + m.text));
  while (log.childElementCount > 300) log.firstElementChild.remove();
  if (stick) log.scrollTop = log.scrollHeight;
}
connect();
`;

/** The page, as served. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>millrace job service</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style>
</head>
<body>
<header><h1>millrace job service</h1><span id="connection"></span></header>
<main>
<section>
  <h2>Jobs</h2>
  <table id="jobs">
    <thead><tr><th>job</th><th>name</th><th>runner</th><th>state</th><th>submitted</th><th>in</th><th>out</th><th>rate</th><th>watermark</th></tr></thead>
    <tbody></tbody>
  </table>
  <p id="no-jobs" class="muted">No jobs yet: run a pipeline with --jobEndpoint pointing here.</p>
</section>
<div id="detail" hidden>
<section>
  <h2 id="job-title"></h2>
  <div class="cards" id="cards"></div>
  <p class="muted" id="runner-detail"></p>
  <div class="failure" id="failure"></div>
</section>
<section>
  <h2>Pipeline graph</h2>
  <div id="graph"></div>
</section>
<section>
  <h2>Stages</h2>
  <table id="stages" hidden><thead><tr><th>stage</th><th>in</th><th>in rate</th><th>out</th><th>out rate</th></tr></thead><tbody></tbody></table>
  <p id="no-stages" class="muted">This runner reports no per-stage counts yet.</p>
  <div id="runner-view"></div>
</section>
<section>
  <h2>Metrics</h2>
  <div id="metrics"></div>
</section>
<section>
  <h2>Log</h2>
  <div id="log"></div>
</section>
</div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
