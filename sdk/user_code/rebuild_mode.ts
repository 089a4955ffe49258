/**
 * Rebuild mode: while a worker loads a pipeline's origin module to rebuild
 * it, `Pipeline.run()` must not start a job. Instead it hands the rebuilt
 * pipeline over. This module is the meeting point; it is kept on
 * `globalThis` so that two copies of the library (source and compiled) in
 * one process still agree.
 */

/** What a `run()` in rebuild mode returns to the script instead of a job's result. */
export interface CapturedRunResult {
  readonly state: string;
  waitUntilFinish(): Promise<string>;
  cancel(): void;
  metrics(): { counters: Record<string, never>; distributions: Record<string, never>; gauges: Record<string, never> };
}

interface RebuildState {
  active: boolean;
  /** Pipelines whose `run()` was called while rebuilding, in call order. */
  readonly captured: unknown[];
  /**
   * Set by a rebuilding script session: takes each pipeline `run()` hands
   * over and says what the script gets back (a result that ends when the
   * session lets the script go on to its next pipeline).
   */
  onCapture: ((pipeline: unknown) => CapturedRunResult) | null;
  /** Pipeline definitions registered by `mr.definePipeline`, by module then name. */
  readonly definitions: Map<string, unknown>;
  /**
   * How many pipelines each module has run in this process: a script's run
   * index counts its own module's runs only, so a worker that loads that
   * module alone replays the same sequence (several test files in one
   * mocha process each start at 0).
   */
  readonly runsByModule: Map<string, number>;
}

const KEY = Symbol.for("millrace.rebuildState.v2");

/** The process-wide rebuild state. */
export function rebuildState(): RebuildState {
  const g = globalThis as unknown as Record<symbol, RebuildState | undefined>;
  let state = g[KEY];
  if (!state) {
    state = { active: false, captured: [], onCapture: null, definitions: new Map(), runsByModule: new Map() };
    g[KEY] = state;
  }
  return state;
}

/** The next run index of `module` in this process (0 for its first `run()`). */
export function nextRunIndex(module: string | null): number {
  const runs = rebuildState().runsByModule;
  const key = module ?? "";
  const index = runs.get(key) ?? 0;
  runs.set(key, index + 1);
  return index;
}
