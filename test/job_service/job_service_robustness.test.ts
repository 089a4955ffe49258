import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { WebSocket } from "ws";
import * as mr from "../../index";
import { JobService } from "../../runners/job_service/job_service";
import { JobServiceClient } from "../../portability/job_api/job_client";
import type { RemoteJob } from "../../portability/job_api/remote_job";
import type { ServerMessage } from "../../portability/job_api/job_api_protocol";
import { busy, chatty, envReading, failing, flooding, sumOfSquares } from "./job_pipelines";
import { seededRandom } from "../support/seeded_random";

const TOKEN = "robust-token-77";

async function until<T>(what: string, f: () => T | undefined | false, tries = 1200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A raw HTTP request with the path sent as is (as `curl --path-as-is`); resolves with the status, or 0 when the connection broke. */
function rawRequest(port: number, method: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      const head = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("");
      socket.write(`${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${head}connection: close\r\n\r\n`);
    });
    let text = "";
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on("error", () => undefined);
  });
}

/** Keeps the lines this process writes to stdout that start with `prefix` from the terminal, until `stop()`. */
function captureStdout(prefix: string): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.startsWith(prefix)) {
      lines.push(...text.split("\n").filter((l) => l !== ""));
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  return { lines, stop: () => void (process.stdout.write = write) };
}

/** The lines starting with `prefix` written to stdout while `f` runs (kept from the terminal). */
async function capturingStdout<T>(prefix: string, f: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const capture = captureStdout(prefix);
  try {
    return { value: await f(), lines: capture.lines };
  } finally {
    capture.stop();
  }
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("job service robustness", function () {
  this.timeout(180_000);
  let service: JobService;
  let args: string[];

  before(async () => {
    service = await JobService.start({ port: 0, token: TOKEN, outputLimits: { maxLineBytes: 4096, maxTotalBytes: 8 * 1024 * 1024 } });
    args = [`--jobEndpoint=${service.endpoint}`, `--jobToken=${TOKEN}`];
  });
  after(async () => {
    await service.close();
  });

  it("answers an authenticated GET // (once an uncaught 'Invalid URL') with 404, and serves on", async () => {
    const port = service.address.port;
    expect(await rawRequest(port, "GET", "//", { authorization: `Bearer ${TOKEN}` })).to.equal(404);
    expect(await rawRequest(port, "GET", `//?token=${TOKEN}`)).to.equal(404);
    expect(await rawRequest(port, "GET", `/?token=${TOKEN}`)).to.equal(200);
  });

  it("holds 2,000 slow connections (headers never finished) and still answers an authenticated client and runs a job intact", async () => {
    const port = service.address.port;
    const sockets: net.Socket[] = [];
    try {
      // Slowloris: each connection sends part of a request's headers, then nothing.
      const opened = await Promise.all(
        Array.from(
          { length: 2000 },
          () =>
            new Promise<boolean>((resolve) => {
              const s = net.connect(port, "127.0.0.1", () => {
                s.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
                resolve(true);
              });
              s.on("error", () => resolve(false));
              sockets.push(s);
            }),
        ),
      );
      expect(opened.filter((o) => o).length, "slow connections open").to.equal(2000);
      const running = sumOfSquares.create(args).run();
      expect(await rawRequest(port, "GET", `/?token=${TOKEN}`)).to.equal(200);
      expect(await running.waitUntilFinish()).to.equal("DONE");
      expect(running.metrics().counters["squared"], "every element of the job counted once").to.equal(200);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it("survives fuzzed routes and messages: every request is answered or refused, and a job still runs", async () => {
    const random = seededRandom(18);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const port = service.address.port;
    const pieces = [
      "/",
      "//",
      "///",
      "/..",
      "/%",
      "/%zz",
      "/%00",
      "/api/jobs",
      "/index.html",
      "?",
      "#",
      "?token=",
      `?token=${TOKEN}`,
      "&",
      "é",
      "\\",
      "@",
      ":",
      "http://x",
      "*",
    ];
    const methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "BREW"];
    for (let i = 0; i < 300; i++) {
      let target = "";
      for (let n = 1 + Math.floor(random() * 5); n > 0; n--) target += pick(pieces);
      const headers: Record<string, string> = random() < 0.6 ? { authorization: `Bearer ${TOKEN}` } : {};
      const status = await rawRequest(port, pick(methods), encodeURI(target).replace(/%25/g, "%"), headers);
      expect(status, `${target}`).to.be.oneOf([0, 200, 400, 401, 404, 405]);
    }
    const valid: Record<string, unknown>[] = [
      { type: "getJobs" },
      { type: "getState", jobId: "job-1" },
      { type: "getMetrics", jobId: "job-1" },
      { type: "getPipelineGraph", jobId: "job-1" },
      { type: "getMessageStream", jobId: "job-1" },
      { type: "cancel", jobId: "job-99" },
      { type: "watch" },
      { type: "run", preparationId: "nope", stream: true },
      { type: "stageArtifact", preparationId: "nope", name: "pipeline.bundle.mjs", sha256: "00", data: "AAAA" },
      {
        type: "prepare",
        jobName: "fuzz",
        pipeline: Buffer.from(mr.portability.toProto(sumOfSquares.create())).toString("base64"),
        options: {},
      },
    ];
    const junk: unknown[] = [null, 0, -1, 1e308, "", "x", true, [], {}, [1, 2], { a: 1 }, "job-1", "__proto__", Number.NaN];
    const ws = new WebSocket(service.endpoint, { headers: { authorization: `Bearer ${TOKEN}` } });
    const frames: ServerMessage[] = [];
    ws.on("message", (d) => frames.push(JSON.parse(String(d)) as ServerMessage));
    await new Promise((resolve) => ws.once("open", resolve));
    let sent = 0;
    for (let i = 0; i < 400; i++) {
      const msg: Record<string, unknown> = { ...pick(valid), id: i };
      const keys = Object.keys(msg);
      for (let n = Math.floor(random() * 3); n > 0; n--) {
        const r = random();
        if (r < 0.4) msg[pick(keys)] = pick(junk);
        else if (r < 0.6) delete msg[pick(keys)];
        else if (r < 0.8) msg[pick(["options", "file", "stream", "extra", "constructor"])] = pick(junk);
        else msg.type = pick(["prepare", "run", "cancel", "getJobs", "toString", "hasOwnProperty", "constructor"]);
      }
      const text = random() < 0.1 ? JSON.stringify(msg).slice(0, Math.floor(random() * 40)) : JSON.stringify(msg);
      ws.send(text);
      sent++;
    }
    // Every request gets its answer (or an error) on a connection that stays open; prepares are answered once planned.
    await until("a reply to every request", () => frames.filter((f) => "id" in f).length >= sent);
    expect(ws.readyState).to.equal(WebSocket.OPEN);
    ws.close();
    expect(await rawRequest(port, "GET", "/api/jobs", { authorization: `Bearer ${TOKEN}` })).to.equal(200);
    expect(await sumOfSquares.create(args).run().waitUntilFinish()).to.equal("DONE");
  });

  it("cuts a job's endless line and bounds its output; the job ends as it should and the service serves on", async () => {
    const result = flooding.create(args).run() as RemoteJob;
    const { value: state } = await capturingStdout("", () => result.waitUntilFinish());
    expect(state).to.equal("DONE");
    const texts = service.registry.get(result.jobId!)!.messages.map((m) => m.text);
    const cut = texts.find((t) => t.startsWith("xxxx"));
    expect(cut).to.have.length.below(4096 + 200);
    expect(cut).to.include(`${3 * 1024 * 1024 - 4096} more bytes of this line cut`);
    expect(texts).to.include("flood over");
    expect(await sumOfSquares.create(args).run().waitUntilFinish()).to.equal("DONE");
  });

  for (const runner of ["direct", "microbatch", "stream"]) {
    it(`delivers every line a job prints before it ends, on the ${runner} runner (20,000 lines)`, async () => {
      const { value: state, lines } = await capturingStdout("chatty ", () =>
        chatty
          .create([`--runner=${runner}`, ...args])
          .run()
          .waitUntilFinish(),
      );
      expect(state).to.equal("DONE");
      expect(lines).to.have.length(20_000);
      expect(new Set(lines).size).to.equal(20_000);
    });
  }

  it("plans a large pipeline off its event loop: other clients are answered meanwhile; a proto over the limit is refused", async () => {
    const p = mr.Pipeline.create();
    let pc = p.apply("Numbers", mr.create([1, 2, 3]));
    for (let i = 0; i < 4000; i++)
      pc = pc.apply(
        `Step${i}`,
        mr.map((x: number) => x + 1),
      );
    const proto = Buffer.from(mr.portability.toProto(p)).toString("base64");
    const client = await JobServiceClient.connect(service.endpoint, TOKEN);
    const order: string[] = [];
    const prepared = client
      .request({ type: "prepare", jobName: "large", pipeline: proto, options: {} }, "prepareResponse")
      .then(() => order.push("prepare"));
    const listed = client.request({ type: "getJobs" }, "getJobsResponse").then(() => order.push("getJobs"));
    await Promise.all([prepared, listed]);
    expect(order).to.deep.equal(["getJobs", "prepare"]);
    client.close();

    const small = await JobService.start({ port: 0, token: TOKEN, maxPipelineBytes: 2048 });
    try {
      const c = await JobServiceClient.connect(small.endpoint, TOKEN);
      const error = await c.request({ type: "prepare", jobName: "large", pipeline: proto, options: {} }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.match(/^invalid pipeline: the pipeline proto is \d+ bytes, more than this job service plans \(2048 bytes/);
      c.close();
    } finally {
      await small.close();
    }
  });

  it("gives jobs a clean environment: only the variables --jobEnv allows", async () => {
    process.env.MILLRACE_TEST_SECRET = "s3cret";
    try {
      const seen = async (s: JobService): Promise<string[]> => {
        const { lines } = await capturingStdout("secret seen", () =>
          envReading
            .create([`--jobEndpoint=${s.endpoint}`, `--jobToken=${TOKEN}`])
            .run()
            .waitUntilFinish(),
        );
        return lines;
      };
      expect(await seen(service)).to.deep.equal(["secret seen: none"]);
      const allowing = await JobService.start({ port: 0, token: TOKEN, jobEnv: ["MILLRACE_TEST_*"] });
      try {
        expect(await seen(allowing)).to.deep.equal(["secret seen: s3cret"]);
      } finally {
        await allowing.close();
      }
    } finally {
      delete process.env.MILLRACE_TEST_SECRET;
    }
  });

  it("names a job after its pipeline and file, and maps its stack traces to the user's file", async () => {
    const result = failing.create(args).run() as RemoteJob;
    const error = await result.waitUntilFinish().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const job = service.registry.get(result.jobId!)!;
    expect(job.jobName).to.equal("failing");
    expect(job.file).to.match(/job_pipelines\.(ts|js)$/);
    expect(error?.message).to.match(/at .*job_pipelines\.ts:\d+:\d+/);
    expect(error?.message).not.to.include("pipeline.bundle");
    const named = sumOfSquares.create([...args, "--jobName=nightly"]).run() as RemoteJob;
    await named.waitUntilFinish();
    expect(service.registry.get(named.jobId!)!.jobName).to.equal("nightly");
  });

  it("when the service is killed, a busy job's process goes too, and the next service removes the dead one's staging folder", async () => {
    const entry = path.join(__dirname, "service_process.js");
    // A temporary folder of its own: another job service starting meanwhile (a test run beside this one) would
    // rightly remove the killed service's folder from the shared one before this test looks.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-staging-test-"));
    const child = spawn(process.execPath, [entry], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, SERVICE_TEST_TOKEN: TOKEN, TMPDIR: tmp },
    });
    const started = await new Promise<{ endpoint: string; stagingDir: string }>((resolve, reject) => {
      let text = "";
      child.stdout!.on("data", (d) => {
        text += String(d);
        if (text.includes("\n")) resolve(JSON.parse(text.split("\n")[0]!) as { endpoint: string; stagingDir: string });
      });
      child.once("exit", () => reject(new Error("the service process exited")));
    });
    const capture = captureStdout("busy pid");
    let jobPid: number;
    try {
      const result = busy.create([`--jobEndpoint=${started.endpoint}`, `--jobToken=${TOKEN}`]).run();
      result.waitUntilFinish().catch(() => undefined);
      jobPid = await until("the job's pid", () => capture.lines.length > 0 && Number(capture.lines[0]!.split(" ")[2]));
    } finally {
      capture.stop();
    }
    expect(fs.existsSync(started.stagingDir)).to.equal(true);
    child.kill("SIGKILL");
    await until("the job's process to end", () => !pidIsAlive(jobPid), 2400);
    expect(fs.existsSync(started.stagingDir)).to.equal(true);
    const sharedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    let next: JobService | undefined;
    try {
      next = await JobService.start({ port: 0, token: TOKEN });
      expect(fs.existsSync(started.stagingDir)).to.equal(false);
      expect(path.dirname(next.stagingDir)).to.equal(tmp);
    } finally {
      if (sharedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = sharedTmp;
      await next?.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
