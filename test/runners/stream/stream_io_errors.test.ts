/** IO failures of the stream runner's file sink name the sink and the file, not the transform upstream in its fused stage. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as mr from "../../../index";
import { failingStream } from "../../fixtures/write_text_pipelines";
import { withIoFailure } from "../../../portability/harness/io_failure";
import { RunnerCheckError } from "../../../portability/harness/user_code_error";

describe("stream runner: sink IO errors", function () {
  this.timeout(60_000);
  let dir = "";
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-stream-io-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a sink that cannot create its directory is blamed, naming the path and the error code's meaning", async () => {
    fs.writeFileSync(path.join(dir, "blocker"), "a file where a directory should be");
    const out = path.join(dir, "blocker", "sub", "out");
    let caught: unknown;
    try {
      // Unbounded input: the two-phase-commit sink, fused after Format (bounded input is written in shards by Write/WriteShards, as on every runner).
      await failingStream
        .create(["--runner=stream", "--restartAttempts=0", `--out=${out}`])
        .run()
        .waitUntilFinish();
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(mr.PipelineExecutionError);
    const err = caught as mr.PipelineExecutionError;
    expect(err.transform).to.equal("Write");
    expect(err.message).to.contain(
      `'Write' cannot create the directory '${path.dirname(out)}' (ENOTDIR: a parent of the path is not a directory)`,
    );
    expect(err.message).to.not.contain("'Format'");
  });

  it("a full disk (ENOSPC, from /dev/full) is reported as such, naming the transform and the file", () => {
    let caught: unknown;
    try {
      withIoFailure("Write", "write", "/dev/full", () => fs.writeFileSync("/dev/full", "a line\n"));
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(RunnerCheckError);
    expect((caught as RunnerCheckError).transform).to.equal("Write");
    expect((caught as Error).message).to.equal("'Write' cannot write '/dev/full' (ENOSPC: the disk is full)");
  });
});
