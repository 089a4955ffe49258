/**
 * A connection to a job service (see job_api_protocol.ts): requests with
 * replies matched by id, and the service's events. The token goes in the
 * `Authorization` header of the WebSocket handshake.
 */
import type { WebSocket as WsSocket } from "ws";
import type { ClientRequest, ServerMessage } from "./job_api_protocol";

/** Distributes `Omit` over a union, so each request type keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/** An event the service pushes (no `id`). */
export type ServiceEvent = Extract<ServerMessage, { type: "stateEvent" | "messageEvent" | "metricsEvent" | "progressEvent" | "jobEvent" }>;

/** A failure to reach or talk to the job service. */
export class JobServiceError extends Error {
  /** Always `"JobServiceError"`. */
  override readonly name = "JobServiceError";
}

/** The endpoint without a token in it, and the token (from the URL's `token` parameter, or given). */
export function splitEndpoint(endpoint: string, token?: string): { url: string; token: string | undefined } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new JobServiceError(`--jobEndpoint must be a ws:// or wss:// URL, not '${endpoint}'`);
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:")
    throw new JobServiceError(`--jobEndpoint must be a ws:// or wss:// URL, not '${endpoint}'`);
  const fromUrl = url.searchParams.get("token") ?? undefined;
  url.searchParams.delete("token");
  return { url: url.toString(), token: token || fromUrl };
}

/** An open connection to a job service. */
export class JobServiceClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: ServerMessage) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(e: ServiceEvent) => void>();
  private readonly closeListeners = new Set<(why: Error) => void>();
  private closed: Error | undefined;

  private constructor(
    private readonly ws: WsSocket,
    /** The largest message the service accepts. */
    readonly maxMessageBytes: number,
    /** The runners the service offers. */
    readonly runners: readonly string[],
  ) {
    ws.on("message", (data) => this.onFrame(String(data)));
    ws.on("close", (code, reason) => this.lost(closeReason(code, reason.toString(), maxMessageBytes)));
    ws.on("error", (e) => this.lost(new JobServiceError(`job service connection failed: ${e.message}`)));
  }

  /** Connects, presents the token and waits for the service's greeting. */
  static async connect(endpoint: string, token?: string): Promise<JobServiceClient> {
    const { url, token: secret } = splitEndpoint(endpoint, token);
    if (!secret)
      throw new JobServiceError(
        `no token for the job service at ${url}: pass --jobToken=<token> (printed by millrace job-server), or ?token=<token> in the endpoint`,
      );
    const { WebSocket } = await import("ws");
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${secret}` }, maxPayload: 256 * 1024 * 1024 });
    return new Promise<JobServiceClient>((resolve, reject) => {
      const fail = (e: Error): void => {
        ws.removeAllListeners();
        ws.on("error", () => undefined);
        ws.terminate();
        reject(e);
      };
      ws.once("unexpected-response", (_req, res) => {
        const status = res.statusCode ?? 0;
        fail(
          new JobServiceError(
            status === 401
              ? `the job service at ${url} refused the connection: wrong or missing token`
              : `the job service at ${url} answered HTTP ${status}`,
          ),
        );
      });
      ws.once("error", (e) => fail(new JobServiceError(`cannot reach the job service at ${url}: ${e.message}`)));
      ws.once("message", (data) => {
        const hello = JSON.parse(String(data)) as ServerMessage;
        if (hello.type !== "hello") return fail(new JobServiceError(`unexpected greeting from ${url}: ${String(data).slice(0, 200)}`));
        ws.removeAllListeners();
        resolve(new JobServiceClient(ws, hello.maxMessageBytes, hello.runners));
      });
    });
  }

  /** Sends a request and resolves with its reply; rejects with the service's error message. */
  request<T extends ServerMessage["type"]>(request: WithoutId<ClientRequest>, _expect?: T): Promise<Extract<ServerMessage, { type: T }>> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    const text = JSON.stringify({ ...request, id });
    const size = Buffer.byteLength(text);
    if (size > this.maxMessageBytes) {
      return Promise.reject(
        new JobServiceError(
          `the ${request.type} message is ${size} bytes, more than the job service accepts (${this.maxMessageBytes} bytes; start it with a larger --maxMessageBytes)`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: ServerMessage) => void, reject });
      this.ws.send(text);
    });
  }

  /** Calls `listener` with every event the service pushes on this connection. */
  onEvent(listener: (e: ServiceEvent) => void): void {
    this.listeners.add(listener);
  }

  /** Calls `listener` once if the connection is lost. */
  onClose(listener: (why: Error) => void): void {
    if (this.closed) listener(this.closed);
    else this.closeListeners.add(listener);
  }

  private lost(arg: Error): void {
    if (this.closed) return;
    this.closed = arg;
    for (const p of this.pending.values()) p.reject(arg);
    this.pending.clear();
    for (const l of this.closeListeners) l(arg);
    this.closeListeners.clear();
  }

  /** Closes the connection. */
  close(): void {
    if (!this.closed) this.closed = new JobServiceError("the connection to the job service was closed");
    this.closeListeners.clear();
    this.ws.close();
  }

  private onFrame(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if ("id" in msg && msg.id !== null && typeof msg.id === "number") {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === "error") p.reject(new JobServiceError(msg.message));
      else p.resolve(msg);
      return;
    }
    if (msg.type === "error") {
      this.lost(new JobServiceError(`the job service reported: ${msg.message}`));
      return;
    }
    for (const l of this.listeners) l(msg as ServiceEvent);
  }
}

function closeReason(code: number, reason: string, maxMessageBytes: number): JobServiceError {
  if (code === 1009)
    return new JobServiceError(`the job service closed the connection: a message exceeded its limit of ${maxMessageBytes} bytes`);
  return new JobServiceError(`the connection to the job service closed (code ${code}${reason ? `: ${reason}` : ""})`);
}
