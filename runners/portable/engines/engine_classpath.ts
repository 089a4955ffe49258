/**
 * Where the engines' Java classpaths live: `scripts/engines.sh prepare
 * flink|spark` resolves Beam's runner libraries from the Maven registry into
 * a cache folder that every later run reuses. Beam's `*-job-server` jars are
 * not what we use: the runner libraries hold the same drivers.
 *
 * @module
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** An engine reached through Beam's job server for it. */
export type EngineName = "flink" | "spark";

/** The Beam release whose runner libraries (and Python SDK, for checks) the cache holds: the newest whose dependencies all resolve here. */
export const BEAM_ENGINE_VERSION = "2.62.0";

/** The cache folder: `$MILLRACE_CACHE`, else `~/.cache/millrace` (as scripts/engines.sh uses). */
export function engineCacheDir(): string {
  return process.env.MILLRACE_CACHE ?? path.join(os.homedir(), ".cache", "millrace");
}

/**
 * The folder of jars for `engine`'s job server (and, for Flink, its session
 * cluster). Throws, naming the command that prepares it, when it is missing
 * or half-written (the prepare step marks a finished folder with `.complete`).
 */
export function engineClasspathDir(engine: EngineName, cacheDir: string = engineCacheDir()): string {
  const lib = path.join(cacheDir, `beam-${BEAM_ENGINE_VERSION}-${engine}`, "lib");
  if (!fs.existsSync(path.join(lib, ".complete"))) {
    throw new Error(
      `the ${engine} job server's classpath is not prepared in ${lib}: run \`scripts/engines.sh prepare ${engine}\` once ` +
        `(it resolves Beam ${BEAM_ENGINE_VERSION}'s ${engine} runner from the Maven registry)`,
    );
  }
  return lib;
}

/**
 * The Python of the virtual environment holding Beam's Python SDK (the same
 * release), which `scripts/engines.sh prepare python` makes: a second SDK to
 * tell a healthy engine from a broken harness, and to compare figures with.
 */
export function beamPythonBinary(cacheDir: string = engineCacheDir()): string {
  const python = path.join(cacheDir, `beam-python-${BEAM_ENGINE_VERSION}`, "bin", "python");
  if (!fs.existsSync(python)) {
    throw new Error(
      `Beam's Python SDK is not prepared in ${path.dirname(path.dirname(python))}: run \`scripts/engines.sh prepare python\` once`,
    );
  }
  return python;
}
