/**
 * `--environmentType`: how the engine gets millrace's SDK harness.
 *
 * - `LOOPBACK` (default): a worker pool in this process; the engine asks it
 *   for a harness per worker (`beam:env:external:v1` pointing here). Only
 *   for engines on this machine.
 * - `PROCESS`: the engine runs the `millrace-harness` executable (or the
 *   command in `--environmentConfig`) itself (`beam:env:process:v1`).
 * - `EXTERNAL`: a worker pool the user started (`millrace harness --pool`)
 *   at `--environmentConfig=host:port` (`beam:env:external:v1`).
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { HarnessEnvironment } from "../../portability/engine/engine_pipeline";
import { LIBRARY_ROOT } from "../../portability/job_api/code_bundle";

/** The `--environmentType` values. */
export const ENVIRONMENT_TYPES = ["LOOPBACK", "PROCESS", "EXTERNAL"] as const;

/** One of {@link ENVIRONMENT_TYPES}. */
export type EnvironmentType = (typeof ENVIRONMENT_TYPES)[number];

/** A running worker pool (BeamFnExternalWorkerPool). */
export interface WorkerPool {
  /** `host:port` an engine reaches it at. */
  readonly endpoint: string;
  /** Stops it and the harnesses it started. */
  close(): Promise<void>;
}

/** Starts a worker pool in this process. */
export type WorkerPoolStarter = (options: { host?: string; port?: number }) => Promise<WorkerPool>;

let loopbackStarter: WorkerPoolStarter | undefined;

/**
 * Gives `LOOPBACK` its in-process worker pool (millrace's SDK harness
 * provides it when the package loads; tests may provide another).
 */
export function provideLoopbackWorkerPool(starter: WorkerPoolStarter | undefined): void {
  loopbackStarter = starter;
}

/** The harness executable's path, from the `millrace-harness` entry of the library's package.json `bin`. */
export function harnessExecutable(libraryRoot: string = LIBRARY_ROOT): string | undefined {
  for (const root of [libraryRoot, path.dirname(libraryRoot)]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name?: string; bin?: Record<string, string> };
      const bin = pkg.name === "millrace" ? pkg.bin?.["millrace-harness"] : undefined;
      if (bin !== undefined && fs.existsSync(path.join(root, bin))) return path.join(root, bin);
    } catch {
      // Not the package root: try the next.
    }
  }
  return undefined;
}

/** What the job needs for its environment: how the engine reaches the harness, and what to stop after. */
export interface PreparedEnvironment {
  readonly environment: HarnessEnvironment;
  /** Stops what was started for the job (the loopback pool); nothing for the other types. */
  close(): Promise<void>;
}

/** Parses `--environmentType`, naming the valid values when it is not one. */
export function environmentTypeOf(value: unknown): EnvironmentType {
  const type = typeof value === "string" && value !== "" ? value.toUpperCase() : "LOOPBACK";
  if (!(ENVIRONMENT_TYPES as readonly string[]).includes(type)) {
    throw new Error(`--environmentType must be one of ${ENVIRONMENT_TYPES.join(", ")}, not '${String(value)}'`);
  }
  return type as EnvironmentType;
}

/** Sets up the environment `type` (with `config` = `--environmentConfig`) for one job. */
export async function prepareEnvironment(type: EnvironmentType, config: string | undefined): Promise<PreparedEnvironment> {
  switch (type) {
    case "LOOPBACK": {
      if (loopbackStarter === undefined) {
        throw new Error(
          "--environmentType=LOOPBACK needs millrace's in-process SDK harness worker pool, which this build does not provide; " +
            "use --environmentType=EXTERNAL --environmentConfig=host:port of a running worker pool",
        );
      }
      const pool = await loopbackStarter({ host: "127.0.0.1", port: 0 });
      return { environment: { kind: "external", endpoint: pool.endpoint }, close: () => pool.close() };
    }
    case "EXTERNAL":
      if (config === undefined || !/^[^\s/]+:\d+$/.test(config)) {
        throw new Error(
          `--environmentType=EXTERNAL needs --environmentConfig=host:port of a worker pool (millrace harness --pool), not '${config ?? ""}'`,
        );
      }
      return { environment: { kind: "external", endpoint: config }, close: async () => undefined };
    case "PROCESS": {
      const command = config ?? harnessExecutable();
      if (command === undefined) {
        throw new Error(
          "--environmentType=PROCESS: cannot find the millrace-harness executable; give its path with --environmentConfig=<command>",
        );
      }
      return { environment: { kind: "process", command }, close: async () => undefined };
    }
  }
}
