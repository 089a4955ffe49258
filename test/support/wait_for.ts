/** Resolves once `condition()` holds, polling every 20 ms; rejects naming `what` if it has not held after `timeoutMs` (a generous bound for a busy machine, not a timing assertion). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
