/**
 * What the tests of pipelines on engines read back: the lines a pipeline
 * appended to a file, in a fresh temporary folder, a wait for a running
 * job's output that fails at once when the job does, and the checks of an
 * unbounded windowed count and of files watched continuously, each run
 * until cancelled.
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

/**
 * Runs `watchedLines` (sdf_pipelines.ts) with `args` over a new folder
 * holding two files, writes a third while it runs, cancels it once all
 * three are read, and checks each line was read once.
 */
export async function runWatchedFilesUntilCancelled(watchedLines: PipelineDefinition, args: readonly string[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-sdf-watch-"));
  const out = tempFile("out.txt");
  const write = (name: string, n: number) =>
    fs.writeFileSync(path.join(dir, name), Array.from({ length: n }, (_, i) => `${name} line ${i}`).join("\n") + "\n");
  write("a.txt", 5);
  write("b.txt", 3);
  const result = watchedLines.create([...args, `--out=${out}`, `--input=${path.join(dir, "*.txt")}`]).run();
  await waitWhileRunning(() => lines(out).length >= 8, "the two first files read", result);
  write("c.txt", 4);
  await waitWhileRunning(() => lines(out).length >= 12, "the file written later read", result);
  result.cancel();
  expect(await result.waitUntilFinish()).to.equal("CANCELLED");
  const expected = [
    ...Array.from({ length: 5 }, (_, i) => `A.TXT LINE ${i}`),
    ...Array.from({ length: 3 }, (_, i) => `B.TXT LINE ${i}`),
    ...Array.from({ length: 4 }, (_, i) => `C.TXT LINE ${i}`),
  ].sort();
  expect(lines(out).sort()).to.deep.equal(expected);
}
