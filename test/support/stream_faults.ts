/** Fault injection on the stream runner for recovery tests (see `FaultSpec` and MILLRACE_STREAM_FAULTS). */
import type { FaultSpec } from "../../runners/stream/protocol";

/** Runs `f` with `faults` injected into the stream jobs it starts; the variable is cleared afterwards, whatever happens. */
export async function withStreamFaults<T>(faults: readonly FaultSpec[], f: () => Promise<T>): Promise<T> {
  process.env.MILLRACE_STREAM_FAULTS = JSON.stringify(faults);
  try {
    return await f();
  } finally {
    delete process.env.MILLRACE_STREAM_FAULTS;
  }
}
