/**
 * The elements a splittable source reads: the one empty element of an
 * Impulse, or the values of a Create. Runners turn them into initial work
 * with the SDF's `initialRestriction` / `splitRestriction`.
 */
import type { PipelineModel } from "../pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { StageRoot } from "../plan/execution_plan";
import { MIN_TIMESTAMP } from "../../model/time";
import { TransformUrns } from "../urns";
import { IN_GLOBAL_WINDOW } from "../../model/windows";
import { asCreateSource } from "./create_source";
import { SplittableDoFnOperator } from "./splittable_dofn_operator";
import type { SplittableDoFnObject } from "../../sdk/transforms/splittable/splittable_dofn";
import { DISCARD } from "./element_receiver";
import { MetricsContainer } from "./metrics_container";
import { IsBounded } from "../proto/messages";
import type { SplittableWork } from "./splittable_work";

/** One element an SDF source starts from. */
export interface SeedElement {
  readonly value: unknown;
  readonly timestamp: number;
}

/** The seed elements of a splittable root. */
export function splittableSeeds(
  model: PipelineModel,
  root: Extract<StageRoot, { kind: "splittable" }>,
  userCode: UserCodeSource,
): SeedElement[] {
  if (model.transform(root.seed).spec?.urn === TransformUrns.IMPULSE) return [{ value: new Uint8Array(0), timestamp: MIN_TIMESTAMP }];
  const source = asCreateSource(userCode.lookup(model.doFnPayload(root.seed).ref), root.seed);
  return source.values.map((v) =>
    source.timestamped
      ? { value: (v as { value: unknown }).value, timestamp: (v as { timestamp: number }).timestamp }
      : { value: v, timestamp: MIN_TIMESTAMP },
  );
}

/** All the initial work of a splittable root, in a stable order (runners that divide it among parallel readers rely on that). */
export function initialSplittableWork(seeds: readonly SeedElement[], op: SplittableDoFnOperator): SplittableWork[] {
  return seeds.flatMap((s) => op.initialWork(s.value, s.timestamp, IN_GLOBAL_WINDOW));
}

/**
 * The SDF of a splittable root as an operator whose outputs go nowhere:
 * for a driver that plans restrictions (initial splits, sizes, watermarks)
 * without processing them. Its `setup` has run.
 */
export function planningSplittableOperator(
  model: PipelineModel,
  root: Extract<StageRoot, { kind: "splittable" }>,
  userCode: UserCodeSource,
): SplittableDoFnOperator {
  const fn = userCode.lookup(model.doFnPayload(root.transformId).ref) as SplittableDoFnObject<unknown, unknown, unknown>;
  const op = new SplittableDoFnOperator(
    root.transformId,
    fn,
    DISCARD,
    {
      get: () => {
        throw new Error(`'${root.transformId}': a splittable DoFn has no side inputs`);
      },
    },
    new MetricsContainer(),
    model.pcollection(root.output).isBounded === IsBounded.UNBOUNDED,
  );
  op.setup();
  return op;
}
