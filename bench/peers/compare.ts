/**
 * millrace side by side with its peers: runs each workload of
 * bench/workloads on millrace's runners and on Flink and Spark
 * (bench/peers/flink, bench/peers/spark), one fresh process per run, millrace
 * and peer runs interleaved (A B A B) so that a change in the machine's load
 * falls on both; checks that every run of a workload produced the same
 * results (count and digest: a mismatch is printed loudly and the script
 * exits non-zero); prints the tables (report.ts) with the load average at
 * each run.
 *
 *   npm run bench:peers [-- --workloads=tumbling,q5 --contestants=stream1,flink1 --rounds=2
 *                           --events=1000000 --words=1000000 --timeout-ms=600000]
 *   npm run bench:peers -- --write-docs      # also writes docs/performance.md
 *   npm run bench:peers -- --markdown        # the page on stdout instead of the text tables
 *   node dist/bench/peers/compare.js --check-results=a.txt,b.txt
 *                                            # only compare two files of RESULT lines, line by line
 *
 * Progress goes to stderr, one line per run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { endRunningChildren, runMeasured } from "./child_run";
import { CONTESTANTS, WORKLOADS, commandOf, repositoryRoot, type Contestant, type Workload } from "./contestants";
import { loadAverages, machineInfo } from "./machine";
import { markdownReport, textReport, type ComparisonReport, type Measurement } from "./report";
import { parseResultLines } from "./result_line";
import { describeMismatches, findMismatches, type RunAnswer } from "./result_check";

interface Options {
  workloads: Workload[];
  contestants: Contestant[];
  /** Whether --contestants was given: then each contestant runs every chosen workload. */
  contestantsChosen: boolean;
  rounds: number;
  events: number;
  words: number;
  timeoutMs: number;
  markdown: boolean;
  writeDocs: boolean;
  checkResults?: [string, string];
  args: string[];
}

const USAGE =
  "usage: compare [--workloads=a,b] [--contestants=a,b] [--rounds=N] [--events=N] [--words=N] [--timeout-ms=N] [--markdown] [--write-docs] | --check-results=fileA,fileB";

function pick<T extends { name?: string; id?: string }>(what: string, all: readonly T[], raw: string, key: (t: T) => string): T[] {
  return raw.split(",").map((name) => {
    const found = all.find((t) => key(t) === name);
    if (!found) throw new Error(`--${what}: unknown '${name}'; known: ${all.map(key).join(", ")}`);
    return found;
  });
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    workloads: [...WORKLOADS],
    contestants: [...CONTESTANTS],
    contestantsChosen: false,
    rounds: 1,
    events: 1_000_000,
    words: 1_000_000,
    timeoutMs: 600_000,
    markdown: false,
    writeDocs: false,
    args: [...argv],
  };
  for (const a of argv) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(a);
    const [name, value] = m ? [m[1]!, m[2]] : ["", undefined];
    const count = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number >= 1, not '${value}'\n${USAGE}`);
      return n;
    };
    if (name === "workloads" && value) o.workloads = pick("workloads", WORKLOADS, value, (w) => w.name);
    else if (name === "contestants" && value) {
      o.contestants = pick("contestants", CONTESTANTS, value, (c) => c.id);
      o.contestantsChosen = true;
    } else if (name === "rounds") o.rounds = count();
    else if (name === "events") o.events = count();
    else if (name === "words") o.words = count();
    else if (name === "timeout-ms") o.timeoutMs = count();
    else if (name === "markdown" && value === undefined) o.markdown = true;
    else if (name === "write-docs" && value === undefined) o.writeDocs = true;
    else if (name === "check-results" && value && value.split(",").length === 2) o.checkResults = value.split(",") as [string, string];
    else throw new Error(`unknown argument '${a}'\n${USAGE}`);
  }
  return o;
}

/** Compare two files of RESULT lines, line by line; true when they agree. */
export function checkResultFiles(fileA: string, fileB: string): { agree: boolean; message: string } {
  const answers: RunAnswer[] = [];
  const lengths: number[] = [];
  for (const file of [fileA, fileB]) {
    const runs = parseResultLines(fs.readFileSync(file, "utf8"));
    lengths.push(runs.length);
    runs.forEach((r, i) => answers.push({ workload: `result line ${i + 1}`, contestant: file, results: r.results, digest: r.digest }));
  }
  if (lengths[0] !== lengths[1] || lengths[0] === 0) {
    return { agree: false, message: `!!! RESULT MISMATCH: ${fileA} has ${lengths[0]} RESULT lines, ${fileB} has ${lengths[1]}` };
  }
  const mismatches = findMismatches(answers);
  return mismatches.length === 0
    ? { agree: true, message: `results agree: ${lengths[0]} RESULT line(s) in each file` }
    : { agree: false, message: describeMismatches(mismatches) };
}

/** The runs of one round, millrace and peers alternating as CONTESTANTS lists them. */
function planRound(o: Options): { workload: Workload; contestant: Contestant }[] {
  const plan: { workload: Workload; contestant: Contestant }[] = [];
  for (const workload of o.workloads) {
    for (const contestant of o.contestants) {
      const defaults = contestant.defaultWorkloads;
      if (!o.contestantsChosen && defaults && !defaults.includes(workload.name)) continue;
      plan.push({ workload, contestant });
    }
  }
  return plan;
}

async function compare(o: Options): Promise<number> {
  const root = repositoryRoot();
  const startedAt = new Date();
  const loadBefore = loadAverages();
  const round = planRound(o);
  const total = round.length * o.rounds;
  const measurements: Measurement[] = [];
  const failures: string[] = [];
  const answers: RunAnswer[] = [];
  const reported = new Set<string>();
  const page = path.join(root, "docs", "performance.md");
  const machine = machineInfo(root);
  const reportNow = (): ComparisonReport => {
    const mismatches = findMismatches(answers);
    return {
      command: `npm run bench:peers -- ${o.args.filter((a) => a !== "--markdown").join(" ") || "--write-docs"}`.trim(),
      machine,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      loadBefore,
      loadAfter: loadAverages(),
      rounds: o.rounds,
      sizes: { events: o.events, words: o.words },
      workloads: o.workloads,
      contestants: o.contestants,
      measurements,
      failures,
      ...(measurements.length + failures.length < total
        ? { partial: `${measurements.length + failures.length} of ${total} runs done` }
        : {}),
      mismatches: mismatches.length > 0 ? describeMismatches(mismatches).split("\n") : [],
    };
  };
  process.stderr.write(`bench:peers: ${total} runs (${o.workloads.length} workloads, ${o.rounds} round(s)); load ${loadBefore}\n`);
  let done = 0;
  for (let r = 1; r <= o.rounds; r++) {
    for (const { workload, contestant } of round) {
      done++;
      const label = `[${done}/${total}] round ${r} ${workload.name} · ${contestant.label}`;
      try {
        const size = workload.sizeFlag === "events" ? o.events : o.words;
        const run = await runMeasured(commandOf(contestant, workload, size, root), o.timeoutMs, root);
        measurements.push({ workload, contestant, round: r, run });
        answers.push({ workload: workload.name, contestant: contestant.label, results: run.results, digest: run.digest });
        process.stderr.write(
          `${label}: job ${Math.round(run.jobMs)} ms, process ${Math.round(run.processMs)} ms, CPU ${Math.round(run.processCpuMs)} ms, ` +
            `${Math.round(run.peakRssMiB)} MiB, ${run.results} results, load ${run.loadAtStart.toFixed(1)}\n`,
        );
        // Rewritten after every run, so a run cut short still leaves its figures (marked partial).
        if (o.writeDocs) fs.writeFileSync(page, markdownReport(reportNow()));
        for (const m of findMismatches(answers.filter((a) => a.workload === workload.name))) {
          const text = describeMismatches([m]);
          if (!reported.has(text)) process.stderr.write(`${text}\n`);
          reported.add(text);
        }
      } catch (e) {
        const message = `${workload.name} · ${contestant.label}: ${(e as Error).message}`;
        failures.push(message);
        process.stderr.write(`${label}: !!! FAILED\n${message}\n`);
      }
    }
  }
  const report = reportNow();
  const mismatches = findMismatches(answers);
  console.log(o.markdown ? markdownReport(report) : textReport(report));
  if (o.writeDocs) {
    fs.writeFileSync(page, markdownReport(report));
    process.stderr.write(`bench:peers: wrote ${path.relative(process.cwd(), page)}\n`);
  }
  if (mismatches.length > 0) process.stderr.write(`${describeMismatches(mismatches)}\n`);
  return mismatches.length > 0 || failures.length > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      endRunningChildren();
      process.exit(130);
    });
  }
  if (o.checkResults) {
    const { agree, message } = checkResultFiles(...o.checkResults);
    (agree ? process.stdout : process.stderr).write(`${message}\n`);
    process.exitCode = agree ? 0 : 1;
    return;
  }
  process.exitCode = await compare(o);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
