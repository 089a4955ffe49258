/**
 * Where `shared/` is: the project's shared reference material (Beam's
 * standard coder vectors), which lives beside the repository and is read,
 * never copied in. A checkout has it beside itself; a clone made elsewhere
 * (`git clone /path/to/repo /tmp/x`) finds it beside the repository it was
 * cloned from; MILLRACE_SHARED_DIR overrides both.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root above `start` (a directory with package.json and tsconfig.json). */
export function repoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "tsconfig.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${start}`);
  }
}

/** The directory of this clone's `origin` remote, when it is a local path. */
function localOrigin(root: string): string | undefined {
  try {
    const url = execFileSync("git", ["config", "--get", "remote.origin.url"], { cwd: root, encoding: "utf8" }).trim();
    if (url.startsWith("file://")) return new URL(url).pathname;
    return path.isAbsolute(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The places looked at for `shared/`, in order. */
export function sharedDirCandidates(start: string): string[] {
  const root = repoRoot(start);
  const origin = localOrigin(root);
  return [process.env.MILLRACE_SHARED_DIR, path.resolve(root, "../shared"), origin ? path.resolve(origin, "../shared") : undefined].filter(
    (d): d is string => d !== undefined && d !== "",
  );
}

/** The `shared/` file at `relative`, or an error listing where it was looked for. */
export function sharedFile(start: string, relative: string): string {
  const candidates = sharedDirCandidates(start);
  for (const dir of candidates) {
    const file = path.join(dir, relative);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`shared/${relative} not found; looked in ${candidates.join(", ")} (set MILLRACE_SHARED_DIR to the shared directory)`);
}
