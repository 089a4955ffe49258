/**
 * A script replayed where its pipelines' code runs (a worker thread, a
 * job's process), to find the pipeline of one of its `run()` calls.
 *
 * A script may run any number of pipelines: one after another inside
 * `async function main()`, in a loop over inputs, or in the tests of a test
 * file. In rebuild mode each `run()` hands its pipeline over and returns a
 * result that does not end until a later run is wanted; then it ends
 * ("DONE"), and the script goes on to its next pipeline exactly as it did
 * in the process that ran it. The session stays paused at the last pipeline
 * handed over, so a job of the script's next pipeline resumes it instead of
 * loading the file again, and code after that pipeline's run (which may
 * read its output, or clean up) is not run here before its time.
 */
import type { Pipeline } from "../../sdk/pipeline";
import { rebuildState, type CapturedRunResult } from "../../sdk/user_code/rebuild_mode";
import { importUserModule } from "./load_user_module";
import { installTestFileGlobals } from "./test_file_globals";

const loadedBefore = new Set<string>();

/** How long a replayed script may go without running its next pipeline or ending. */
const STALL_LIMIT_MS = 60_000;

/** Thrown when a replayed script neither runs its next pipeline nor ends. */
export class ScriptStalledError extends Error {
  override readonly name = "ScriptStalledError";
  constructor(module: string, runs: number, wanted: number) {
    super(
      `${module}, loaded again, ran ${runs} pipeline(s) and then neither ran pipeline #${wanted} (counting from 0) nor finished within ${STALL_LIMIT_MS / 1000} s: ` +
        `code before a run() must not wait on what only the submitting process provides`,
    );
  }
}

/** One replay of a script module with given arguments. */
export class ScriptSession {
  private readonly runs: Pipeline[] = [];
  private releaseLast: (() => void) | null = null;
  private ended = false;
  private failure: unknown = undefined;
  private wake: (() => void) | null = null;

  private constructor(
    /** The script's module (absolute path or file URL). */
    readonly module: string,
    /** The arguments it was run with (its `process.argv.slice(2)`). */
    readonly args: readonly string[],
  ) {}

  /** Starts replaying `module` with `args`; the module is evaluated anew if this thread loaded it before. */
  static start(module: string, args: readonly string[]): ScriptSession {
    const session = new ScriptSession(module, args);
    const state = rebuildState();
    // A process that replays scripts never runs pipelines of its own, and a
    // paused script may call run() at any later moment: rebuild mode stays on.
    state.active = true;
    state.onCapture = (pipeline) => session.capture(pipeline as Pipeline);
    // A script reads its arguments from process.argv: give it the ones it was run with.
    process.argv = [process.argv[0]!, module, ...args];
    const runTests = installTestFileGlobals();
    const fresh = loadedBefore.has(module);
    loadedBefore.add(module);
    importUserModule(module, { fresh })
      .then(() => runTests?.())
      .then(
        () => session.end(undefined),
        (e: unknown) => session.end(e ?? new Error("the script failed without an error")),
      );
    return session;
  }

  /** Whether this session replays `module` run with `args`. */
  replays(module: string, args: readonly string[]): boolean {
    return this.module === module && JSON.stringify(this.args) === JSON.stringify(args);
  }

  /**
   * The pipeline of the script's run `index` (from 0), letting the script
   * go past its earlier runs; undefined when the script ends with fewer
   * runs. Rejects with the script's own error when it fails first.
   */
  async pipeline(index: number): Promise<Pipeline | undefined> {
    while (this.runs.length <= index) {
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return undefined;
      }
      let stalled: NodeJS.Timeout | undefined;
      const woken = new Promise<void>((resolve, reject) => {
        this.wake = resolve;
        // A script that waits on something only its own process provides (stdin, a server) would hang the job.
        stalled = setTimeout(() => reject(new ScriptStalledError(this.module, this.runs.length, index)), STALL_LIMIT_MS);
      });
      const release = this.releaseLast;
      this.releaseLast = null;
      release?.();
      try {
        await woken;
      } finally {
        clearTimeout(stalled);
      }
    }
    return this.runs[index];
  }

  /** How many pipelines the script has run so far in this replay. */
  get runCount(): number {
    return this.runs.length;
  }

  private capture(pipeline: Pipeline): CapturedRunResult {
    // Runs of pipelines built in other modules are not this script's to count (their module replays them).
    if (pipeline._definition !== null || pipeline._originModule !== this.module) return capturedResult(Promise.resolve());
    this.runs.push(pipeline);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.releaseLast = release;
    this.notify();
    return capturedResult(released);
  }

  private end(failure: unknown): void {
    this.ended = true;
    this.failure = failure;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** The result a replayed `run()` returns: running until `released`, then done, with no metrics. */
function capturedResult(released: Promise<void>): CapturedRunResult {
  let state = "RUNNING";
  const finished = released.then(() => (state = "DONE"));
  return {
    get state() {
      return state;
    },
    waitUntilFinish: () => finished,
    cancel: () => undefined,
    metrics: () => ({ counters: {}, distributions: {}, gauges: {} }),
  };
}
