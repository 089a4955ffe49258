/**
 * The runners the conformance suite judges. Every case runs on every entry
 * (unless a case `requires` a capability the entry lacks).
 *
 * NEW RUNNERS JOIN HERE: add `{ name: "stream", args: ["--runner=stream"],
 * capabilities: [...] }`, `{ name: "microbatch", ... }` and their flag
 * variants; the cases need no change.
 */
import type { ConformanceCase, RunnerCapability } from "./conformance_case";
import { prismInstalled, prismRefusal } from "./prism_engine";
import { prismDivergence, type PrismDivergence } from "./prism_divergences";

/** One way of running the cases: a runner and its flags. */
export interface RunnerConfig {
  /** A display name, unique in the list. */
  readonly name: string;
  /** The pipeline arguments (`--runner=...` and runner flags). */
  readonly args: readonly string[];
  /** What this configuration guarantees beyond the model; see {@link RunnerCapability}. */
  readonly capabilities: readonly RunnerCapability[];
  /**
   * Checks that the runner can run here at all (e.g. that Prism is
   * installed), once before its cases: a failure fails them with its
   * message (how to install what is missing); nothing is skipped.
   */
  readonly precondition?: () => void;
  /**
   * Why the runner refuses `c` at submission (an engine's documented limit),
   * or undefined when it runs it. A refused case is run too: it must fail
   * with exactly this refusal, and its name and reason show in the output.
   */
  readonly refuses?: (c: ConformanceCase) => string | undefined;
  /**
   * Why `c`'s output differs on this runner because of the engine's own
   * behaviour (listed by name in its file, e.g. `prism_divergences.ts`), and
   * how the suite confirms it still does; undefined when it conforms.
   */
  readonly diverges?: (c: ConformanceCase) => PrismDivergence | undefined;
}

export const RUNNERS: readonly RunnerConfig[] = [
  {
    name: "direct",
    args: ["--runner=direct"],
    capabilities: ["immutabilityChecks", "encodabilityChecks", "inProcess", "unbounded"],
  },
  {
    name: "direct (checks off)",
    args: ["--runner=direct", "--enforceImmutability=false", "--enforceEncodability=false"],
    capabilities: ["inProcess", "unbounded"],
  },
  {
    // Small bundles: many bundles per stage, so per-bundle lifecycle and
    // lifted combines (merging partial accumulators) are exercised even by small cases.
    name: "direct (bundleSize=3)",
    args: ["--runner=direct", "--bundleSize=3"],
    capabilities: ["immutabilityChecks", "encodabilityChecks", "inProcess", "unbounded"],
  },
  {
    // Spark-style: user code on executor threads, rebuilt from the case's module;
    // unbounded pipelines as micro-batches (one TestStream event per batch).
    name: "microbatch",
    args: ["--runner=microbatch", "--executors=2", "--partitions=3"],
    capabilities: ["unbounded"],
  },
  {
    // A tiny shuffle memory budget: every shuffle spills sorted runs to disk.
    name: "microbatch (spilling)",
    args: ["--runner=microbatch", "--executors=2", "--partitions=2", "--executorMemoryMb=0.01"],
    capabilities: ["unbounded"],
  },
  {
    // Flink-style, one subtask per task: records, watermarks and barriers in order on every channel.
    name: "stream (parallelism=1)",
    args: ["--runner=stream", "--parallelism=1"],
    capabilities: ["unbounded"],
  },
  {
    // Four subtasks per task on four task manager threads: keyed exchanges, watermark alignment across channels.
    name: "stream (parallelism=4)",
    args: ["--runner=stream", "--parallelism=4"],
    capabilities: ["unbounded"],
  },
  {
    // Checkpoints every few ms: barriers pass through every case, state is snapshotted mid-stream.
    name: "stream (parallelism=2, checkpoints)",
    args: ["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=5", "--bufferSizeBytes=256"],
    capabilities: ["unbounded"],
  },
  {
    // Buffer debloating with a tiny target: buffers of a few records, resized as the receivers measure, with checkpoints every few ms.
    name: "stream (parallelism=2, checkpoints, buffer debloating)",
    args: ["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=5", "--bufferDebloatTargetMs=5"],
    capabilities: ["unbounded"],
  },
  {
    // Apache Beam's Prism (a Go engine) runs the job; millrace's SDK harness runs the DoFns over the Fn API.
    // Each case starts its own Prism (0.3 s): one Prism shared by all crashes for all when a failing job's
    // worker pool is gone before Prism asks it for a worker (Prism panics). Cases Prism cannot run are refused;
    // those whose output Prism's own behaviour changes are listed with the reason (prism_divergences.ts).
    name: "prism",
    args: ["--runner=prism"],
    capabilities: ["unbounded"],
    precondition: prismInstalled,
    refuses: prismRefusal,
    diverges: prismDivergence,
  },
];
