/**
 * What the peer comparison runs: the workloads (bench/workloads, with the
 * peers' Java equivalents) and the contestants (millrace's runners and the
 * peers' engines), each as the command line of one fresh process per run,
 * so every run pays its own start, as a job submitted from a shell does.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A workload: the millrace script and flags that run it, and its size flags (shared with the peers). */
export interface Workload {
  readonly name: string;
  /** The compiled millrace script, relative to the repository's dist/. */
  readonly script: string;
  /** The script's own `--workload=` value. */
  readonly scriptWorkload: string;
  /** The size flag (`events` or `words`) both sides take. */
  readonly sizeFlag: "events" | "words";
  /** One line for the tables; N is the size (`--events` or `--words`). */
  readonly description: string;
}

/** Every workload, in table order. */
export const WORKLOADS: readonly Workload[] = [
  {
    name: "wordcount-create",
    script: "bench/workloads/word_counts.js",
    scriptWorkload: "create",
    sizeFlag: "words",
    description: "word count, N words (10k distinct) made in the driver: mr.create / Flink fromData / Spark createDataset",
  },
  {
    name: "wordcount-generated",
    script: "bench/workloads/word_counts.js",
    scriptWorkload: "generated",
    sizeFlag: "words",
    description: "word count, N words (10k distinct) from a bounded sequence: generateSequence / fromSequence / range",
  },
  {
    name: "tumbling",
    script: "bench/workloads/windowed_counts.js",
    scriptWorkload: "tumbling",
    sizeFlag: "events",
    description: "count per key and 1-s event-time window, N events (100 per ms of event time), 10k keys",
  },
  {
    name: "sliding",
    script: "bench/workloads/windowed_counts.js",
    scriptWorkload: "sliding",
    sizeFlag: "events",
    description: "count per key and 2-s window every 1 s, N events, 10k keys",
  },
  {
    name: "sessions",
    script: "bench/workloads/windowed_counts.js",
    scriptWorkload: "sessions",
    sizeFlag: "events",
    description: "count per key and session (gap 100 ms), N events, 10k keys",
  },
  {
    name: "q0",
    script: "bench/workloads/nexmark_queries.js",
    scriptWorkload: "q0",
    sizeFlag: "events",
    description: "Nexmark q0 (pass-through), N events",
  },
  {
    name: "q1",
    script: "bench/workloads/nexmark_queries.js",
    scriptWorkload: "q1",
    sizeFlag: "events",
    description: "Nexmark q1 (bids in euros), N events",
  },
  {
    name: "q5",
    script: "bench/workloads/nexmark_queries.js",
    scriptWorkload: "q5",
    sizeFlag: "events",
    description: "Nexmark q5 (hot items, 10-s windows every 5 s), N events",
  },
  {
    name: "q7",
    script: "bench/workloads/nexmark_queries.js",
    scriptWorkload: "q7",
    sizeFlag: "events",
    description: "Nexmark q7 (highest bid per 10-s window), N events",
  },
];

/** Who runs a workload: a millrace runner configuration or a peer engine. */
export interface Contestant {
  /** Short id for `--contestants=`. */
  readonly id: string;
  /** Name in the tables. */
  readonly label: string;
  readonly kind: "millrace" | "flink" | "spark";
  /** Cores it may use (Flink's parallelism, Spark's local[N], the stream runner's parallelism). */
  readonly parallelism: number;
  /** Workloads it runs by default (undefined: all). */
  readonly defaultWorkloads?: readonly string[];
  /** millrace: the runner's flags. */
  readonly runnerFlags?: readonly string[];
}

/** Every contestant, in the order a round runs them: millrace and peers alternate (A B A B). */
export const CONTESTANTS: readonly Contestant[] = [
  { id: "stream1", label: "millrace stream p=1", kind: "millrace", parallelism: 1, runnerFlags: ["--runner=stream", "--parallelism=1"] },
  { id: "flink1", label: "Flink p=1", kind: "flink", parallelism: 1 },
  { id: "stream2", label: "millrace stream p=2", kind: "millrace", parallelism: 2, runnerFlags: ["--runner=stream", "--parallelism=2"] },
  { id: "flink2", label: "Flink p=2", kind: "flink", parallelism: 2 },
  {
    id: "microbatch2",
    label: "millrace microbatch 2",
    kind: "millrace",
    parallelism: 2,
    runnerFlags: ["--runner=microbatch", "--partitions=2", "--executors=2"],
  },
  { id: "spark2", label: "Spark local[2]", kind: "spark", parallelism: 2 },
  {
    id: "direct",
    label: "millrace direct",
    kind: "millrace",
    parallelism: 1,
    runnerFlags: ["--runner=direct"],
    // The direct runner is the test runner: its figures matter for the simple shapes, not for the windowed ones.
    defaultWorkloads: ["wordcount-create", "wordcount-generated", "q0", "q1"],
  },
  { id: "spark1", label: "Spark local[1]", kind: "spark", parallelism: 1 },
];

/** Flink and Spark on Java 17 reach into JDK internals (both projects document these flags). */
const JAVA_OPENS = [
  "java.lang",
  "java.lang.invoke",
  "java.lang.reflect",
  "java.io",
  "java.net",
  "java.nio",
  "java.text",
  "java.time",
  "java.util",
  "java.util.concurrent",
  "java.util.concurrent.atomic",
  "sun.nio.ch",
  "sun.nio.cs",
  "sun.security.action",
  "sun.util.calendar",
].map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`);

const PEER_MAIN = { flink: "dev.millrace.peers.flink.FlinkPeer", spark: "dev.millrace.peers.spark.SparkPeer" } as const;

/** Where the repository's sources are (bench/peers/*.ts compile to dist/bench/peers). */
export function repositoryRoot(): string {
  return path.resolve(__dirname, "..", "..", "..");
}

/** The peer's runtime classpath, as bench/peers/build.sh left it; a clear error when it has not run. */
export function peerClasspath(kind: "flink" | "spark", root = repositoryRoot()): string {
  const target = path.join(root, "bench", "peers", kind, "target");
  const listed = path.join(target, "classpath.txt");
  if (!fs.existsSync(listed)) throw new Error(`the ${kind} peer is not built: run 'bash bench/peers/build.sh' (needs Maven and a JDK 17+)`);
  const jar = fs.readdirSync(target).find((f) => f.startsWith(`millrace-peers-${kind}-`) && f.endsWith(".jar"));
  if (!jar) throw new Error(`the ${kind} peer's jar is missing in ${target}: run 'bash bench/peers/build.sh'`);
  return [path.join(target, jar), fs.readFileSync(listed, "utf8").trim()].join(path.delimiter);
}

/** The command line (program and arguments) of one run. */
export function commandOf(contestant: Contestant, workload: Workload, size: number, root = repositoryRoot()): string[] {
  const sizeFlag = `--${workload.sizeFlag}=${size}`;
  if (contestant.kind === "millrace") {
    return [
      process.execPath,
      path.join(root, "dist", workload.script),
      `--workload=${workload.scriptWorkload}`,
      sizeFlag,
      ...(contestant.runnerFlags ?? []),
    ];
  }
  return [
    "java",
    ...JAVA_OPENS,
    "-cp",
    peerClasspath(contestant.kind, root),
    PEER_MAIN[contestant.kind],
    `--workload=${workload.name}`,
    `--parallelism=${contestant.parallelism}`,
    sizeFlag,
  ];
}
