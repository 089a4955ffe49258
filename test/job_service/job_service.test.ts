import { expect } from "chai";
import * as http from "node:http";
import { WebSocket } from "ws";
import * as mr from "../../index";
import { JobService } from "../../runners/job_service/job_service";
import { JobServiceClient } from "../../portability/job_api/job_client";
import { RemoteJob } from "../../portability/job_api/remote_job";
import type { JobInfo, ServerMessage } from "../../portability/job_api/job_api_protocol";
import { crashing, endless, failing, printing, slow, sumOfSquares } from "./job_pipelines";

const TOKEN = "test-token-4f1c";

function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

/** A raw WebSocket: the upgrade's HTTP status when refused, or the open socket and its greeting. */
function rawConnect(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; ws?: WebSocket; frames: ServerMessage[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const frames: ServerMessage[] = [];
    ws.on("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, frames });
      ws.terminate();
    });
    ws.on("error", () => undefined);
    ws.on("message", (d) => {
      frames.push(JSON.parse(String(d)) as ServerMessage);
      if (frames.length === 1) resolve({ status: 101, ws, frames });
    });
    setTimeout(() => reject(new Error("no answer")), 20_000).unref();
  });
}

function nextFrame(frames: ServerMessage[], count: number): Promise<ServerMessage> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (frames.length >= count) resolve(frames[count - 1]!);
      else if (Date.now() - started > 20_000) reject(new Error("no reply"));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

async function until<T>(what: string, f: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("job service", function () {
  this.timeout(120_000);
  let service: JobService;
  let args: string[];

  before(async () => {
    service = await JobService.start({ port: 0, token: TOKEN, maxMessageBytes: 4 * 1024 * 1024 });
    args = [`--jobEndpoint=${service.endpoint}`, `--jobToken=${TOKEN}`];
  });
  after(async () => {
    await service.close();
  });

  it("binds to loopback by default", () => {
    expect(service.address.host).to.equal("127.0.0.1");
  });

  for (const runner of ["direct", "microbatch", "stream"]) {
    it(`runs a submitted pipeline on the ${runner} runner, with the same result object as a local run`, async () => {
      const result = sumOfSquares.create([`--runner=${runner}`, ...args]).run();
      expect(result).to.be.instanceOf(RemoteJob);
      expect(result.state).to.equal("RUNNING");
      expect(await result.waitUntilFinish()).to.equal("DONE");
      expect(result.state).to.equal("DONE");
      expect(result.metrics().counters).to.include({ squared: 200, "millrace.testing.assertionsPassed": 1 });
      const job = service.registry.get((result as RemoteJob).jobId!)!;
      expect(job.runner).to.equal(runner);
      expect(job.state).to.equal("DONE");
    });
  }

  // Every other runner the package registers (the stream runner, once it does), except those that
  // submit to an engine (Prism, Flink, Spark, a Beam job service): their own suites run them there.
  for (const runner of mr
    .registeredRunners()
    .map((r) => r.name)
    .filter((r) => !["direct", "microbatch", "portable", "prism", "flink", "spark"].includes(r))) {
    it(`runs a submitted pipeline on the ${runner} runner`, async () => {
      const result = printing.create([`--runner=${runner}`, ...args]).run() as RemoteJob;
      expect(await result.waitUntilFinish()).to.equal("DONE");
      expect(service.registry.get(result.jobId!)!.runner).to.equal(runner);
      expect(service.registry.get(result.jobId!)!.messages.map((m) => m.text)).to.include.members(["printed alpha", "printed beta"]);
    });
  }

  it("takes the token in the endpoint URL too, and echoes the job's own output", async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (String(chunk).startsWith("printed ")) {
        lines.push(String(chunk).trim());
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      const result = printing.create([`--jobEndpoint=${service.endpoint}?token=${TOKEN}`]).run();
      expect(await result.waitUntilFinish()).to.equal("DONE");
    } finally {
      process.stdout.write = write;
    }
    expect(lines.sort()).to.deep.equal(["printed alpha", "printed beta"]);
  });

  it("cancels a streaming job on the direct runner once it runs and reports progress", async () => {
    const result = endless.create(args).run() as RemoteJob;
    const job = await until("progress", () => {
      const j = result.jobId ? service.registry.get(result.jobId) : undefined;
      return j?.progress && j.progress.elementsIn > 0 && Object.keys(j.progress.stages).length > 0 ? j : undefined;
    });
    expect(job.state).to.equal("RUNNING");
    expect(job.progress!.stages).to.have.property("SumPerKey");
    result.cancel();
    expect(await result.waitUntilFinish()).to.equal("CANCELLED");
    expect(job.state).to.equal("CANCELLED");
  });

  it("cancels a running job on the microbatch runner", async () => {
    const result = slow.create(["--runner=microbatch", "--partitions=30", ...args]).run() as RemoteJob;
    await until("running", () => result.jobId && service.registry.get(result.jobId)?.state === "RUNNING");
    result.cancel();
    expect(await result.waitUntilFinish()).to.equal("CANCELLED");
  });

  it("cancels a streaming job on the stream runner, with checkpoints reported while it runs", async () => {
    const result = endless.create(["--runner=stream", "--parallelism=2", "--checkpointingIntervalMs=100", ...args]).run() as RemoteJob;
    const job = await until("checkpoints", () => {
      const j = result.jobId ? service.registry.get(result.jobId) : undefined;
      return j?.progress && j.progress.elementsIn > 0 && j.progress.recentCheckpoints.length > 0 ? j : undefined;
    });
    expect(job.state).to.equal("RUNNING");
    expect(job.progress!.recentCheckpoints[0]!.sizeBytes).to.be.greaterThan(0);
    result.cancel();
    expect(await result.waitUntilFinish()).to.equal("CANCELLED");
  });

  it("fails a job whose code throws, naming the transform, while another job runs to the end", async () => {
    const bad = failing.create(args).run();
    const good = sumOfSquares.create(args).run();
    const error = await bad.waitUntilFinish().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(mr.PipelineExecutionError);
    expect((error as mr.PipelineExecutionError).transform).to.equal("Explode");
    expect((error as Error).message).to.include("thirteen is unlucky");
    expect(bad.state).to.equal("FAILED");
    expect(await good.waitUntilFinish()).to.equal("DONE");
  });

  it("survives a job that kills its own process; the next job runs", async () => {
    const error = await crashing
      .create(args)
      .run()
      .waitUntilFinish()
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).to.include("the job's process exited with code 3 before the job ended");
    expect(await sumOfSquares.create(args).run().waitUntilFinish()).to.equal("DONE");
  });

  it("refuses HTTP and WebSocket connections without the right token, before reading anything", async () => {
    const jobsBefore = service.registry.all().length;
    const base = `http://127.0.0.1:${service.address.port}`;
    expect((await httpGet(`${base}/`)).status).to.equal(401);
    expect((await httpGet(`${base}/?token=wrong`)).status).to.equal(401);
    expect((await httpGet(`${base}/api/jobs`, { authorization: "Bearer nope" })).status).to.equal(401);
    expect((await httpGet(`${base}/?token=${TOKEN}`)).status).to.equal(200);
    expect((await httpGet(`${base}/api/jobs`, { authorization: `Bearer ${TOKEN}` })).status).to.equal(200);
    expect((await rawConnect(service.endpoint)).status).to.equal(401);
    expect((await rawConnect(`${service.endpoint}/?token=wrong`)).status).to.equal(401);
    expect((await rawConnect(service.endpoint, { authorization: "Bearer wrong" })).status).to.equal(401);
    // A pipeline submitted with a wrong token fails clearly, and nothing runs.
    const error = await sumOfSquares
      .create([`--jobEndpoint=${service.endpoint}`, "--jobToken=wrong"])
      .run()
      .waitUntilFinish()
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).to.include("refused the connection: wrong or missing token");
    const noToken = await sumOfSquares
      .create([`--jobEndpoint=${service.endpoint}`])
      .run()
      .waitUntilFinish()
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(noToken?.message).to.include("no token for the job service");
    expect(service.registry.all().length).to.equal(jobsBefore);
  });

  it("answers malformed messages with a clear error and keeps the connection", async () => {
    const { ws, frames } = await rawConnect(service.endpoint, { authorization: `Bearer ${TOKEN}` });
    expect(frames[0]).to.include({ type: "hello", maxMessageBytes: 4 * 1024 * 1024 });
    ws!.send("this is not json");
    expect(await nextFrame(frames, 2))
      .to.deep.include({ type: "error", id: null })
      .and.have.property("message")
      .that.includes("malformed message: not JSON");
    ws!.send(JSON.stringify({ id: 7, type: "launch" }));
    expect(((await nextFrame(frames, 3)) as { message: string }).message).to.include('unknown message type "launch"');
    ws!.send(JSON.stringify({ id: 8, type: "prepare", jobName: "x", pipeline: "!!!", options: {} }));
    expect(await nextFrame(frames, 4)).to.deep.equal({ type: "error", id: 8, message: "malformed pipeline: not base64" });
    ws!.send(
      JSON.stringify({ id: 9, type: "prepare", jobName: "x", pipeline: Buffer.from("garbage bytes").toString("base64"), options: {} }),
    );
    expect(((await nextFrame(frames, 5)) as { message: string }).message).to.match(/^invalid pipeline: /);
    ws!.send(JSON.stringify({ id: 10, type: "prepare", jobName: "x", pipeline: "", options: { runner: "dataflow" } }));
    expect(((await nextFrame(frames, 6)) as { message: string }).message).to.match(
      /^unknown runner 'dataflow'; this job service runs: direct, microbatch/,
    );
    ws!.send(JSON.stringify({ id: 11, type: "getState", jobId: "job-999" }));
    expect(await nextFrame(frames, 7)).to.deep.equal({ type: "error", id: 11, message: "no job 'job-999'" });
    ws!.send(Buffer.from([1, 2, 3]));
    expect(((await nextFrame(frames, 8)) as { message: string }).message).to.include("binary messages are not accepted");
    ws!.send(JSON.stringify({ id: 12, type: "getJobs" }));
    const jobs = (await nextFrame(frames, 9)) as unknown as { type: string; jobs: JobInfo[] };
    expect(jobs.type).to.equal("getJobsResponse");
    expect(jobs.jobs.length).to.be.greaterThan(0);
    ws!.close();
  });

  it("closes a connection that sends an oversized message, and goes on serving others", async () => {
    const { ws } = await rawConnect(service.endpoint, { authorization: `Bearer ${TOKEN}` });
    const closed = new Promise<number>((resolve) => ws!.on("close", (code) => resolve(code)));
    ws!.send(JSON.stringify({ id: 1, type: "getJobs", padding: "x".repeat(5 * 1024 * 1024) }));
    expect(await closed).to.equal(1009);
    // The client refuses to send what the service would refuse, with a clear message.
    const client = await JobServiceClient.connect(service.endpoint, TOKEN);
    const error = await client.request({ type: "prepare", jobName: "big", pipeline: "A".repeat(5 * 1024 * 1024), options: {} }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.match(/the prepare message is \d+ bytes, more than the job service accepts \(4194304 bytes/);
    const state = await client.request({ type: "getJobs" }, "getJobsResponse");
    expect(state.jobs.length).to.be.greaterThan(0);
    client.close();
    expect(await sumOfSquares.create(args).run().waitUntilFinish()).to.equal("DONE");
  });
});
