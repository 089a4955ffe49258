/**
 * The comparison's tables, as aligned text for a terminal and as Markdown
 * for docs/performance.md: per workload, each contestant's median figures
 * over the rounds, its ratios to Flink and Spark at the same parallelism,
 * and the load average at each of its runs; then a summary of the job-time
 * ratios.
 */
import type { MeasuredProcess } from "./child_run";
import type { Contestant, Workload } from "./contestants";
import type { MachineInfo } from "./machine";

/** One finished run. */
export interface Measurement {
  readonly workload: Workload;
  readonly contestant: Contestant;
  readonly round: number;
  readonly run: MeasuredProcess;
}

/** Everything a report shows. */
export interface ComparisonReport {
  readonly command: string;
  readonly machine: MachineInfo;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly rounds: number;
  /** N of the workloads: events of the windowed and Nexmark ones, words of the word counts. */
  readonly sizes: { readonly events: number; readonly words: number };
  readonly workloads: readonly Workload[];
  readonly contestants: readonly Contestant[];
  readonly measurements: readonly Measurement[];
  /** Runs that failed (message per run). */
  readonly failures: readonly string[];
  /** Set while the run is still going (the page is rewritten after every run): how far it got. */
  readonly partial?: string;
  /** Loud descriptions of result mismatches (empty when every workload agreed). */
  readonly mismatches: readonly string[];
}

/** A table: a header row and rows of cells. */
interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const ms = (v: number): string => Math.round(v).toLocaleString("en-US");
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? "-" : `${(a / b).toFixed(2)}x`;

interface Medians {
  jobMs: number;
  processMs: number;
  jobCpuMs: number;
  processCpuMs: number;
  peakRssMiB: number;
  loads: number[];
  results: number;
}

function mediansOf(runs: readonly Measurement[]): Medians | undefined {
  if (runs.length === 0) return undefined;
  const of = (f: (m: MeasuredProcess) => number): number => median(runs.map((r) => f(r.run)));
  return {
    jobMs: of((r) => r.jobMs),
    processMs: of((r) => r.processMs),
    jobCpuMs: of((r) => r.jobCpuMs),
    processCpuMs: of((r) => r.processCpuMs),
    peakRssMiB: of((r) => r.peakRssMiB),
    loads: runs.map((r) => r.run.loadAtStart),
    results: runs[0]!.run.results,
  };
}

/** The medians of every contestant that ran a workload, by contestant id. */
function mediansByContestant(report: ComparisonReport, workload: Workload): Map<string, Medians> {
  const out = new Map<string, Medians>();
  for (const c of report.contestants) {
    const m = mediansOf(report.measurements.filter((x) => x.workload === workload && x.contestant === c));
    if (m) out.set(c.id, m);
  }
  return out;
}

/** The peer of a kind at a contestant's parallelism (or the nearest there is). */
function peerFor(
  report: ComparisonReport,
  medians: Map<string, Medians>,
  kind: "flink" | "spark",
  parallelism: number,
): Medians | undefined {
  const peers = report.contestants.filter((c) => c.kind === kind && medians.has(c.id));
  const same = peers.find((c) => c.parallelism === parallelism) ?? peers[0];
  return same ? medians.get(same.id) : undefined;
}

function workloadTable(report: ComparisonReport, workload: Workload): Table {
  const medians = mediansByContestant(report, workload);
  const rows: string[][] = [];
  for (const c of report.contestants) {
    const m = medians.get(c.id);
    if (!m) continue;
    const flink = peerFor(report, medians, "flink", c.parallelism);
    const spark = peerFor(report, medians, "spark", c.parallelism);
    rows.push([
      c.label,
      ms(m.jobMs),
      ms(m.processMs),
      ms(m.jobCpuMs),
      ms(m.processCpuMs),
      Math.round(m.peakRssMiB).toString(),
      ratio(m.jobMs, flink?.jobMs),
      ratio(m.processCpuMs, flink?.processCpuMs),
      ratio(m.jobMs, spark?.jobMs),
      m.loads.map((l) => l.toFixed(1)).join(", "),
    ]);
  }
  return {
    header: [
      "contestant",
      "job ms",
      "process ms",
      "job CPU ms",
      "process CPU ms",
      "peak RSS MiB",
      "job ÷ Flink",
      "CPU ÷ Flink",
      "job ÷ Spark",
      "load at start",
    ],
    rows,
  };
}

function summaryTable(report: ComparisonReport): Table {
  const millrace = report.contestants.filter((c) => c.kind === "millrace");
  const header = ["workload", "results", ...millrace.flatMap((c) => [`${c.label} ÷ Flink`, `${c.label} ÷ Spark`])];
  const rows: string[][] = [];
  for (const w of report.workloads) {
    const medians = mediansByContestant(report, w);
    if (medians.size === 0) continue;
    const results = [...medians.values()][0]!.results.toLocaleString("en-US");
    rows.push([
      w.name,
      results,
      ...millrace.flatMap((c) => {
        const m = medians.get(c.id);
        return [
          ratio(m?.jobMs, peerFor(report, medians, "flink", c.parallelism)?.jobMs),
          ratio(m?.jobMs, peerFor(report, medians, "spark", c.parallelism)?.jobMs),
        ];
      }),
    ]);
  }
  return { header, rows };
}

function markdownTable(t: Table): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|");
  const numeric = (i: number): boolean => i > 0 && t.rows.every((r) => /^[-\d.,x ]+$/.test(r[i] ?? ""));
  return [
    `| ${t.header.map(esc).join(" | ")} |`,
    `| ${t.header.map((_, i) => (numeric(i) ? "---:" : "---")).join(" | ")} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

function textTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(t.header), widths.map((w) => "-".repeat(w)).join("  "), ...t.rows.map(line)].join("\n");
}

const COLUMNS_EXPLAINED = [
  "job ms: the job's own time: millrace from `run()` to `waitUntilFinish()`, Flink its `JobExecutionResult.getNetRuntime()`, Spark from building the query to its results on the driver (the session's start excluded).",
  "process ms: the whole process, start to exit (Node or JVM start, Flink's mini cluster, Spark's session included).",
  "job CPU ms: the process's CPU time (all threads) during the job; process CPU ms: the whole process's, from bash's `times`.",
  "peak RSS MiB: the process's peak resident set (Node's `maxRSS`, the JVM's `VmHWM`).",
  "job ÷ Flink, CPU ÷ Flink (process CPU), job ÷ Spark: ratios to the peer at the same parallelism; below 1 is faster than the peer.",
  "Figures are medians over the rounds; each run is a fresh process; the load average is the 1-minute one when each run started.",
];

/** A workload's description with its N. */
function describe(r: ComparisonReport, w: Workload): string {
  return w.description.replace("N ", `${r.sizes[w.sizeFlag].toLocaleString("en-US")} `);
}

/** How each contestant ran. */
function contestantLines(r: ComparisonReport): string[] {
  return r.contestants.map((c) => {
    if (c.kind === "millrace") return `${c.label}: \`${(c.runnerFlags ?? []).join(" ")}\``;
    if (c.kind === "flink")
      return `${c.label}: local mini cluster, streaming mode, parallelism ${c.parallelism}, bounded-out-of-orderness watermarks (200 ms)`;
    return `${c.label}: \`local[${c.parallelism}]\`, batch (DataFrames for word and window counts, RDDs for Nexmark), ${c.parallelism} shuffle partition(s)`;
  });
}

function machineLines(r: ComparisonReport): string[] {
  const m = r.machine;
  return [
    `machine: ${m.cores} cores (nproc), ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB memory`,
    `software: Node ${m.node}, ${m.java}, Flink ${m.flink} (local mini cluster, streaming mode), Spark ${m.spark} (local[N], batch)`,
    `sizes: ${r.sizes.events.toLocaleString("en-US")} events, ${r.sizes.words.toLocaleString("en-US")} words`,
    `run: ${r.startedAt.toISOString()}, ${r.rounds} round(s), ${(r.durationMs / 60_000).toFixed(1)} min; load average (1/5/15 min) before ${r.loadBefore}, after ${r.loadAfter}`,
  ];
}

/** A warning when the machine was busier than it has cores: figures then measure the contention as much as the runs. */
function busyMachineLine(r: ComparisonReport): string[] {
  const loads = r.measurements.map((m) => m.run.loadAtStart);
  const highest = Math.max(0, ...loads);
  return highest > r.machine.cores
    ? [
        `busy machine: the 1-minute load average reached ${highest.toFixed(1)} on ${r.machine.cores} cores during this run; times are inflated and noisy, read the ratios loosely`,
      ]
    : [];
}

function problemLines(r: ComparisonReport): string[] {
  return [
    ...busyMachineLine(r),
    ...(r.partial ? [`partial run, cut short or still going: ${r.partial}`] : []),
    ...r.mismatches,
    ...r.failures.map((f) => `!!! FAILED RUN: ${f.split("\n")[0]}`),
  ];
}

/** The report as aligned text, for a terminal. */
export function textReport(r: ComparisonReport): string {
  const out: string[] = [...machineLines(r), ""];
  for (const w of r.workloads) {
    const t = workloadTable(r, w);
    if (t.rows.length === 0) continue;
    out.push(`${w.name}: ${describe(r, w)}`, textTable(t), "");
  }
  out.push("job time ratios (below 1: millrace is faster)", textTable(summaryTable(r)), "", ...COLUMNS_EXPLAINED, ...problemLines(r));
  return out.join("\n");
}

/** The report as docs/performance.md. */
export function markdownReport(r: ComparisonReport): string {
  const out: string[] = [
    "# Performance: millrace side by side with Flink and Spark",
    "",
    "<!-- Generated by `npm run bench:peers -- --write-docs` (bench/peers/compare.ts); edit the script, not this page. -->",
    "",
    "The same workloads, the same inputs and identical results (checked by count and digest on every run) on millrace's runners and on",
    "[Flink and Spark](../bench/peers/README.md) running on the same machine, one fresh process per run, millrace and peer runs interleaved.",
    "The workloads are defined in [bench/workloads](../bench/workloads/).",
    "",
    "Regenerate this page (needs Maven and a JDK 17+; builds the peers once):",
    "",
    "```sh",
    r.command,
    "```",
    "",
    "## Machine",
    "",
    ...machineLines(r).map((l) => `- ${l}`),
    "",
    "## Contestants",
    "",
    ...contestantLines(r).map((l) => `- ${l}`),
    "",
  ];
  const problems = problemLines(r);
  if (problems.length > 0) out.push("## Problems in this run", "", "```", ...problems, "```", "");
  out.push(
    "## Summary: job time ratios",
    "",
    "Below 1: millrace's job is faster than the peer's at the same parallelism.",
    "",
    markdownTable(summaryTable(r)),
    "",
  );
  out.push("## Per workload", "");
  for (const w of r.workloads) {
    const t = workloadTable(r, w);
    if (t.rows.length === 0) continue;
    out.push(`### ${w.name}`, "", describe(r, w) + ".", "", markdownTable(t), "");
  }
  out.push("## What the columns mean", "", ...COLUMNS_EXPLAINED.map((l) => `- ${l}`), "");
  return out.join("\n");
}
