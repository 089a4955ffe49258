/**
 * The stream runner's two-phase-commit file sink on unbounded input, under a
 * restart: a task manager dies mid-stream; what is published afterwards has
 * each number once, in files named per checkpoint and subtask, and nothing
 * unpublished is left once the job is cancelled. The sink's result, the
 * names of the files it published, reaches downstream exactly once across a
 * restart too.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { failingStream, globalStream, numberedLines } from "../../fixtures/write_text_pipelines";
import { endlessKeyedJson } from "../../fixtures/file_format_pipelines";

/** The non-empty lines of every published (not hidden) file in `dir`, sorted. */
function publishedLines(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => !n.startsWith("."))
    .flatMap((n) => fs.readFileSync(path.join(dir, n), "utf8").split("\n"))
    .filter((l) => l.length > 0)
    .sort();
}

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
    // Worker 0 holds subtask 0, which reads the unbounded sequence (one growable restriction) and writes what it reads.
    process.env.MILLRACE_STREAM_FAULTS = JSON.stringify([{ worker: 0, afterRecords: 2000, kind: "exit", attempt: 0 }]);
    // Read when the job starts, on the next tick: removed once the job has ended.
    const result = failingStream
      .create(["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=50", "--restartDelayMs=10", `--out=${out}`])
      .run();
    // Cancel once the job has published well past the failure (worker 0 dies after 2,000 of its records).
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

  it("a keyed write (numShards and destinations) across a task manager's death: each record published once, at most numShards files per destination per checkpoint", async () => {
    const out = path.join(dir, "keyed");
    process.env.MILLRACE_STREAM_FAULTS = JSON.stringify([{ worker: 1, afterRecords: 2000, kind: "exit", attempt: 0 }]);
    const result = endlessKeyedJson
      .create([
        "--runner=stream",
        "--parallelism=2",
        "--checkpointingIntervalMs=50",
        "--restartDelayMs=10",
        `--out=${out}`,
        "--numShards=3",
      ])
      .run();
    const ids = (): { files: string[]; ids: number[] } => {
      const files = ["even", "odd"].flatMap((d) =>
        fs.existsSync(path.join(out, d))
          ? fs
              .readdirSync(path.join(out, d))
              .filter((n) => !n.startsWith("."))
              .map((n) => path.join(out, d, n))
          : [],
      );
      const all = files.flatMap((f) =>
        fs
          .readFileSync(f, "utf8")
          .split("\n")
          .filter((l) => l.length > 0)
          .map((l) => (JSON.parse(l) as { id: number }).id),
      );
      return { files, ids: all };
    };
    for (;;) {
      if (ids().ids.some((x) => x >= 12_000) || result.state !== "RUNNING") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    result.cancel();
    try {
      expect(await result.waitUntilFinish()).to.equal("CANCELLED");
    } finally {
      delete process.env.MILLRACE_STREAM_FAULTS;
    }
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    const { files, ids: seen } = ids();
    for (const f of files) {
      expect(path.basename(f)).to.match(/^part-checkpoint-\d{10}-0000[012]-of-00003\.jsonl$/);
      const parity = path.basename(path.dirname(f)) === "even" ? 0 : 1;
      for (const id of fs
        .readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => (JSON.parse(l) as { id: number }).id))
        expect(id % 2, f).to.equal(parity);
    }
    expect(new Set(seen).size, "no record published twice").to.equal(seen.length);
    expect(seen.length).to.be.greaterThan(2000);
    expect(
      fs.readdirSync(dir).filter((n) => n.startsWith(".")),
      "nothing unpublished left beside the prefix",
    ).to.deep.equal([]);
  });

  it("the names of the published files reach downstream once each, across a restart between a commit and the next checkpoint", async () => {
    // Only the checkpoints the job needs (no periodic ones): checkpoint 1
    // commits the lines' files, whose names then go to a second sink;
    // checkpoint 2 would commit that sink's file, but a task manager dies
    // at it. The restart restores checkpoint 1, whose pending files were
    // already published: their names must be emitted again (the second
    // sink, restored to checkpoint 1, never saw them), and only once.
    const out = path.join(dir, "lines", "lines");
    const namesOut = path.join(dir, "names", "names");
    process.env.MILLRACE_STREAM_FAULTS = JSON.stringify([{ worker: 0, atCheckpoint: 2, kind: "exit", attempt: 0 }]);
    const result = globalStream
      .create([
        "--runner=stream",
        "--parallelism=2",
        "--checkpointingIntervalMs=0",
        "--restartDelayMs=10",
        `--out=${out}`,
        `--names=${namesOut}`,
        "--lines=200",
      ])
      .run();
    try {
      expect(await result.waitUntilFinish()).to.equal("DONE");
    } finally {
      delete process.env.MILLRACE_STREAM_FAULTS;
    }
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    const files = fs.readdirSync(path.dirname(out)).sort();
    for (const n of files) expect(n).to.match(/^lines-checkpoint-0000000001-0000[01]\.txt$/);
    expect(publishedLines(path.dirname(out))).to.deep.equal(numberedLines(200).sort());
    expect(publishedLines(path.dirname(namesOut)), "each published file named once").to.deep.equal(
      files.map((n) => path.join(path.resolve(path.dirname(out)), n)),
    );
    expect(
      fs.readdirSync(path.dirname(namesOut)).filter((n) => n.startsWith(".")),
      "nothing unpublished left",
    ).to.deep.equal([]);
  });

  it("with periodic checkpoints, names each committed file once across a task manager that dies at a mid-stream checkpoint", async () => {
    const out = path.join(dir, "lines", "lines");
    const namesOut = path.join(dir, "names", "names");
    process.env.MILLRACE_STREAM_FAULTS = JSON.stringify([{ worker: 0, atCheckpoint: 4, kind: "exit", attempt: 0 }]);
    const result = globalStream
      .create([
        "--runner=stream",
        "--parallelism=2",
        "--checkpointingIntervalMs=1",
        "--restartDelayMs=10",
        `--out=${out}`,
        `--names=${namesOut}`,
        "--lines=20000",
      ])
      .run();
    try {
      expect(await result.waitUntilFinish()).to.equal("DONE");
    } finally {
      delete process.env.MILLRACE_STREAM_FAULTS;
    }
    expect(result.metrics().counters["stream/restarts"]).to.equal(1);
    const files = fs.readdirSync(path.dirname(out)).sort();
    expect(publishedLines(path.dirname(out))).to.deep.equal(numberedLines(20000).sort());
    expect(publishedLines(path.dirname(namesOut)), "each published file named once").to.deep.equal(
      files.map((n) => path.join(path.resolve(path.dirname(out)), n)),
    );
  });
});
