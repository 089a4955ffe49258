/**
 * The bundle finalization callbacks a stage's splittable DoFns registered
 * (`ctx.bundleFinalizer.afterBundleCommit`): the runner takes them after a
 * bundle and runs them once that bundle's output is durably committed.
 */
import type { BundleFinalizer } from "../../sdk/transforms/splittable/bundle_finalizer";

/** One registered callback. */
export interface Finalization {
  readonly transform: string;
  readonly deadlineMs: number;
  readonly callback: () => void | Promise<void>;
}

/** Collects the callbacks of the bundle being processed. */
export class PendingFinalizations {
  private pending: Finalization[] = [];

  /** The finalizer a DoFn of `transform` registers through. */
  finalizerFor(transform: string): BundleFinalizer {
    return {
      afterBundleCommit: (deadlineMs, callback) => {
        if (typeof callback !== "function") throw new TypeError(`afterBundleCommit: the callback must be a function`);
        if (typeof deadlineMs !== "number" || Number.isNaN(deadlineMs))
          throw new TypeError(`afterBundleCommit: the deadline must be a time in ms, got ${String(deadlineMs)}`);
        this.pending.push({ transform, deadlineMs, callback });
      },
    };
  }

  /** The callbacks registered since the last call. */
  take(): Finalization[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/**
 * Runs finalizations whose bundle is now committed, at processing time
 * `now`: those past their deadline are dropped; one that throws (or
 * rejects) is reported through `onError` and does not fail the job, since
 * the data it finalizes is already committed.
 */
export async function runFinalizations(
  finalizations: readonly Finalization[],
  now: number,
  onError: (f: Finalization, e: unknown) => void,
): Promise<void> {
  for (const f of finalizations) {
    if (f.deadlineMs < now) continue;
    try {
      await f.callback();
    } catch (e) {
      onError(f, e);
    }
  }
}
