/**
 * What the Kafka tests that run unbounded jobs share: the stream and
 * micro-batch configurations they run on, and a wait on a condition (the
 * broker answers asynchronously; no test sleeps and then expects).
 */

/** Unbounded Kafka jobs on the stream runner (checkpoints every 200 ms) and the micro-batch runner (200-ms batches). */
export const UNBOUNDED_RUNNERS: readonly (readonly string[])[] = [
  ["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=200"],
  ["--runner=microbatch", "--executors=2", "--partitions=2", "--batchIntervalMs=200"],
];

/** Waits until `condition()` holds, checking every 100 ms; fails after `limitMs` (a guard against a hang, not a timing assertion). */
export async function waitUntil(what: string, condition: () => Promise<boolean>, limitMs = 150_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
