/**
 * Engine processes we start (Prism, job-server JVMs) must not outlive the
 * Node process that started them: a test run or a job that ends, is
 * interrupted or calls `process.exit` (mocha's `--exit`) while one runs
 * would otherwise leave it behind. Each is registered here with how to end
 * it, and ended synchronously when Node exits for any reason we can see.
 */

const enders = new Set<() => void>();
let hookInstalled = false;

function endAll(): void {
  for (const end of enders) {
    try {
      end();
    } catch {
      // Already gone.
    }
  }
}

function installHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on("exit", endAll);
  // Ctrl-C or a kill of this process skips "exit" handlers unless the signal is handled: handle it, then exit as the signal would.
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      endAll();
      // Another handler of the signal decides whether the process ends; alone, we end it as the signal would have.
      if (process.listenerCount(signal) === 0) process.exit(code);
    });
  }
}

/** Ends `end` (a synchronous kill) when this Node process exits; call the returned function once the process has ended on its own. */
export function endWithNode(end: () => void): () => void {
  installHook();
  enders.add(end);
  return () => enders.delete(end);
}
