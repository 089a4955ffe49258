/**
 * A splittable DoFn read as a source by a runner: the work left (pending
 * restrictions with their watermark estimator states), what is due at a
 * processing time, the output watermark, and the encoding of the pending
 * work for checkpoints and offset logs. The stream runner's source subtasks
 * and the micro-batch driver share it; the direct runner's source state
 * follows the same rules.
 */
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import type { StageRoot } from "../../../portability/plan/execution_plan";
import type { SplittableDoFnOperator } from "../../../portability/harness/splittable_dofn_operator";
import {
  decodePendingWork,
  encodePendingWork,
  type PendingWork,
  type SplittableWorkCoders,
} from "../../../portability/harness/splittable_work";

/** The coders of a splittable root's work: its input's and its restriction coder. */
export function splittableWorkCoders(
  model: PipelineModel,
  root: Extract<StageRoot, { kind: "splittable" }>,
  userCode: UserCodeSource,
): SplittableWorkCoders {
  return {
    element: model.coderOf(root.input, userCode),
    restriction: model.coder(model.parDoPayload(root.transformId).restrictionCoderId, userCode),
  };
}

/** The pending work of one reader of a splittable source (a subtask's share, or a partition's). */
export class SplittableWorkQueue {
  constructor(
    private readonly op: SplittableDoFnOperator,
    private pending: PendingWork[],
  ) {}

  /** True when no work is left: the restrictions are all done. */
  get done(): boolean {
    return this.pending.length === 0;
  }

  /** How many pieces of work are pending. */
  get size(): number {
    return this.pending.length;
  }

  /** The pending work (for encoding). */
  items(): readonly PendingWork[] {
    return this.pending;
  }

  /** Takes the first piece of work due at `now`, if any. */
  takeDue(now: number): PendingWork | undefined {
    const i = this.pending.findIndex((p) => p.resumeAt <= now);
    return i < 0 ? undefined : this.pending.splice(i, 1)[0];
  }

  /** Takes every piece of work due at `now`. */
  takeAllDue(now: number): PendingWork[] {
    const due = this.pending.filter((p) => p.resumeAt <= now);
    this.pending = this.pending.filter((p) => p.resumeAt > now);
    return due;
  }

  /** Processes `item` (inside a bundle); its residuals become pending, due after their delays. */
  process(item: PendingWork, now: number): void {
    for (const r of this.op.processWork(item.work)) this.pending.push({ work: r.work, resumeAt: now + r.delayMs });
  }

  /** Adds work (e.g. restored, or given to this reader). */
  add(items: readonly PendingWork[]): void {
    this.pending.push(...items);
  }

  /** When some work is due (`now` or later), Infinity when none is left. */
  nextDueTime(now: number): number {
    let due = Infinity;
    for (const p of this.pending) due = Math.min(due, Math.max(now, p.resumeAt));
    return due;
  }

  /**
   * The output watermark: the lowest of the pending restrictions' estimators, leaving out those that say they are
   * idle while others are not; the end of time when none is left.
   */
  watermark(now = Date.now()): number {
    let active = Infinity;
    let all = Infinity;
    let anyActive = false;
    for (const p of this.pending) {
      const { watermark, idle } = this.op.watermarkStatusOf(p.work, now);
      all = Math.min(all, watermark);
      if (idle) continue;
      anyActive = true;
      active = Math.min(active, watermark);
    }
    return anyActive ? active : all;
  }

  /** True when work is pending and every piece of it is idle (its estimator says so): the reader holds no watermark back. */
  idle(now: number): boolean {
    if (this.pending.length === 0) return false;
    for (const p of this.pending) if (!this.op.watermarkStatusOf(p.work, now).idle) return false;
    return true;
  }

  /** The pending work, encoded (delays relative to `now`). */
  encode(coders: SplittableWorkCoders, now: number): Uint8Array {
    return encodePendingWork(this.pending, coders, now);
  }

  /** Pending work that was encoded with {@link encode}. */
  static decode(bytes: Uint8Array, coders: SplittableWorkCoders, now: number): PendingWork[] {
    return decodePendingWork(bytes, coders, now);
  }
}
