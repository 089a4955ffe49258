/**
 * The environment a job's process gets. A job is arbitrary code run as the
 * service's user; handing it the service's whole environment would hand it
 * every secret in it (cloud credentials, the service's own token if it came
 * from MILLRACE_JOB_TOKEN): a test job read them from `/proc/self/environ`.
 * So a job sees only an allow-list: what Node and the system need to run,
 * plus the names the operator adds with `--jobEnv`.
 */

/** The variables every job gets (when the service has them): enough to run Node and find the temp folder. */
export const BASE_JOB_ENV: readonly string[] = [
  "PATH",
  "HOME",
  "TMPDIR",
  "TEMP",
  "TMP",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "SYSTEMROOT",
  "USERPROFILE",
];

/** Variables that never reach a job, even when allowed: the service's secret. */
const NEVER_PASSED: ReadonlySet<string> = new Set(["MILLRACE_JOB_TOKEN"]);

/**
 * The environment of a job: the {@link BASE_JOB_ENV} variables and those
 * named in `allowed` (a name ending in `*` allows every name with that
 * prefix), taken from `serviceEnv`.
 */
export function jobEnvironment(serviceEnv: NodeJS.ProcessEnv, allowed: readonly string[] = []): Record<string, string> {
  const exact = new Set([...BASE_JOB_ENV, ...allowed.filter((n) => !n.endsWith("*"))]);
  const prefixes = allowed.filter((n) => n.endsWith("*")).map((n) => n.slice(0, -1));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(serviceEnv)) {
    if (value === undefined || NEVER_PASSED.has(name)) continue;
    if (exact.has(name) || prefixes.some((p) => name.startsWith(p))) env[name] = value;
  }
  return env;
}

/** Parses `--jobEnv=A,B,PREFIX_*` into names; throws on a name that cannot be a variable's. */
export function parseJobEnv(list: string): string[] {
  const names = list
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  for (const n of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(n) && n !== "*")
      throw new Error(`--jobEnv takes variable names separated by commas (a trailing * allows a prefix), not '${n}'`);
  }
  return names;
}
