/**
 * Where `millrace job-server` takes its token from. A secret on the command
 * line is visible to every local user (`ps`, /proc/<pid>/cmdline), so the
 * file and the environment come first and `--token` earns a warning.
 */
import * as fs from "node:fs";

/** The token chosen, where it came from, and a warning to print, if any. */
export interface ServiceTokenChoice {
  /** The token; undefined for a generated one. */
  readonly token: string | undefined;
  /** For the start banner: "from --tokenFile", "generated; ...". */
  readonly source: string;
  /** Printed on stderr when set. */
  readonly warning?: string;
}

/** Thrown for a token file that cannot be used. */
export class TokenFileError extends Error {
  /** Always `"TokenFileError"`. */
  override readonly name = "TokenFileError";
}

/**
 * The token from `--tokenFile` (its first line), else `--token`, else
 * `MILLRACE_JOB_TOKEN`, else none (the service generates one).
 */
export function serviceToken(flags: { readonly token?: string; readonly tokenFile?: string }, env: NodeJS.ProcessEnv): ServiceTokenChoice {
  if (flags.tokenFile !== undefined) {
    if (flags.token !== undefined) throw new TokenFileError("give the token once: --tokenFile or --token, not both");
    let text: string;
    try {
      text = fs.readFileSync(flags.tokenFile, "utf8");
    } catch (e) {
      throw new TokenFileError(`cannot read --tokenFile ${flags.tokenFile}: ${(e as Error).message}`);
    }
    const token = text.split(/\r?\n/, 1)[0]!.trim();
    if (token === "") throw new TokenFileError(`--tokenFile ${flags.tokenFile} is empty: put the token on its first line`);
    const mode = fs.statSync(flags.tokenFile).mode;
    const warning =
      process.platform !== "win32" && (mode & 0o077) !== 0
        ? `--tokenFile ${flags.tokenFile} can be read by other users (chmod 600 it)`
        : undefined;
    return { token, source: "from --tokenFile", ...(warning ? { warning } : {}) };
  }
  if (flags.token !== undefined) {
    return {
      token: flags.token,
      source: "from --token",
      warning:
        "--token puts the secret on the command line, where every local user can read it (ps); use --tokenFile=<file> or MILLRACE_JOB_TOKEN instead",
    };
  }
  const fromEnv = env.MILLRACE_JOB_TOKEN;
  if (fromEnv !== undefined && fromEnv !== "") return { token: fromEnv, source: "from MILLRACE_JOB_TOKEN" };
  return { token: undefined, source: "generated; set MILLRACE_JOB_TOKEN or pass --tokenFile to choose one" };
}
