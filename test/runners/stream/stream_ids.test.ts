/** The stream runner's job run id, which names its transactional files, is a UUID v7 kept in the checkpoint directory. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isTimeOrderedId } from "../../../runners/core/ids";
import { wordCount } from "../../fixtures/stream_pipelines";

describe("stream runner: ids", function () {
  this.timeout(120_000);

  it("records a time-ordered job run id in the checkpoint directory", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-stream-ids-"));
    try {
      const result = wordCount.create(["--runner=stream", "--parallelism=1", "--words=50", `--checkpointDir=${dir}`]).run();
      expect(await result.waitUntilFinish()).to.equal("DONE");
      const { jobRunId } = JSON.parse(fs.readFileSync(path.join(dir, "job.json"), "utf8")) as { jobRunId: string };
      expect(isTimeOrderedId(jobRunId), jobRunId).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
