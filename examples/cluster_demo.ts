/**
 * A keyed, windowed pipeline on a Flink session cluster of one JobManager
 * and two TaskManagers, each its own JVM on loopback (what a deployment puts
 * on separate machines), checked against the direct runner.
 *
 *   scripts/engines.sh prepare flink          # once (add python for --sdk=python)
 *   npm run cluster:demo                      # --sdk=millrace (default) | python
 *
 * It writes scores for 12 teams over 6 hours, runs hourly team scores (the
 * pipeline of examples/hourly_team_scores.ts) on the cluster with parallelism
 * 2 and one task slot per TaskManager, so the keyed sum is split across both
 * TaskManagers, then checks that (a) the output equals the direct runner's,
 * line for line, and (b) Flink's REST API shows records read by the keyed
 * stage on both TaskManagers.
 *
 * `--sdk=millrace` runs examples/hourly_team_scores.ts itself with
 * `--runner=flink --flinkMaster=<the cluster>` and the SDK harness in PROCESS
 * mode (each TaskManager starts its own `millrace-harness`); `--sdk=python`
 * runs Beam's Python SDK version of the pipeline
 * (scripts/beam_python/hourly_team_scores.py), which tells a broken cluster
 * from a broken harness.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { beamPythonBinary } from "../runners/portable/engines/engine_classpath";
import { startFlinkSessionCluster, type FlinkSessionCluster } from "../runners/portable/engines/flink_session_cluster";
import { startJobServer } from "../runners/portable/engines/job_server";

const run = promisify(execFile);

/** What the demo found. */
export interface ClusterDemoResult {
  readonly sdk: "python" | "millrace";
  readonly outputLines: number;
  /** Lines in one output and not the other (empty when they agree). */
  readonly differences: readonly string[];
  /** For the keyed stage: records each TaskManager read. */
  readonly keyedRecordsByTaskManager: Readonly<Record<string, number>>;
  readonly seconds: { readonly cluster: number; readonly job: number };
  /** The cluster's JobManager and TaskManager processes (all stopped when the demo returns). */
  readonly pids: readonly number[];
}

/** Deterministic scores: `teams` teams over `hours` hours, one line per user event. */
export function writeScores(file: string, lines = 3000, teams = 12, hours = 6): void {
  const start = Date.parse("2026-03-01T08:00:00Z");
  const out: string[] = [];
  let seed = 7;
  // The high bits of a linear congruential generator: its low bits repeat with a short period.
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed >>> 8);
  for (let i = 0; i < lines; i++) {
    const at = start + (next() % (hours * 3600)) * 1000;
    out.push(`user${next() % 100},team${next() % teams},${1 + (next() % 10)},${new Date(at).toISOString().replace(".000Z", "Z")}`);
  }
  fs.writeFileSync(file, out.join("\n") + "\n");
}

function outputLines(prefix: string): string[] {
  const dir = path.dirname(prefix);
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(path.basename(prefix)))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
    .filter((l) => l !== "")
    .sort();
}

async function restGet<T>(cluster: FlinkSessionCluster, route: string): Promise<T> {
  const res = await fetch(`http://${cluster.restAddress}${route}`);
  if (!res.ok) throw new Error(`GET ${route}: ${res.status}`);
  return (await res.json()) as T;
}

/** Records read by each TaskManager in the keyed stage (the vertex that groups: Flink names it after the GroupByKey/Combine). */
async function keyedRecordsByTaskManager(cluster: FlinkSessionCluster): Promise<Record<string, number>> {
  const { jobs } = await restGet<{ jobs: { jid: string }[] }>(cluster, "/jobs/overview");
  const byTm: Record<string, number> = {};
  for (const job of jobs) {
    const detail = await restGet<{ vertices: { id: string; name: string }[] }>(cluster, `/jobs/${job.jid}`);
    for (const v of detail.vertices.filter((x) => /Sum/.test(x.name) && /Group|Reduce|Combine/i.test(x.name))) {
      const tms = await restGet<{ taskmanagers: { "taskmanager-id": string; metrics: { "read-records": number } }[] }>(
        cluster,
        `/jobs/${job.jid}/vertices/${v.id}/taskmanagers`,
      );
      for (const t of tms.taskmanagers) byTm[t["taskmanager-id"]] = (byTm[t["taskmanager-id"]] ?? 0) + t.metrics["read-records"];
    }
  }
  return byTm;
}

/** Runs the demo in `workDir`; everything it started is stopped before it returns or throws. */
export async function runClusterDemo(sdk: "python" | "millrace", workDir: string): Promise<ClusterDemoResult> {
  const repo = path.join(__dirname, "..", "..");
  const input = path.join(workDir, "scores.csv");
  writeScores(input);
  const pipelineJs = path.join(repo, "dist", "examples", "hourly_team_scores.js");
  await run(process.execPath, [pipelineJs, `--input=${input}`, `--output=${path.join(workDir, "direct", "scores")}`]);

  let t = Date.now();
  const cluster = await startFlinkSessionCluster({ workDir: path.join(workDir, "cluster") });
  const clusterSeconds = (Date.now() - t) / 1000;
  try {
    const out = path.join(workDir, "cluster-output", "scores");
    t = Date.now();
    if (sdk === "python") {
      const server = await startJobServer("flink", { flinkMaster: cluster.restAddress, logDir: path.join(workDir, "cluster") });
      try {
        await run(beamPythonBinary(), [
          path.join(repo, "scripts", "beam_python", "hourly_team_scores.py"),
          "--runner=PortableRunner",
          `--job_endpoint=${server.endpoint}`,
          "--environment_type=LOOPBACK",
          "--parallelism=2",
          `--input=${input}`,
          `--output=${out}`,
        ]);
      } finally {
        await server.stop();
      }
    } else {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      await run(process.execPath, [
        pipelineJs,
        "--runner=flink",
        `--flinkMaster=${cluster.restAddress}`,
        "--parallelism=2",
        "--environmentType=PROCESS",
        `--input=${input}`,
        `--output=${out}`,
      ]);
    }
    const jobSeconds = (Date.now() - t) / 1000;
    const expected = outputLines(path.join(workDir, "direct", "scores"));
    const actual = outputLines(out);
    const differences = [
      ...expected.filter((l) => !actual.includes(l)).map((l) => `missing: ${l}`),
      ...actual.filter((l) => !expected.includes(l)).map((l) => `unexpected: ${l}`),
    ];
    return {
      sdk,
      outputLines: actual.length,
      differences,
      keyedRecordsByTaskManager: await keyedRecordsByTaskManager(cluster),
      seconds: { cluster: clusterSeconds, job: jobSeconds },
      pids: [cluster.jobManager.pid, ...cluster.taskManagers.map((t) => t.pid)],
    };
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const sdkArg = process.argv.find((a) => a.startsWith("--sdk="))?.slice(6) ?? "millrace";
  if (sdkArg !== "python" && sdkArg !== "millrace") throw new Error(`--sdk must be python or millrace, not ${sdkArg}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-cluster-demo-"));
  console.log(`Flink session cluster: 1 JobManager + 2 TaskManagers (1 slot each) on loopback; work folder ${workDir}`);
  const r = await runClusterDemo(sdkArg, workDir);
  console.log(`cluster ready in ${r.seconds.cluster.toFixed(1)} s; hourly team scores (${r.sdk} SDK) ran in ${r.seconds.job.toFixed(1)} s`);
  for (const [tm, n] of Object.entries(r.keyedRecordsByTaskManager)) console.log(`  keyed sum on ${tm}: ${n} records read`);
  const both = Object.values(r.keyedRecordsByTaskManager).filter((n) => n > 0).length >= 2;
  if (r.differences.length > 0)
    throw new Error(`the cluster's output differs from the direct runner's:\n${r.differences.slice(0, 20).join("\n")}`);
  if (!both) throw new Error("the keyed stage did not run on both TaskManagers");
  console.log(`OK: ${r.outputLines} lines, equal to the direct runner's; the keyed stage ran on both TaskManagers`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`cluster demo failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
