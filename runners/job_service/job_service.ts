/**
 * The job service: one port, HTTP for the dashboard and WebSocket for the
 * Job API (see job_api_protocol.ts). Every connection must carry the token
 * (access_token.ts) and is refused before anything else is read; messages
 * are limited in size and checked, and a bad one is answered with an error
 * without harming the connection, let alone the service. Each job runs in a
 * process of its own (job_process.ts).
 *
 * Nothing a client or a job sends may throw past its handler: every entry
 * point (HTTP request, upgrade, WebSocket message, a job's reports and
 * output) has one catch at its edge that fails that request or that job,
 * and the service goes on.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket, type RawData } from "ws";
import { findRunner, registeredRunners } from "../../sdk/options/runner_registry";
import {
  PIPELINE_BUNDLE_ARTIFACT,
  PROTOCOL_VERSION,
  ProtocolError,
  decodeBase64,
  parseClientRequest,
  type ClientRequest,
  type PipelineGraph,
  type ServerMessage,
} from "../../portability/job_api/job_api_protocol";
import { JobRegistry, type JobRecord } from "./job_registry";
import { newTimeOrderedId } from "../core/ids";
import { ArtifactStaging } from "./artifact_staging";
import { startJobProcess, type JobProcess, type JobProcessSettings } from "./job_process";
import { PipelinePlanner } from "./pipeline_planner";
import { writeWorkerStdioPreload } from "./worker_stdio";
import type { OutputLimits } from "./bounded_lines";
import { generateToken, presentedToken, tokenMatches } from "./access_token";
import { serveDashboard } from "./dashboard";

/** How the service starts. */
export interface JobServiceOptions {
  /** Interface to bind; loopback by default. */
  readonly host?: string;
  /** Port; 8099 by default, 0 for any free port. */
  readonly port?: number;
  /** The secret every connection must present; a random one by default. */
  readonly token?: string;
  /** The largest WebSocket message accepted, in bytes (64 MiB by default). */
  readonly maxMessageBytes?: number;
  /** Where artifacts are staged; a fresh temporary folder by default. */
  readonly stagingDir?: string;
  /** The largest pipeline proto planned, bytes (16 MiB by default). */
  readonly maxPipelineBytes?: number;
  /**
   * Names of the service's environment variables that jobs see, besides the
   * few every job gets (PATH, HOME, TMPDIR, locale, TZ); a trailing `*`
   * allows a prefix. Jobs get a clean environment otherwise.
   */
  readonly jobEnv?: readonly string[];
  /** Limits on what is read of each job's stdout and stderr (64 KiB a line, 64 MiB a stream by default). */
  readonly outputLimits?: OutputLimits;
}

/** The default port, as Beam's job servers use. */
export const DEFAULT_JOB_SERVICE_PORT = 8099;

/** The default limit on one message. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** How long a prepared job waits for `run` before its staged artifacts are dropped, ms. */
const PREPARATION_TTL_MS = 10 * 60_000;

/** Beyond this many bytes queued to a slow client, progress and metrics events to it are skipped (state events never are). */
const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;

/** Beyond this many bytes queued to a client that does not read, a job's log lines to it are skipped too: memory is bounded. */
const SLOW_CLIENT_LOG_BYTES = 128 * 1024 * 1024;

interface Preparation {
  readonly jobName: string;
  readonly file?: string;
  readonly runner: string;
  readonly pipelineProto: Uint8Array;
  readonly options: Record<string, string | number | boolean>;
  readonly graph: PipelineGraph;
  readonly expiry: NodeJS.Timeout;
}

const UNAUTHORIZED =
  "missing or wrong token: connect with the token the job service printed at start (Authorization: Bearer <token>, or ?token=<token>)";

/** A running job service. Start one with {@link JobService.start}. */
export class JobService {
  /** Every job, with its state, log, metrics and progress. */
  readonly registry = new JobRegistry();
  private readonly staging: ArtifactStaging;
  private readonly preparations = new Map<string, Preparation>();
  private readonly processes = new Map<string, JobProcess>();
  private readonly wss: WebSocketServer;
  private readonly planner: PipelinePlanner;
  private readonly processSettings: JobProcessSettings;

  private constructor(
    private readonly server: http.Server,
    /** The secret. */
    readonly token: string,
    private readonly maxMessageBytes: number,
    options: JobServiceOptions,
  ) {
    this.staging = new ArtifactStaging(options.stagingDir);
    this.planner = new PipelinePlanner(options.maxPipelineBytes);
    this.processSettings = {
      ...(options.jobEnv ? { jobEnv: options.jobEnv } : {}),
      ...(options.outputLimits ? { outputLimits: options.outputLimits } : {}),
      workerStdioPreload: writeWorkerStdioPreload(this.staging.root),
    };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
    this.wss.on("connection", (ws) => this.onConnection(ws));
    server.on("request", (req, res) => this.onHttpRequest(req, res));
    server.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  /** Starts a service and resolves once it listens. */
  static async start(options: JobServiceOptions = {}): Promise<JobService> {
    const server = http.createServer();
    const service = new JobService(server, options.token ?? generateToken(), options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, options);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? DEFAULT_JOB_SERVICE_PORT, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return service;
  }

  /** The folder where it stages jobs' artifacts (removed when it closes). */
  get stagingDir(): string {
    return this.staging.root;
  }

  /** The address it listens on. */
  get address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: a.family === "IPv6" ? `[${a.address}]` : a.address, port: a.port };
  }

  /** The `--jobEndpoint` value for pipelines: `ws://host:port`. */
  get endpoint(): string {
    return `ws://${this.address.host}:${this.address.port}`;
  }

  /** The dashboard's address, token included. */
  get dashboardUrl(): string {
    return `http://${this.address.host}:${this.address.port}/?token=${encodeURIComponent(this.token)}`;
  }

  /** Stops accepting connections, kills running jobs' processes and removes staged artifacts. */
  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    for (const p of this.preparations.values()) clearTimeout(p.expiry);
    const exits = [...this.processes.values()].map((p) => {
      p.kill();
      return p.exited;
    });
    await Promise.all(exits);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Idle keep-alive connections (a dashboard tab) would otherwise hold the close up.
    this.server.closeAllConnections();
    await closed;
    this.staging.discardAll();
  }

  // ---- HTTP ----

  private onHttpRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    try {
      if (!tokenMatches(this.token, presentedToken(req))) {
        res.writeHead(401, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(UNAUTHORIZED + "\n");
        return;
      }
      serveDashboard(req, res, this.registry);
    } catch (e) {
      failRequest(res, e);
    }
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => undefined);
    try {
      if (!tokenMatches(this.token, presentedToken(req))) {
        const body = UNAUTHORIZED + "\n";
        socket.end(
          `HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
    } catch {
      socket.destroy();
    }
  }

  // ---- WebSocket ----

  private onConnection(ws: WebSocket): void {
    const send = (msg: ServerMessage): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const droppable = msg.type === "progressEvent" || msg.type === "metricsEvent";
      if (droppable && ws.bufferedAmount > SLOW_CLIENT_BYTES) return;
      if (msg.type === "messageEvent" && ws.bufferedAmount > SLOW_CLIENT_LOG_BYTES) return;
      try {
        ws.send(JSON.stringify(msg));
      } catch {
        // A message that cannot be sent ends this connection, never the service.
        ws.terminate();
      }
    };
    const streams = new Set<string>();
    let watching = false;
    const onState = (job: JobRecord): void => {
      if (streams.has(job.jobId))
        send({
          type: "stateEvent",
          jobId: job.jobId,
          state: job.state,
          timestamp: job.stateAt,
          ...(job.failure ? { failure: job.failure } : {}),
        });
      if (watching) send({ type: "jobEvent", job: JobRegistry.info(job) });
    };
    const onMessage = (job: JobRecord, message: JobRecord["messages"][number]): void => {
      if (streams.has(job.jobId)) send({ type: "messageEvent", jobId: job.jobId, message });
    };
    const onMetrics = (job: JobRecord): void => {
      if (streams.has(job.jobId)) send({ type: "metricsEvent", jobId: job.jobId, metrics: job.metrics });
    };
    const onProgress = (job: JobRecord): void => {
      if (watching && job.progress) send({ type: "progressEvent", jobId: job.jobId, progress: job.progress });
    };
    this.registry.on("state", onState);
    this.registry.on("message", onMessage);
    this.registry.on("metrics", onMetrics);
    this.registry.on("progress", onProgress);
    ws.on("close", () => {
      this.registry.off("state", onState);
      this.registry.off("message", onMessage);
      this.registry.off("metrics", onMetrics);
      this.registry.off("progress", onProgress);
    });
    // A frame over the limit, or a broken frame: ws closes the connection (1009 / 1002); nothing else is affected.
    ws.on("error", () => undefined);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        send({ type: "error", id: null, message: "binary messages are not accepted: send JSON text messages" });
        return;
      }
      let request: ClientRequest;
      try {
        request = parseClientRequest(rawText(data));
      } catch (e) {
        send({ type: "error", id: e instanceof ProtocolError ? e.id : null, message: e instanceof Error ? e.message : String(e) });
        return;
      }
      const fail = (e: unknown): void => send({ type: "error", id: request.id, message: e instanceof Error ? e.message : String(e) });
      try {
        this.handle(request, send, {
          stream: (jobId) => streams.add(jobId),
          watch: () => (watching = true),
        }).catch(fail);
      } catch (e) {
        fail(e);
      }
    });
    send({
      type: "hello",
      protocol: PROTOCOL_VERSION,
      maxMessageBytes: this.maxMessageBytes,
      runners: registeredRunners().map((r) => r.name),
    });
  }

  private job(request: { id: number; jobId: string }): JobRecord {
    const job = this.registry.get(request.jobId);
    if (!job) throw new ProtocolError(`no job '${request.jobId}'`, request.id);
    return job;
  }

  private async handle(
    request: ClientRequest,
    send: (msg: ServerMessage) => void,
    subscribe: { stream(jobId: string): void; watch(): void },
  ): Promise<void> {
    switch (request.type) {
      case "prepare": {
        const runner = String(request.options.runner ?? "direct");
        if (!findRunner(runner))
          throw new Error(
            `unknown runner '${runner}'; this job service runs: ${registeredRunners()
              .map((r) => r.name)
              .join(", ")}`,
          );
        const pipelineProto = decodeBase64(request.pipeline, "pipeline", request.id);
        let graph: PipelineGraph;
        try {
          graph = await this.planner.plan(pipelineProto, runner);
        } catch (e) {
          throw new Error(`invalid pipeline: ${(e as Error).message}`);
        }
        const preparationId = newTimeOrderedId();
        this.staging.open(preparationId, [PIPELINE_BUNDLE_ARTIFACT]);
        const expiry = setTimeout(() => this.dropPreparation(preparationId), PREPARATION_TTL_MS);
        expiry.unref();
        const file = typeof request.file === "string" ? request.file : undefined;
        this.preparations.set(preparationId, {
          jobName: request.jobName,
          ...(file !== undefined ? { file } : {}),
          runner,
          pipelineProto,
          options: request.options,
          graph,
          expiry,
        });
        send({ type: "prepareResponse", id: request.id, preparationId, artifacts: [PIPELINE_BUNDLE_ARTIFACT] });
        return;
      }
      case "stageArtifact": {
        if (!this.preparations.has(request.preparationId)) throw new Error(`no prepared job '${request.preparationId}'`);
        const bytes = decodeBase64(request.data, "artifact data", request.id);
        const size = await this.staging.stage(request.preparationId, request.name, request.sha256, bytes);
        send({ type: "stageArtifactResponse", id: request.id, name: request.name, size });
        return;
      }
      case "run": {
        const prep = this.preparations.get(request.preparationId);
        if (!prep)
          throw new Error(
            `no prepared job '${request.preparationId}' (prepare it first; preparations expire after ${PREPARATION_TTL_MS / 60_000} minutes)`,
          );
        const missing = this.staging.missing(request.preparationId);
        if (missing.length > 0) throw new Error(`stage the job's artifacts before running it; missing: ${missing.join(", ")}`);
        this.preparations.delete(request.preparationId);
        clearTimeout(prep.expiry);
        const job = this.registry.add(prep.jobName, prep.runner, prep.graph, prep.file);
        // Subscribed before the job starts, a client misses none of its output.
        if (request.stream === true) subscribe.stream(job.jobId);
        this.registry.log(job, "BASIC", `submitted to the ${prep.runner} runner`);
        const process = startJobProcess(
          this.registry,
          job,
          {
            type: "start",
            runner: prep.runner,
            pipelineProto: prep.pipelineProto,
            options: prep.options,
            bundlePath: this.staging.pathOf(request.preparationId, PIPELINE_BUNDLE_ARTIFACT) ?? null,
          },
          this.processSettings,
        );
        this.processes.set(job.jobId, process);
        void process.exited.then(() => {
          this.processes.delete(job.jobId);
          this.staging.discard(request.preparationId);
        });
        send({ type: "runResponse", id: request.id, jobId: job.jobId });
        return;
      }
      case "getJobs":
        send({ type: "getJobsResponse", id: request.id, jobs: this.registry.all().map(JobRegistry.info) });
        return;
      case "getState": {
        const job = this.job(request);
        send({ type: "getStateResponse", id: request.id, jobId: job.jobId, state: job.state, timestamp: job.stateAt });
        return;
      }
      case "getMetrics": {
        const job = this.job(request);
        send({ type: "getMetricsResponse", id: request.id, jobId: job.jobId, metrics: job.metrics });
        return;
      }
      case "getPipelineGraph": {
        const job = this.job(request);
        send({ type: "getPipelineGraphResponse", id: request.id, jobId: job.jobId, graph: job.graph });
        return;
      }
      case "getMessageStream": {
        const job = this.job(request);
        send({ type: "getMessageStreamResponse", id: request.id, jobId: job.jobId });
        // What happened so far, then everything new as it happens.
        for (const message of job.messages) send({ type: "messageEvent", jobId: job.jobId, message });
        send({ type: "metricsEvent", jobId: job.jobId, metrics: job.metrics });
        send({
          type: "stateEvent",
          jobId: job.jobId,
          state: job.state,
          timestamp: job.stateAt,
          ...(job.failure ? { failure: job.failure } : {}),
        });
        subscribe.stream(job.jobId);
        return;
      }
      case "cancel": {
        const job = this.job(request);
        const process = this.processes.get(job.jobId);
        if (process) process.cancel();
        else if (job.state === "STARTING" || job.state === "RUNNING") this.registry.setState(job, "CANCELLED");
        send({ type: "cancelResponse", id: request.id, jobId: job.jobId, state: job.state });
        return;
      }
      case "watch":
        send({ type: "watchResponse", id: request.id, jobs: this.registry.all().map(JobRegistry.info) });
        subscribe.watch();
        return;
    }
  }

  private dropPreparation(preparationId: string): void {
    this.preparations.delete(preparationId);
    this.staging.discard(preparationId);
  }
}

/** The edge of an HTTP request: whatever went wrong fails this request alone. */
function failRequest(res: http.ServerResponse, e: unknown): void {
  try {
    if (res.headersSent) res.destroy();
    else
      res
        .writeHead(500, { "content-type": "text/plain; charset=utf-8", connection: "close" })
        .end(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  } catch {
    res.destroy();
  }
}

function rawText(data: RawData): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  return buf.toString("utf8");
}
