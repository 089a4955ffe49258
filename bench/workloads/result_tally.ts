/**
 * How a millrace workload reports its results: a last step that counts
 * them and sums their digests' limbs into counters, so the figures come out
 * of any runner (workers in threads or processes) through its metrics, and
 * nothing is collected in memory.
 */
import * as mr from "millrace";
import { digestFromLimbSums, resultDigestLimbs } from "./result_digest";

/** The counter of results. */
export const RESULTS_COUNTER = "workload.results";
const DIGEST_HI_COUNTER = "workload.digest.hi";
const DIGEST_LO_COUNTER = "workload.digest.lo";

/** What a workload run produced: how many results and their order-independent digest. */
export interface WorkloadTally {
  readonly results: number;
  readonly digest: bigint;
}

/**
 * Count the input's results and sum their digests (see result_digest.ts);
 * `fieldsOf` gives a result's tuple of whole numbers (from the result, and
 * its window for a windowed result).
 */
export function tallyResults<T>(
  fieldsOf: (result: T, window: mr.BoundedWindow) => readonly number[],
): mr.PTransform<mr.PCollection<T>, mr.PCollection<never>> {
  return mr.flatMap((result: T, ctx): never[] => {
    const { hi, lo } = resultDigestLimbs(fieldsOf(result, ctx.window));
    ctx.metrics.counter(RESULTS_COUNTER).inc();
    ctx.metrics.counter(DIGEST_HI_COUNTER).inc(hi);
    ctx.metrics.counter(DIGEST_LO_COUNTER).inc(lo);
    return [];
  });
}

/** The tally of a finished run from its counters. */
export function readTally(counters: Readonly<Record<string, number>>): WorkloadTally {
  return {
    results: counters[RESULTS_COUNTER] ?? 0,
    digest: digestFromLimbSums(counters[DIGEST_HI_COUNTER] ?? 0, counters[DIGEST_LO_COUNTER] ?? 0),
  };
}
