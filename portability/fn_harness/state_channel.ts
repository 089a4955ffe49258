/**
 * One State API stream to the engine (BeamFnState.State): requests carry an
 * id, responses come back with it, in any order. Gets follow continuation
 * tokens until the logical stream ends, so a caller sees the whole value.
 */
import type { BidiStream } from "./fn_streams";
import type { Bytes, StateKey, StateRequest, StateResponse } from "./fn_messages";

/** A state request the engine refused: names the key and the engine's reason. */
export class StateRequestError extends Error {
  override readonly name = "StateRequestError";
}

/** Requests and responses of one state endpoint. */
export class StateChannel {
  private nextId = 0;
  private readonly pending = new Map<string, { resolve(r: StateResponse): void; reject(e: Error): void }>();
  private failure: Error | undefined;

  constructor(
    private readonly stream: BidiStream<StateResponse, StateRequest>,
    /** Names the endpoint in errors. */
    readonly endpoint: string,
  ) {
    void this.readLoop();
  }

  /** Every chunk of the value of `key`, concatenated (follows continuation tokens). */
  async get(instructionId: string, key: StateKey): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let token: Bytes | undefined;
    for (;;) {
      const response = await this.request(instructionId, key, { get: token ? { continuationToken: token } : {} });
      const data = response.get?.data;
      if (data && data.length > 0) parts.push(data);
      token = response.get?.continuationToken;
      if (!token || token.length === 0) break;
    }
    return concat(parts);
  }

  /** Appends encoded values to `key`. */
  async append(instructionId: string, key: StateKey, data: Uint8Array): Promise<void> {
    await this.request(instructionId, key, { append: { data } });
  }

  /** Clears `key`. */
  async clear(instructionId: string, key: StateKey): Promise<void> {
    await this.request(instructionId, key, { clear: {} });
  }

  /** Ends the stream. */
  close(): void {
    this.stream.end();
  }

  private request(instructionId: string, stateKey: StateKey, body: Pick<StateRequest, "get" | "append" | "clear">): Promise<StateResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = `s${++this.nextId}`;
    return new Promise<StateResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.stream.write({ id, instructionId, stateKey, ...body });
    }).then((response) => {
      if (response.error) throw new StateRequestError(`the engine refused state request for ${describeKey(stateKey)}: ${response.error}`);
      return response;
    });
  }

  private async readLoop(): Promise<void> {
    let why = `the engine closed the state stream ${this.endpoint}`;
    try {
      for await (const response of this.stream) {
        const p = this.pending.get(response.id ?? "");
        if (!p) continue;
        this.pending.delete(response.id ?? "");
        p.resolve(response);
      }
    } catch (e) {
      why = `the state stream ${this.endpoint} failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    // Nothing may wait forever on a stream that is gone.
    this.failure = new StateRequestError(why);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

function describeKey(key: StateKey): string {
  const [kind, v] = Object.entries(key).find(([, x]) => x !== null && x !== undefined) ?? ["(none)", {}];
  const k = v as { transformId?: string; sideInputId?: string; userStateId?: string };
  return `${kind}${k.transformId ? ` of '${k.transformId}'` : ""}${k.sideInputId ? ` side input '${k.sideInputId}'` : ""}${k.userStateId ? ` state '${k.userStateId}'` : ""}`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
