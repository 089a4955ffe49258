// More than one machine, simulated: a Flink session cluster of one
// JobManager and two TaskManagers (separate JVMs on loopback), the job
// submitted with --runner=flink --flinkMaster=<the cluster>, the SDK harness
// started by each TaskManager (PROCESS). The keyed, windowed pipeline's
// output equals the direct runner's and its keyed stage read records on both
// TaskManagers (Flink's REST API). npm run cluster:demo runs the same.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runClusterDemo } from "../../examples/cluster_demo";
import { processIsAlive } from "../../runners/core/process_is_alive";

describe("engines: a Flink session cluster of two TaskManagers", () => {
  it("runs hourly team scores across both TaskManagers with the direct runner's output, and stops every process", async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-cluster-test-"));
    const result = await runClusterDemo("millrace", workDir);
    expect(result.differences).to.deep.equal([]);
    expect(result.outputLines).to.be.greaterThan(12);
    const tms = Object.entries(result.keyedRecordsByTaskManager);
    expect(tms.map(([id]) => id).sort()).to.deep.equal(["taskmanager-1", "taskmanager-2"]);
    for (const [id, records] of tms) expect(records, `records read by the keyed stage on ${id}`).to.be.greaterThan(0);
    for (const pid of result.pids) expect(processIsAlive(pid), `cluster process ${pid} still alive`).to.equal(false);
  });
});
