/**
 * What the tests of pipelines on engines read back: the lines a pipeline
 * appended to a file, in a fresh temporary folder, and a wait for a running
 * job's output that fails at once when the job does.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PipelineResult } from "../../../model/pipeline_result";

/** The non-empty lines of `file` (none when it does not exist yet). */
export function lines(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];
}

/** A path `name` in a new temporary folder. */
export function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-sdf-")), name);
}

/** Waits until `condition` holds while `result`'s job runs; throws the job's failure, or after `timeoutMs`. */
export async function waitWhileRunning(condition: () => boolean, what: string, result: PipelineResult, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failed: unknown;
  result.waitUntilFinish().catch((e: unknown) => (failed = e));
  while (!condition()) {
    if (failed) throw failed;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
