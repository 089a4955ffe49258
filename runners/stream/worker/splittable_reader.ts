/**
 * A stream source subtask reading a splittable DoFn: its share of the
 * initial restrictions (every `parallelism`-th, in the stable order of
 * `initialSplittableWork`), processed when due; residuals of a
 * self-checkpoint resume after their delay. Its position (the pending
 * restrictions and watermark estimator states) goes into each checkpoint
 * and is where a restore resumes; bundle finalizations run when the
 * checkpoint that holds their bundle completes.
 */
import type { ElementReceiver } from "../../../portability/harness/element_receiver";
import type { SplittableDoFnOperator } from "../../../portability/harness/splittable_dofn_operator";
import type { SplittableWorkCoders } from "../../../portability/harness/splittable_work";
import { initialSplittableWork, type SeedElement } from "../../../portability/harness/splittable_seeds";
import { runFinalizations, type Finalization } from "../../../portability/harness/bundle_finalizations";
import { SplittableWorkQueue } from "../../core/sources/splittable_source";
import type { SourceReader } from "./source_readers";

/** A checkpointed position: the pending work, encoded. */
interface SplittablePosition {
  readonly work: Uint8Array;
}

export class SplittableReader implements SourceReader {
  private queue: SplittableWorkQueue | undefined;
  /** Finalizations of bundles since the last snapshot, then by the checkpoint that holds them. */
  private unsnapshotted: Finalization[] = [];
  private readonly byCheckpoint = new Map<number, Finalization[]>();

  constructor(
    private readonly op: SplittableDoFnOperator,
    private readonly seeds: readonly SeedElement[],
    private readonly coders: SplittableWorkCoders,
    private readonly subtask: number,
    private readonly parallelism: number,
    private readonly restored: SplittablePosition | undefined,
    private readonly takeFinalizations: () => Finalization[],
  ) {}

  /** The queue, built on first use: the DoFn's setup has run by then. */
  private work(): SplittableWorkQueue {
    if (!this.queue) {
      const pending = this.restored
        ? SplittableWorkQueue.decode(this.restored.work, this.coders, Date.now())
        : initialSplittableWork(this.seeds, this.op)
            .filter((_, i) => i % this.parallelism === this.subtask)
            .map((work) => ({ work, resumeAt: -Infinity }));
      this.queue = new SplittableWorkQueue(this.op, pending);
    }
    return this.queue;
  }

  get done(): boolean {
    return this.work().done;
  }

  emit(_into: ElementReceiver, _max: number, now: number): number {
    const item = this.work().takeDue(now);
    if (!item) return 0;
    const before = this.op.outputCount;
    this.work().process(item, now);
    this.unsnapshotted.push(...this.takeFinalizations());
    // The records read, not the pieces of work: the subtask sizes its bundles and counts its records in by them.
    return this.op.outputCount - before;
  }

  watermark(now: number): number {
    return this.work().watermark(now);
  }

  idle(now: number): boolean {
    return this.work().idle(now);
  }

  nextDueTime(now: number): number {
    return this.work().nextDueTime(now);
  }

  clock(): undefined {
    return undefined;
  }

  position(): SplittablePosition {
    return { work: this.work().encode(this.coders, Date.now()) };
  }

  onSnapshot(checkpointId: number): void {
    if (this.unsnapshotted.length > 0) this.byCheckpoint.set(checkpointId, this.unsnapshotted);
    this.unsnapshotted = [];
  }

  onCheckpointComplete(checkpointId: number): void {
    for (const [id, finalizations] of [...this.byCheckpoint]) {
      if (id > checkpointId) continue;
      this.byCheckpoint.delete(id);
      void runFinalizations(finalizations, Date.now(), (f, e) => {
        console.warn(`millrace: a bundle finalization of '${f.transform}' failed: ${(e as Error)?.stack ?? String(e)}`);
      });
    }
  }
}
