/**
 * The stream runner's two-phase-commit file sink on unbounded input, under a
 * restart: a task manager dies mid-stream; what is published afterwards has
 * each number once, in files named per checkpoint and subtask, and nothing
 * unpublished is left once the job is cancelled.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { failingStream } from "../../fixtures/write_text_pipelines";

function published(dir: string): { names: string[]; numbers: number[] } {
  const names = fs.readdirSync(dir).filter((n) => !n.startsWith("."));
  const numbers = names.flatMap((n) =>
    fs
      .readFileSync(path.join(dir, n), "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => Number(l.split(" ")[1])),
  );
  return { names, numbers };
}

describe("stream runner: the two-phase file sink on unbounded input", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-two-phase-"));
  });
  afterEach(() => {
    delete process.env.MILLRACE_STREAM_FAULTS;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a task manager that dies mid-stream: the files published before and after the restart hold each number once", async () => {
    const out = path.join(dir, "out", "numbers");
    process.env.MILLRACE_STREAM_FAULTS = JSON.stringify([{ worker: 1, afterRecords: 2000, kind: "exit", attempt: 0 }]);
    // Read when the job starts, on the next tick: removed once the job has ended.
    const result = failingStream
      .create(["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=50", "--restartDelayMs=10", `--out=${out}`])
      .run();
    // Cancel once the job has published well past the failure (worker 1 dies after 2,000 of its records).
    for (;;) {
      const seen = fs.existsSync(path.dirname(out)) ? published(path.dirname(out)).numbers : [];
      if (seen.some((x) => x >= 12_000) || result.state !== "RUNNING") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    result.cancel();
    try {
      expect(await result.waitUntilFinish()).to.equal("CANCELLED");
    } finally {
      delete process.env.MILLRACE_STREAM_FAULTS;
    }
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    const { names, numbers } = published(path.dirname(out));
    for (const n of names) expect(n).to.match(/^numbers-checkpoint-\d{10}-0000[01]\.txt$/);
    expect(new Set(numbers).size, "no number published twice").to.equal(numbers.length);
    expect(numbers.length).to.be.greaterThan(2000);
    expect(
      fs.readdirSync(path.dirname(out)).filter((n) => n.startsWith(".")),
      "nothing unpublished left",
    ).to.deep.equal([]);
  });
});
