/**
 * A source vertex's subtask reads its split of the source: an Impulse and a
 * TestStream are read by subtask 0, a Create's values are split among the
 * subtasks, a splittable DoFn's restrictions are dealt to them. Every reader can say where it is
 * (its offset, for checkpoints) and resume from there.
 */
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import { createCount, createSource, emitCreateRange } from "../../../portability/harness/create_source";
import type { FusedStage } from "../../../portability/plan/execution_plan";
import { testStreamEvents, type TestStreamEvent } from "../../core/sources/test_stream_events";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";
import { MIN_TIMESTAMP } from "../../../model/time";
import type { ExecutableStage } from "../../../portability/harness/stage_executor";
import { splittableSeeds } from "../../../portability/harness/splittable_seeds";
import { splittableWorkCoders } from "../../core/sources/splittable_source";
import { SplittableReader } from "./splittable_reader";
import type { TestStreamPacer } from "./test_stream_pacer";

/** A subtask's reader of its split. */
export interface SourceReader {
  /** Emits up to `max` elements that are due at processing time `now`; returns how many. */
  emit(into: ElementReceiver, max: number, now: number): number;
  /** No element with an earlier timestamp will follow. */
  watermark(now: number): number;
  /** True when the split has nothing to read now and its watermark must not hold the job back (Flink's idle source). */
  idle?(now: number): boolean;
  /** True when the split is exhausted. */
  readonly done: boolean;
  /** When more elements are due (`now` when some are), Infinity when done. */
  nextDueTime(now: number): number;
  /** Scripted processing time (TestStream), or undefined for the real clock. */
  clock(): number | undefined;
  /** Where the reader is: plain data (structured-clonable), for checkpoints. */
  position(): unknown;
  /** The subtask's snapshot for `checkpointId` holds everything read so far. */
  onSnapshot?(checkpointId: number): void;
  /** Checkpoint `checkpointId` is complete: what it holds is durably committed. */
  onCheckpointComplete?(checkpointId: number): void;
}

/** The index range of a Create's `n` values that `subtask` of `parallelism` reads. */
export function createSplit(n: number, subtask: number, parallelism: number): { from: number; to: number } {
  return { from: Math.floor((subtask * n) / parallelism), to: Math.floor(((subtask + 1) * n) / parallelism) };
}

/** A contiguous range of a Create's values (or an Impulse's one element). */
class CreateRangeReader implements SourceReader {
  constructor(
    private readonly emitRange: (from: number, to: number, out: ElementReceiver) => void,
    private next: number,
    private readonly end: number,
  ) {}
  get done(): boolean {
    return this.next >= this.end;
  }
  emit(into: ElementReceiver, max: number): number {
    const to = Math.min(this.end, this.next + max);
    const from = this.next;
    this.next = to;
    this.emitRange(from, to, into);
    return to - from;
  }
  watermark(): number {
    return this.done ? Infinity : -Infinity;
  }
  nextDueTime(now: number): number {
    return this.done ? Infinity : now;
  }
  clock(): undefined {
    return undefined;
  }
  position(): unknown {
    return { next: this.next };
  }
}

/** A TestStream's events, played by subtask 0, one per permit of its pacer (one per quiescent pipeline). */
class TestStreamReader implements SourceReader {
  constructor(
    private readonly events: readonly TestStreamEvent[],
    private next: number,
    private currentWatermark: number,
    private scriptedNow: number,
    private readonly pacer: TestStreamPacer,
  ) {
    pacer.register(this);
  }
  get done(): boolean {
    return this.next >= this.events.length;
  }
  emit(into: ElementReceiver): number {
    if (this.done || !this.pacer.take()) return 0;
    const event = this.events[this.next++]!;
    switch (event.kind) {
      case "elements":
        for (const el of event.elements) into.receive(el.value, el.timestamp, IN_GLOBAL_WINDOW, NO_FIRING);
        return event.elements.length;
      case "watermark":
        this.currentWatermark = Math.max(this.currentWatermark, event.watermark);
        return 0;
      case "processingTime":
        this.scriptedNow += event.advanceMs;
        return 0;
    }
  }
  watermark(): number {
    // The script is over: nothing more will come.
    return this.done ? Infinity : this.currentWatermark;
  }
  nextDueTime(now: number): number {
    // Without a permit the next event waits for the master, not for a time.
    return this.done || !this.pacer.mayPlay ? Infinity : now;
  }
  clock(): number {
    return this.scriptedNow;
  }
  position(): unknown {
    return { next: this.next, watermark: this.currentWatermark, now: this.scriptedNow };
  }
}

/** A reader that has nothing: a subtask without a split. */
const EMPTY: SourceReader = {
  done: true,
  emit: () => 0,
  watermark: () => Infinity,
  nextDueTime: () => Infinity,
  clock: () => undefined,
  position: () => ({}),
};

/** The reader of `subtask`'s split of a source stage, resumed at `position` when restoring; TestStreams play at `pacer`'s pace. */
export function sourceReaderFor(
  model: PipelineModel,
  userCode: UserCodeSource,
  stage: FusedStage,
  subtask: number,
  parallelism: number,
  position: unknown,
  exec: ExecutableStage,
  pacer: TestStreamPacer,
): SourceReader {
  const root = stage.root;
  const pos = position as Record<string, number> | undefined;
  switch (root.kind) {
    case "impulse":
      // One empty element at the start of time: a range of one.
      return subtask === 0
        ? new CreateRangeReader(
            (from, to, out) => {
              if (from < to) out.receive(new Uint8Array(0), MIN_TIMESTAMP, IN_GLOBAL_WINDOW, NO_FIRING);
            },
            pos?.next ?? 0,
            1,
          )
        : EMPTY;
    case "create": {
      // Only a subtask with a split makes the values (a rebuilt Create makes them on first read).
      const { from, to } = createSplit(createCount(model, root.transformId, userCode), subtask, parallelism);
      if (from >= to) return EMPTY;
      const source = createSource(model, root.transformId, userCode);
      return new CreateRangeReader((a, b, out) => emitCreateRange(source, a, b, out), pos?.next ?? from, to);
    }
    case "testStream":
      return subtask === 0
        ? new TestStreamReader(
            testStreamEvents(model, root.transformId, userCode),
            pos?.next ?? 0,
            pos?.watermark ?? -Infinity,
            pos?.now ?? 0,
            pacer,
          )
        : EMPTY;
    case "splittable":
      return new SplittableReader(
        exec.splittableRoot!,
        splittableSeeds(model, root, userCode),
        splittableWorkCoders(model, root, userCode),
        subtask,
        parallelism,
        position as { work: Uint8Array } | undefined,
        () => exec.takeFinalizations(),
      );
    case "pcollection":
      throw new Error(`internal: stage ${stage.id} reads ${root.pcollection}, it has no source`);
  }
}
