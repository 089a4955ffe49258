/**
 * Bundle finalization (Beam's `BundleFinalizer`): a callback that runs once
 * the runner has durably committed the output of the bundle that registered
 * it, e.g. to acknowledge messages to a queue only when they are safe. The
 * direct runner calls it after the bundle's outputs are delivered, the
 * stream runner when the checkpoint that holds the bundle is complete, the
 * micro-batch runner after the task that ran it finished (bounded jobs) or,
 * for unbounded jobs, once its batch is in the commit log (the callbacks of
 * a batch run when the next batch reads the source; those of a job's last
 * batch do not run). A callback is
 * dropped when its deadline passed before the commit; a callback that throws
 * is reported and does not fail the job (the data is already committed).
 */
export interface BundleFinalizer {
  /** Registers `callback` to run after the current bundle is committed, if that happens before `deadlineMs` (ms since the epoch). */
  afterBundleCommit(deadlineMs: number, callback: () => void | Promise<void>): void;
}
