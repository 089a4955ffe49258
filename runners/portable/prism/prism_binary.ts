/**
 * Finding Apache Beam's Prism runner binary: `--prismBinary`, else `prism`
 * on the PATH, else `$(go env GOPATH)/bin/prism` where
 * `scripts/prism.sh install` (`go install .../cmd/prism`) puts it.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The Beam version whose Prism millrace is tested with (`scripts/prism.sh`). */
export const PRISM_VERSION = "v2.78.0";

/** Prism's binary could not be found; the message lists where we looked and how to install it. */
export class PrismNotFoundError extends Error {
  /** Always `"PrismNotFoundError"`. */
  override readonly name = "PrismNotFoundError";
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `go env GOPATH`, or Go's default (`~/go`) when `go` is not installed. */
function goPath(): string {
  const res = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8", timeout: 20_000 });
  const out = res.status === 0 ? res.stdout.trim().split(path.delimiter)[0] : "";
  return out ? out : path.join(os.homedir(), "go");
}

/** The places searched for Prism, in order (without an explicit `--prismBinary`). */
export function prismCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const onPath = (env.PATH ?? "")
    .split(path.delimiter)
    .filter((d) => d !== "")
    .map((d) => path.join(d, "prism"));
  return [...onPath, path.join(goPath(), "bin", "prism")];
}

/** The Prism binary to run: `explicit` (which must exist), else the first of {@link prismCandidates}. */
export function findPrismBinary(explicit?: string): string {
  if (explicit !== undefined && explicit !== "") {
    if (!isExecutable(explicit)) throw new PrismNotFoundError(`--prismBinary=${explicit} is not an executable file`);
    return explicit;
  }
  const candidates = prismCandidates();
  const found = candidates.find(isExecutable);
  if (found !== undefined) return found;
  throw new PrismNotFoundError(
    `cannot find Apache Beam's Prism runner (looked for 'prism' on the PATH and at ${candidates[candidates.length - 1]}); ` +
      `install it with 'scripts/prism.sh install' (go install github.com/apache/beam/sdks/v2/go/cmd/prism@${PRISM_VERSION}) ` +
      `or pass --prismBinary=<path>`,
  );
}
