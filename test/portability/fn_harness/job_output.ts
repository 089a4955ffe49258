/**
 * What the tests of pipelines on engines read back: the lines a pipeline
 * appended to a file, in a fresh temporary folder, a wait for a running
 * job's output that fails at once when the job does, and the check of an
 * unbounded windowed count run until cancelled.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import type { PipelineResult } from "../../../model/pipeline_result";
import type { PipelineDefinition } from "../../../sdk/pipeline_definition";

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

/**
 * Runs `unboundedCounts` (sdf_pipelines.ts) with `args` until three windows
 * were counted, cancels it, and checks what it wrote: lines
 * `window <start>: <count>` of 1 s windows, each fired once, none empty.
 */
export async function runWindowedCountsUntilCancelled(unboundedCounts: PipelineDefinition, args: readonly string[]): Promise<void> {
  const out = tempFile("out.txt");
  const result = unboundedCounts.create([...args, `--out=${out}`]).run();
  const windowLines = () => lines(out).filter((l) => l.startsWith("window "));
  await waitWhileRunning(() => windowLines().length >= 3, "three windows counted", result);
  result.cancel();
  expect(await result.waitUntilFinish()).to.equal("CANCELLED");
  const windows = windowLines().map((l) => /^window (\d+): (\d+)$/.exec(l));
  for (const m of windows) {
    expect(m, "a line of the form 'window <start>: <count>'").to.not.equal(null);
    expect(Number(m![1]) % 1_000).to.equal(0);
    expect(Number(m![2])).to.be.greaterThan(0);
  }
  expect(new Set(windows.map((m) => m![1])).size, "each window fires once").to.equal(windows.length);
}
