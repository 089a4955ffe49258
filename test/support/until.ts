/**
 * Waiting on a condition instead of sleeping for a time: tests run on a
 * busy shared machine, so they poll what they wait for and keep a generous
 * deadline only as a guard against a hang, never as a speed requirement.
 */

/** Polls `condition` every 50 ms until it holds; fails naming `what` after `guardMs`. */
export async function until(condition: () => Promise<boolean>, what: string, guardMs = 120_000): Promise<void> {
  const deadline = Date.now() + guardMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
