/**
 * What millrace pipelines Beam's Spark job server cannot run, found before
 * the job starts so that it is refused naming the transform, rather than
 * failing (or running without end) on the engine.
 *
 * Beam's portable Spark runner (2.62, the line the engine cache holds)
 * registers no bundle checkpoint handler: a splittable DoFn that checkpoints
 * itself (`ProcessContinuation.resume`, as every unbounded source does)
 * fails on its first bundle (apache/beam#19468; batch support came after
 * 2.62, streaming has none). So an unbounded splittable source (the
 * unbounded `generateSequence`, a continuous `matchFiles`, Kafka) is refused
 * here; bounded splittable DoFns that finish their restrictions
 * (`readText`, an unpaced bounded `generateSequence`) run in batch.
 *
 * @module
 */
import { fromProto } from "../../../portability/from_proto";
import { IsBounded } from "../../../portability/proto/messages";
import { PrimitiveTransformUrns, RequirementUrns } from "../../../portability/urns";

/** The unbounded splittable sources of `pipelineProto`, by transform name. */
export function unboundedSplittableSources(pipelineProto: Uint8Array): string[] {
  const model = fromProto(pipelineProto, { supportedRequirements: Object.values(RequirementUrns) });
  return model.leaves
    .filter(
      (t) =>
        t.urn === PrimitiveTransformUrns.PAR_DO &&
        (model.parDoPayload(t.id).restrictionCoderId ?? "") !== "" &&
        Object.values(t.proto.outputs).some((pc) => model.pcollection(pc).isBounded === IsBounded.UNBOUNDED),
    )
    .map((t) => t.proto.uniqueName);
}

/** The error a pipeline Spark cannot run is refused with; undefined when Spark can run it. */
export function refusedOnSpark(pipelineProto: Uint8Array): Error | undefined {
  const sources = unboundedSplittableSources(pipelineProto);
  if (sources.length === 0) return undefined;
  return new Error(
    `Spark cannot run this pipeline: unbounded splittable DoFn in ${sources.map((s) => `'${s}'`).join(", ")} ` +
      `(Beam 2.62's portable Spark runner has no checkpoint handler for a splittable DoFn that resumes itself, apache/beam#19468; run it on Flink with --streaming, or on Prism)`,
  );
}
