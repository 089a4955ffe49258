/**
 * The plan every runner executes: fused stages of element-wise steps, and
 * the shuffle nodes between them. How a runner schedules, parallelises and
 * checkpoints the plan is its own business; what the plan means is shared.
 */

/**
 * A phase of a splittable ParDo as an engine expands it (Beam's SDF
 * components): pair with restriction, split and size, truncate (on drain),
 * process sized elements and restrictions.
 */
export type SplittablePhase = "pairWithRestriction" | "splitAndSize" | "truncate" | "processSized";

/** Where a stage's elements come from. */
export type StageRoot =
  /** One empty element from an Impulse. */
  | { readonly kind: "impulse"; readonly transformId: string; readonly output: string }
  /** The values of a Create, splittable into bundles by the runner. */
  | { readonly kind: "create"; readonly transformId: string; readonly output: string }
  /**
   * A splittable DoFn reading the elements of an Impulse or a Create
   * (`seed`): the runner holds its restrictions (its checkpoint, its offset
   * log), splits them and resumes them; the SDF is the stage's first step,
   * reading `input`.
   */
  | { readonly kind: "splittable"; readonly transformId: string; readonly seed: string; readonly input: string; readonly output: string }
  /** A TestStream's scripted events, played by the runner. */
  | { readonly kind: "testStream"; readonly transformId: string; readonly output: string }
  /** The stored elements of a PCollection produced by a shuffle node. */
  | { readonly kind: "pcollection"; readonly pcollection: string };

/** One operator of a fused stage. */
export type StageStep =
  /** A ParDo: reads `input`, writes its outputs by tag. */
  | { readonly kind: "pardo"; readonly transformId: string; readonly input: string; readonly outputs: Readonly<Record<string, string>> }
  /** WindowInto: assigns windows to each element. */
  | { readonly kind: "windowInto"; readonly transformId: string; readonly input: string; readonly output: string }
  /** The first phase of a lifted combine: partial accumulators per key and window. */
  | { readonly kind: "precombine"; readonly combineId: string; readonly input: string; readonly output: string }
  /** `io.writeText` written by the runner's own file sink (see `NATIVE_COMPOSITES_WITH_FILE_SINK`). */
  | { readonly kind: "writeText"; readonly transformId: string; readonly input: string; readonly output: string }
  /** `io.kafka.write`'s records published by the runner's own Kafka sink (exactly once with its checkpoints or batches). */
  | { readonly kind: "writeKafka"; readonly transformId: string; readonly input: string; readonly output: string }
  /**
   * A phase of a splittable ParDo an engine expanded (Beam's SDF components;
   * what an SDK harness runs): `output` is the phase's output, for the
   * process phase the DoFn's main output.
   */
  | {
      readonly kind: "splittablePhase";
      readonly phase: SplittablePhase;
      readonly transformId: string;
      readonly input: string;
      readonly output: string;
    }
  /** A later phase of a combine an engine lifted and grouped (what an SDK harness runs for Beam's combine components). */
  | {
      readonly kind: "combinePhase";
      readonly phase: "mergeAccumulators" | "extractOutputs" | "combineGroupedValues";
      readonly transformId: string;
      readonly input: string;
      readonly output: string;
    };

/** A chain (tree) of element-wise steps run together on each element, with no materialisation between them. */
export interface FusedStage {
  readonly id: string;
  readonly root: StageRoot;
  /** In topological order. */
  readonly steps: StageStep[];
  /** PCollections this stage writes for later nodes or stages (including virtual accumulator collections). */
  readonly materialized: string[];
  /** PCollections read as side inputs; the stage waits for them. */
  readonly sideInputs: string[];
  /** Every PCollection produced inside the stage. */
  readonly produces: string[];
}

/** A step that needs all (or all of a key's) input: where stages are cut. */
export type ShuffleNode =
  | { readonly kind: "groupByKey"; readonly transformId: string; readonly input: string; readonly output: string }
  /**
   * A combine per key. Lifted: `input` carries accumulators from precombine
   * steps, to merge. Not lifted: `input` carries raw values, to add.
   */
  | { readonly kind: "combine"; readonly transformId: string; readonly input: string; readonly output: string; readonly lifted: boolean }
  | { readonly kind: "flatten"; readonly transformId: string; readonly inputs: readonly string[]; readonly output: string }
  | { readonly kind: "reshuffle"; readonly transformId: string; readonly input: string; readonly output: string };

/** The whole plan. */
export interface ExecutionPlan {
  readonly stages: readonly FusedStage[];
  readonly shuffles: readonly ShuffleNode[];
}

/** The id of the virtual collection of a lifted combine's accumulators. */
export function accumulatorsOf(combineId: string): string {
  return `${combineId}/accumulators`;
}

/** The PCollections a shuffle node reads. */
export function shuffleInputs(node: ShuffleNode): readonly string[] {
  return node.kind === "flatten" ? node.inputs : [node.input];
}
