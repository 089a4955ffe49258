/**
 * Figures for the engines: word count over 1M words and Nexmark q0, q1, q2,
 * q5 on Flink (Beam's Flink job server, its embedded mini cluster,
 * parallelism 2) next to millrace's own `stream` runner and to Beam's Python
 * SDK on the same Flink job server. Prints one line per run: wall time,
 * elements per second and, for Nexmark, the number of results (Beam Python's
 * run checks it is millrace's).
 *
 * Beam Python runs the same four queries (bench/beam_python/nexmark.py) over
 * the very events millrace's generator makes, written to a file beforehand:
 * Beam's own Nexmark launcher reads, in batch mode, events from Beam's Java
 * generator, whose results could not be compared with millrace's.
 *
 *   scripts/engines.sh prepare flink python     # once
 *   npm run bench:engines -- [--words=1000000] [--events=100000] [--skip=stream,flink,python]
 *
 * Each job's wall time counts from submission to its end as its submitter
 * sees it (the job server is started once beforehand and shared, so its JVM
 * start is not counted; Flink's job start is). Python runs in LOOPBACK mode,
 * like millrace's default harness, so both pay the same gRPC data plane.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { beamPythonBinary } from "../runners/portable/engines/engine_classpath";
import { startJobServer } from "../runners/portable/engines/job_server";
import { generateEvents } from "./nexmark/generator";
import { DEFAULT_NEXMARK_CONFIG } from "./nexmark/model";

const run = promisify(execFile);
const REPO = path.join(__dirname, "..", "..");

interface Row {
  readonly what: string;
  readonly on: string;
  readonly elements: number;
  readonly seconds?: number;
  readonly results?: number;
  readonly error?: string;
}

function flag(name: string, fallback: string): string {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}

/** A deterministic text of `words` words, 10 to a line, over a vocabulary of 5000. */
function writeWords(file: string, words: number): void {
  const lines: string[] = [];
  let seed = 11;
  for (let i = 0; i < words; i += 10) {
    const line: string[] = [];
    for (let j = 0; j < 10 && i + j < words; j++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      line.push(`w${(seed >>> 8) % 5000}`);
    }
    lines.push(line.join(" "));
  }
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

/** The events of `run_nexmark --events=N` (same generator, same default configuration and seed), one JSON event a line. */
function writeNexmarkEvents(file: string, events: number): void {
  const out = fs.openSync(file, "w");
  try {
    for (const e of generateEvents({ ...DEFAULT_NEXMARK_CONFIG, numEvents: events })) fs.writeSync(out, JSON.stringify(e) + "\n");
  } finally {
    fs.closeSync(out);
  }
}

/** The results column of run_nexmark's row for query `q`. */
function millraceResults(stdout: string, q: number): number | undefined {
  const row = stdout.split("\n").find((l) => l.startsWith(`q${q} `));
  const cells = row?.trim().split(/\s+/);
  return cells === undefined || cells.length < 3 ? undefined : Number(cells[2]!.replace(/,/g, ""));
}

/** Runs `job`, which resolves to the number of results when it has one, and prints its row. */
async function timed(what: string, on: string, elements: number, job: () => Promise<unknown>): Promise<Row> {
  const start = process.hrtime.bigint();
  try {
    const outcome = await job();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const row = { what, on, elements, seconds, ...(typeof outcome === "number" ? { results: outcome } : {}) };
    console.log(format(row));
    return row;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    const row = {
      what,
      on,
      elements,
      error: `${err.message.split("\n")[0]} ${(err.stderr ?? "").split("\n").slice(-3).join(" ")}`.slice(0, 300),
    };
    console.log(format(row));
    return row;
  }
}

function format(r: Row): string {
  const head = `${r.what.padEnd(22)} ${r.on.padEnd(34)}`;
  if (r.seconds === undefined) return `${head} FAILED: ${r.error}`;
  const results = r.results === undefined ? "" : `  ${r.results} results`;
  return `${head} ${r.seconds.toFixed(1).padStart(7)} s  ${Math.round(r.elements / r.seconds)
    .toString()
    .padStart(9)} elements/s${results}`;
}

async function main(): Promise<void> {
  const words = Number(flag("words", "1000000"));
  const events = Number(flag("events", "100000"));
  const skip = new Set(flag("skip", "").split(",").filter(Boolean));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-engines-"));
  const text = path.join(work, "words.txt");
  writeWords(text, words);
  const wordcount = path.join(REPO, "dist", "examples", "wordcount.js");
  const nexmark = path.join(REPO, "dist", "bench", "nexmark", "run_nexmark.js");
  console.log(`${os.cpus().length} cores; work folder ${work}; starting Beam's Flink job server (mini cluster)`);
  const server = await startJobServer("flink", { logDir: work });
  // The mini cluster's default parallelism is the machine's cores (2 here); --runner=portable takes no --parallelism.
  const flink = ["--runner=portable", `--jobEndpoint=${server.endpoint}`];
  const rows: Row[] = [];
  try {
    const wc = (on: string, args: string[]) =>
      timed(`wordcount ${words / 1e6}M words`, on, words, () =>
        run(process.execPath, [wordcount, `--input=${text}`, `--output=${path.join(work, on.replace(/\W+/g, "_"), "counts")}`, ...args], {
          maxBuffer: 64 << 20,
        }),
      );
    if (!skip.has("stream")) rows.push(await wc("millrace stream", ["--runner=stream"]));
    if (!skip.has("flink")) rows.push(await wc("millrace on Flink (LOOPBACK)", flink));
    if (!skip.has("python")) {
      rows.push(
        await timed(`wordcount ${words / 1e6}M words`, "Beam Python on Flink (p=2, LOOPBACK)", words, () =>
          run(beamPythonBinary(), [
            "-m",
            "apache_beam.examples.wordcount",
            "--runner=PortableRunner",
            `--job_endpoint=${server.endpoint}`,
            "--environment_type=LOOPBACK",
            "--parallelism=2",
            `--input=${text}`,
            `--output=${path.join(work, "python", "counts")}`,
          ]),
        ),
      );
    }
    const eventsFile = path.join(work, "nexmark_events.jsonl");
    if (!skip.has("python")) writeNexmarkEvents(eventsFile, events);
    for (const q of [0, 1, 2, 5]) {
      const what = `nexmark q${q} ${events / 1e3}k events`;
      let expected: number | undefined;
      const nx = async (on: string, args: string[]): Promise<Row> => {
        const row = await timed(what, on, events, async () => {
          const { stdout } = await run(process.execPath, [nexmark, `--query=${q}`, `--events=${events}`, ...args], { maxBuffer: 64 << 20 });
          return millraceResults(stdout, q);
        });
        expected ??= row.results;
        return row;
      };
      if (!skip.has("stream")) rows.push(await nx("millrace stream", ["--runner=stream"]));
      if (!skip.has("flink")) rows.push(await nx("millrace on Flink (LOOPBACK)", flink));
      if (!skip.has("python")) {
        const output = path.join(work, "python", `nexmark_q${q}_results.txt`);
        rows.push(
          await timed(what, "Beam Python on Flink (p=2, LOOPBACK)", events, async () => {
            await run(beamPythonBinary(), [
              path.join(REPO, "bench", "beam_python", "nexmark.py"),
              `--query=${q}`,
              `--events_file=${eventsFile}`,
              `--output=${output}`,
              "--runner=PortableRunner",
              `--job_endpoint=${server.endpoint}`,
              "--environment_type=LOOPBACK",
              "--parallelism=2",
            ]);
            const results = Number(fs.readFileSync(output, "utf8").trim() || "0");
            if (expected !== undefined && results !== expected) {
              throw new Error(`Beam Python's q${q} gave ${results} results, millrace's ${expected}: the queries differ`);
            }
            return results;
          }),
        );
      }
    }
  } finally {
    await server.stop();
  }
  const json = flag("json", "");
  if (json !== "") fs.writeFileSync(json, JSON.stringify(rows, null, 2) + "\n");
}

main().catch((e: unknown) => {
  console.error(`bench:engines failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
