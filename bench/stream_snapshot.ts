/**
 * What one stream subtask's checkpoint costs with N keys in keyed state,
 * without a job around it: a StageSubtask whose stateful ParDo holds a
 * value cell and a window expiry (the end-of-window clean-up every
 * namespace gets) for each of N keys, snapshotted as at a barrier
 * (`snapshot`, which the subtask runs on its own thread while its input
 * waits) and restored (`restore`, what a restarted subtask does first).
 * Single-threaded, so it isolates the snapshot code from scheduling and from
 * the file writes. Prints the median and range of `--runs` snapshots and
 * restores, and the bytes per key.
 *
 *   npm run bench:stream-snapshot [-- --keys=500000 --runs=3]
 */
import * as os from "node:os";
import { coders } from "../portability/coders";
import type { Coder } from "../portability/coders/coder";
import { GlobalWindowCoder } from "../portability/coders/standard/global_window";
import { KeyedStateStore } from "../runners/core/state/keyed_state_store";
import { TimerService } from "../runners/core/state/timer_service";
import type { ValueState } from "../sdk/state/state_specs";
import { StageSubtask, type StageParts } from "../runners/stream/worker/stage_subtask";

function option(name: string, fallback: number): number {
  const found = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
}

/** A subtask of a stage whose head is a stateful ParDo, holding `keys` keys. */
function subtaskWithKeys(keys: number): StageSubtask {
  const store = new KeyedStateStore(new Map([["count", { kind: "value", coder: coders.varint() as Coder<unknown> }]]));
  const timers = new TimerService();
  // End of the global window plus no lateness: when the state would be cleaned up.
  const gcTime = 9_223_371_950_454_775;
  for (let k = 0; k < keys; k++) {
    const ns = `${k}\u0000global`;
    (store.cells(ns).count as ValueState<number>).write(k);
    timers.trackWindow(ns, gcTime);
  }
  const noop = (): void => undefined;
  const parts = {
    // Only flush() is reached by a snapshot (partial combines); nothing else of the stage runs here.
    exec: { flush: noop },
    metrics: undefined,
    reader: undefined,
    keyed: {
      store,
      timers,
      timerCoders: { keyCoder: coders.varint() as Coder<unknown>, windowCoder: new GlobalWindowCoder() },
      runtime: undefined,
    },
    side: undefined,
    rootCoder: coders.varint(),
    sinks: [],
    now: () => Date.now(),
  } as unknown as StageParts;
  const st = new StageSubtask("CountPerKey", 0, noop, false, parts);
  st.wire();
  return st;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: readonly number[]): string =>
  `${median(xs).toFixed(0)} ms (runs ${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)})`;

function main(): void {
  const keys = option("keys", 500_000);
  const runs = option("runs", 3);
  const st = subtaskWithKeys(keys);
  const snapshot = (id: number): Uint8Array => (st as unknown as { snapshot(id: number): Uint8Array }).snapshot(id);
  const snapshotMs: number[] = [];
  const restoreMs: number[] = [];
  let bytes: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    bytes = snapshot(i + 1);
    snapshotMs.push(performance.now() - t);
    const fresh = subtaskWithKeys(0);
    t = performance.now();
    fresh.restore(bytes);
    restoreMs.push(performance.now() - t);
  }
  console.log(
    `stream subtask snapshot with ${keys.toLocaleString("en-US")} keys (a value cell and a window expiry each), one thread, ${runs} runs, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
  );
  console.log(
    `  snapshot  ${fmt(snapshotMs)}  ${(bytes.byteLength / 1e6).toFixed(1)} MB, ${(bytes.byteLength / keys).toFixed(1)} bytes per key, ${((median(snapshotMs) * 1000) / keys).toFixed(2)} µs per key`,
  );
  console.log(`  restore   ${fmt(restoreMs)}  ${((median(restoreMs) * 1000) / keys).toFixed(2)} µs per key`);
}

main();
