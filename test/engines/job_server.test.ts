import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BeamServices, beamServiceDefinition, createClient, unaryCall, waitForReady } from "../../portability/grpc";
import { processIsAlive } from "../../runners/core/process_is_alive";
import { portAccepts } from "../../runners/portable/engines/free_port";
import { BEAM_ENGINE_VERSION, type EngineName } from "../../runners/portable/engines/engine_classpath";
import { startJobServer } from "../../runners/portable/engines/job_server";

/** Asks the job server for its jobs over Beam's Job API: a server that answers this is serving, not just listening. */
async function jobsKnownTo(endpoint: string): Promise<unknown[]> {
  const client = createClient(beamServiceDefinition(BeamServices.JobService), BeamServices.JobService, endpoint);
  try {
    await waitForReady(client, `job service at ${endpoint}`, 60_000);
    const res = await unaryCall<{ jobInfo?: unknown[] }>(client, "GetJobs", {}, { timeoutMs: 60_000 });
    return res.jobInfo ?? [];
  } finally {
    client.close();
  }
}

/** Resolves once `pid` no longer exists (the kernel may reap a moment after the exit event). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && processIsAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !processIsAlive(pid);
}

describe("engines: Beam's job servers started from Node (scripts/engines.sh prepare flink spark first)", function () {
  for (const engine of ["flink", "spark"] as EngineName[]) {
    it(`${engine}: serves the Job API on a loopback port, and stop() ends the process and frees the port`, async () => {
      const server = await startJobServer(engine);
      let stopped = false;
      try {
        expect(server.endpoint).to.match(/^127\.0\.0\.1:\d+$/);
        expect(await jobsKnownTo(server.endpoint)).to.deep.equal([]);
        await server.stop();
        stopped = true;
        expect(await gone(server.pid), "job server process still alive after stop()").to.equal(true);
        expect(await portAccepts(Number(server.endpoint.split(":")[1]))).to.equal(false);
        await server.stop(); // idempotent
      } finally {
        if (!stopped) await server.stop();
      }
    });
  }

  it("two job servers of the same engine run side by side (every port, the expansion one too, is picked free)", async () => {
    const [a, b] = await Promise.all([startJobServer("flink"), startJobServer("flink")]);
    try {
      expect(a.endpoint).to.not.equal(b.endpoint);
      expect(await jobsKnownTo(a.endpoint)).to.deep.equal([]);
      expect(await jobsKnownTo(b.endpoint)).to.deep.equal([]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("a classpath that was never prepared is refused with the command that prepares it", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-no-engines-"));
    let error: Error | undefined;
    await startJobServer("spark", { cacheDir: empty }).catch((e: Error) => (error = e));
    expect(error?.message).to.contain("scripts/engines.sh prepare spark");
    expect(error?.message).to.contain(path.join(empty, `beam-${BEAM_ENGINE_VERSION}-spark`, "lib"));
  });

  it("a job server that dies while starting rejects with its own last words instead of waiting out the timeout", async () => {
    // A prepared-looking classpath with no jars: java cannot find the driver class and exits at once.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-broken-engines-"));
    const lib = path.join(cache, `beam-${BEAM_ENGINE_VERSION}-flink`, "lib");
    fs.mkdirSync(lib, { recursive: true });
    fs.writeFileSync(path.join(lib, ".complete"), "");
    let error: Error | undefined;
    await startJobServer("flink", { cacheDir: cache, startTimeoutMs: 600_000 }).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/flink job server exited with code 1 before port \d+ accepted/);
    expect(error?.message).to.contain("FlinkJobServerDriver");
  });

  it("aborting the start stops the half-started server", async () => {
    const controller = new AbortController();
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-abort-"));
    const marker = `-Dmillrace.test=${path.basename(logDir)}`;
    const starting = startJobServer("spark", { signal: controller.signal, logDir, jvmOptions: [marker] });
    // Abort once the JVM is running (its log has output), before or after the port opens: either way nothing may be left.
    while (!fs.existsSync(path.join(logDir, "spark-job-server.log")) || fs.statSync(path.join(logDir, "spark-job-server.log")).size === 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    const outcome = await starting.then(
      async (s) => {
        await s.stop();
        return s.pid;
      },
      (e: Error) => e,
    );
    if (outcome instanceof Error) expect(outcome.message).to.contain("starting the spark job server was cancelled");
    const cmdline = (pid: string) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        return "";
      }
    };
    const pids = fs
      .readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => cmdline(p).includes(marker));
    expect(pids).to.deep.equal([]);
  });
});
