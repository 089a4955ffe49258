/**
 * The sources a direct-runner stage can start from, and where each one is:
 * an Impulse (once), a Create (index ranges, one bundle each), a
 * TestStream (its scripted events), a splittable DoFn (its pending restrictions, split at random and resumed
 * after their delay), or none (the stage reads a PCollection).
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { UserCodeSource } from "../../sdk/user_code/user_code_source";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import { asCreateSource, emitCreateRange } from "../../portability/harness/create_source";
import type { FusedStage } from "../../portability/plan/execution_plan";
import { testStreamEvents, type TestStreamEvent } from "../core/sources/test_stream_events";
import { IN_GLOBAL_WINDOW } from "../../model/windows";
import { NO_FIRING } from "../../model/pane";
import { MIN_TIMESTAMP } from "../../model/time";
import type { ExecutableStage } from "../../portability/harness/stage_executor";
import type { SplittableDoFnOperator } from "../../portability/harness/splittable_dofn_operator";
import type { PendingWork } from "../../portability/harness/splittable_work";
import { initialSplittableWork, splittableSeeds, type SeedElement } from "../../portability/harness/splittable_seeds";
import type { SeededRandom } from "./seeded_random";

/** What feeds a stage whose root is a source. */
export type SourceState =
  | { kind: "once"; done: boolean }
  | { kind: "ranges"; next: number; total: number; emit: (from: number, to: number, out: ElementReceiver) => void }
  | { kind: "testStream"; events: TestStreamEvent[]; next: number; watermark: number }
  | {
      kind: "splittable";
      op: SplittableDoFnOperator;
      seeds: readonly SeedElement[];
      /** Work not yet done; undefined until the seeds' initial restrictions are computed (after setup). */
      pending: PendingWork[] | undefined;
      random: SeededRandom;
    }
  | { kind: "none" };

/** The source state of a stage, at its start. */
export function sourceOf(
  model: PipelineModel,
  userCode: UserCodeSource,
  stage: FusedStage,
  exec: ExecutableStage,
  random: SeededRandom,
): SourceState {
  const root = stage.root;
  switch (root.kind) {
    case "impulse":
      return { kind: "once", done: false };
    case "create": {
      const source = asCreateSource(userCode.lookup(model.doFnPayload(root.transformId).ref), root.transformId);
      return { kind: "ranges", next: 0, total: source.values.length, emit: (from, to, out) => emitCreateRange(source, from, to, out) };
    }
    case "testStream":
      return { kind: "testStream", events: testStreamEvents(model, root.transformId, userCode), next: 0, watermark: -Infinity };
    case "splittable":
      return { kind: "splittable", op: exec.splittableRoot!, seeds: splittableSeeds(model, root, userCode), pending: undefined, random };
    case "pcollection":
      return { kind: "none" };
  }
}

/** The pending work of a splittable source, computing the initial restrictions on first use. */
function pendingWork(src: Extract<SourceState, { kind: "splittable" }>): PendingWork[] {
  src.pending ??= initialSplittableWork(src.seeds, src.op).map((work) => ({ work, resumeAt: -Infinity }));
  return src.pending;
}

/** The earliest processing time some of a source's paced or resumed work is due, Infinity when none is. */
export function sourceNextDueTime(src: SourceState, now: number): number {
  if (src.kind !== "splittable") return Infinity;
  let due = Infinity;
  for (const p of pendingWork(src)) due = Math.min(due, Math.max(now, p.resumeAt));
  return due;
}

/** How many pieces of work a splittable source holds (0 for other sources). */
export function sourcePieces(src: SourceState | undefined): number {
  return src?.kind === "splittable" ? pendingWork(src).length : 0;
}

/** True while a source emits at a pace or resumes later: it stays busy until it is done. */
export function sourceWaits(src: SourceState): boolean {
  return src.kind === "splittable" && pendingWork(src).length > 0;
}

/**
 * True when a source has nothing more to emit at processing time `now` (so
 * the stage may flush its partial combines). A splittable source with due
 * work is not idle: flushing after each of its bundles (a few hundred
 * elements) would send nearly every input across the shuffle. Its partials
 * still go out when their windows complete (the watermark rule), when it
 * waits for resumed work, and at its end.
 */
export function sourceIdle(src: SourceState, now: number): boolean {
  return (
    src.kind === "none" ||
    (src.kind === "once" && src.done) ||
    (src.kind === "ranges" && src.next >= src.total) ||
    src.kind === "testStream" ||
    (src.kind === "splittable" && !sourceHasWork(src, now))
  );
}

/** True when a source can emit a bundle at processing time `now`. */
export function sourceHasWork(src: SourceState, now: number): boolean {
  switch (src.kind) {
    case "once":
      return !src.done;
    case "ranges":
      return src.next < src.total;
    case "splittable":
      return pendingWork(src).some((p) => p.resumeAt <= now);
    case "testStream":
    case "none":
      // A TestStream plays only when nothing else can happen (see TestStreamPlayer).
      return false;
  }
}

/** A source's next bundle: how many elements, and how to feed them. */
export interface SourceBundle {
  readonly count: number;
  readonly feed: (input: ElementReceiver) => void;
}

/** Takes a source's next bundle (at most `bundleSize` elements) at processing time `now`; call only when it has work. */
export function nextSourceBundle(src: SourceState, bundleSize: number, now: number): SourceBundle {
  switch (src.kind) {
    case "once":
      src.done = true;
      return { count: 1, feed: (input) => input.receive(new Uint8Array(0), MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING) };
    case "ranges": {
      const from = src.next;
      const to = Math.min(from + bundleSize, src.total);
      src.next = to;
      return { count: to - from, feed: (input) => src.emit(from, to, input) };
    }
    case "splittable": {
      // One piece of due work per bundle, picked at random; the operator may split it at a random fraction first.
      const pending = pendingWork(src);
      const due = pending.filter((p) => p.resumeAt <= now);
      const picked = due[src.random.nextInt(due.length)]!;
      pending.splice(pending.indexOf(picked), 1);
      return {
        count: 1,
        feed: () => {
          for (const r of src.op.processWork(picked.work)) pending.push({ work: r.work, resumeAt: now + r.delayMs });
        },
      };
    }
    case "testStream":
    case "none":
      throw new Error(`internal: a ${src.kind} source has no bundles of its own`);
  }
}

/**
 * The watermark of what a source has emitted: the end of time once it is
 * exhausted; a TestStream's is its script's; a splittable DoFn's is its
 * restrictions' watermark estimators'.
 */
export function sourceWatermark(src: Exclude<SourceState, { kind: "none" }>): number {
  switch (src.kind) {
    case "once":
      return src.done ? Infinity : -Infinity;
    case "ranges":
      return src.next >= src.total ? Infinity : -Infinity;
    case "testStream":
      return src.watermark;
    case "splittable": {
      // The pending restrictions' estimators say where the output watermark is; none left: the source is done.
      let wm = Infinity;
      for (const p of pendingWork(src)) wm = Math.min(wm, src.op.watermarkOf(p.work));
      return wm;
    }
  }
}
