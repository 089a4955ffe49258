/**
 * Rebuild mode: while a worker loads a pipeline's origin module to rebuild
 * it, `Pipeline.run()` must not start a job. Instead it hands the rebuilt
 * pipeline over. This module is the meeting point; it is kept on
 * `globalThis` so that two copies of the library (source and compiled) in
 * one process still agree.
 */

interface RebuildState {
  active: boolean;
  /** Pipelines whose `run()` was called while rebuilding, in call order. */
  readonly captured: unknown[];
  /** Pipeline definitions registered by `mr.definePipeline`, by module then name. */
  readonly definitions: Map<string, unknown>;
  /** How many pipelines this process has run, for a script's run index. */
  runsStarted: number;
}

const KEY = Symbol.for("millrace.rebuildState");

/** The process-wide rebuild state. */
export function rebuildState(): RebuildState {
  const g = globalThis as unknown as Record<symbol, RebuildState | undefined>;
  let state = g[KEY];
  if (!state) {
    state = { active: false, captured: [], definitions: new Map(), runsStarted: 0 };
    g[KEY] = state;
  }
  return state;
}
