/**
 * The sources a direct-runner stage can start from, and where each one is:
 * an Impulse (once), a Create (index ranges, one bundle each), a sequence
 * (paced by processing time), a TestStream (its scripted events), or none
 * (the stage reads a PCollection).
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { UserCodeSource } from "../../portability/user_code/user_code_source";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import { asCreateSource, emitCreateRange } from "../../portability/harness/create_source";
import type { FusedStage } from "../../portability/plan/execution_plan";
import { testStreamEvents, type TestStreamEvent } from "../core/sources/test_stream_events";
import { SequencePacer } from "../core/sources/sequence_source";
import type { SequenceSource } from "../../sdk/transforms/generate_sequence";

/** What feeds a stage whose root is a source. */
export type SourceState =
  | { kind: "once"; done: boolean }
  | { kind: "ranges"; next: number; total: number; emit: (from: number, to: number, out: ElementReceiver) => void }
  | { kind: "sequence"; pacer: SequencePacer }
  | { kind: "testStream"; events: TestStreamEvent[]; next: number; watermark: number }
  | { kind: "none" };

/** The source state of a stage, at its start. */
export function sourceOf(model: PipelineModel, userCode: UserCodeSource, stage: FusedStage): SourceState {
  const root = stage.root;
  switch (root.kind) {
    case "impulse":
      return { kind: "once", done: false };
    case "create": {
      const source = asCreateSource(userCode.lookup(model.doFnPayload(root.transformId).ref), root.transformId);
      return { kind: "ranges", next: 0, total: source.values.length, emit: (from, to, out) => emitCreateRange(source, from, to, out) };
    }
    case "sequence":
      return { kind: "sequence", pacer: new SequencePacer(userCode.lookup(model.doFnPayload(root.transformId).ref) as SequenceSource) };
    case "testStream":
      return { kind: "testStream", events: testStreamEvents(model, root.transformId, userCode), next: 0, watermark: -Infinity };
    case "pcollection":
      return { kind: "none" };
  }
}

/** True when a source has nothing more to emit right now (so the stage may flush its partial combines). */
export function sourceIdle(src: SourceState): boolean {
  return src.kind === "none" || (src.kind === "once" && src.done) || (src.kind === "ranges" && src.next >= src.total) || src.kind === "testStream" || src.kind === "sequence";
}
