/**
 * One data stream to the engine (Beam's BeamFnData.Data), shared by every
 * bundle that reads or writes through that endpoint. Inbound blocks are
 * routed to their instruction; blocks for an instruction not yet registered
 * (the engine may send data before the ProcessBundle request arrives on the
 * control stream) are held until it is. Outbound bytes are batched into
 * blocks of about {@link FLUSH_BYTES}.
 */
import { AsyncQueue, type BidiStream } from "./fn_streams";
import type { Bytes, DataBlock, Elements, TimerBlock } from "./fn_messages";

/** About how many bytes an outbound block carries before it is sent. */
export const FLUSH_BYTES = 1 << 20;

/** How many finished instructions are remembered, so their late blocks are dropped rather than held. */
const FINISHED_MEMORY = 10_000;

/** One inbound piece of a bundle's input. */
export type InboundBlock =
  | { readonly kind: "data"; readonly transformId: string; readonly bytes: Bytes; readonly isLast: boolean }
  | {
      readonly kind: "timers";
      readonly transformId: string;
      readonly timerFamilyId: string;
      readonly bytes: Bytes;
      readonly isLast: boolean;
    };

/** The data plane of one endpoint. */
export class DataChannel {
  private readonly inboxes = new Map<string, AsyncQueue<InboundBlock>>();
  private readonly early = new Map<string, InboundBlock[]>();
  private readonly finished = new Set<string>();
  private readonly pending: { data: DataBlock[]; timers: TimerBlock[]; bytes: number } = { data: [], timers: [], bytes: 0 };
  private failure: Error | undefined;

  constructor(
    private readonly stream: BidiStream<Elements, Elements>,
    /** Names the endpoint in errors. */
    readonly endpoint: string,
  ) {
    void this.readLoop();
  }

  /**
   * Registers `instructionId` and returns its inbound blocks, starting with
   * any that arrived before. Call {@link release} when the bundle is over.
   */
  inbox(instructionId: string): AsyncQueue<InboundBlock> {
    let queue = this.inboxes.get(instructionId);
    if (queue) return queue;
    queue = new AsyncQueue<InboundBlock>();
    if (this.failure) queue.fail(this.failure);
    for (const b of this.early.get(instructionId) ?? []) queue.push(b);
    this.early.delete(instructionId);
    this.inboxes.set(instructionId, queue);
    return queue;
  }

  /** Forgets an instruction: blocks that still arrive for it are dropped. */
  release(instructionId: string): void {
    this.inboxes.get(instructionId)?.end();
    this.inboxes.delete(instructionId);
    this.early.delete(instructionId);
    this.finished.add(instructionId);
    if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.values().next().value!);
  }

  /** Queues encoded elements of `transformId` for the engine; `isLast` ends that stream for the instruction. */
  sendData(instructionId: string, transformId: string, data: Bytes, isLast: boolean): void {
    this.pending.data.push({ instructionId, transformId, data, isLast });
    this.pending.bytes += data.length;
    if (isLast || this.pending.bytes >= FLUSH_BYTES) this.flush();
  }

  /** Queues encoded timers of a timer family for the engine. */
  sendTimers(instructionId: string, transformId: string, timerFamilyId: string, timers: Bytes, isLast: boolean): void {
    this.pending.timers.push({ instructionId, transformId, timerFamilyId, timers, isLast });
    this.pending.bytes += timers.length;
    if (isLast || this.pending.bytes >= FLUSH_BYTES) this.flush();
  }

  /** Sends what is queued. */
  flush(): void {
    if (this.pending.data.length === 0 && this.pending.timers.length === 0) return;
    const message: Elements = {};
    if (this.pending.data.length > 0) message.data = this.pending.data.splice(0);
    if (this.pending.timers.length > 0) message.timers = this.pending.timers.splice(0);
    this.pending.bytes = 0;
    this.stream.write(message);
  }

  /** Closes the stream (the harness is stopping). */
  close(): void {
    this.flush();
    this.stream.end();
  }

  private route(instructionId: string, block: InboundBlock): void {
    const queue = this.inboxes.get(instructionId);
    if (queue) return queue.push(block);
    if (this.finished.has(instructionId)) return;
    let held = this.early.get(instructionId);
    if (!held) this.early.set(instructionId, (held = []));
    held.push(block);
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const elements of this.stream) {
        for (const d of elements.data ?? []) {
          this.route(d.instructionId ?? "", {
            kind: "data",
            transformId: d.transformId ?? "",
            bytes: d.data ?? new Uint8Array(0),
            isLast: d.isLast === true,
          });
        }
        for (const t of elements.timers ?? []) {
          this.route(t.instructionId ?? "", {
            kind: "timers",
            transformId: t.transformId ?? "",
            timerFamilyId: t.timerFamilyId ?? "",
            bytes: t.timers ?? new Uint8Array(0),
            isLast: t.isLast === true,
          });
        }
      }
      this.failAll(new Error(`the engine closed the data stream ${this.endpoint}`));
    } catch (e) {
      this.failAll(new Error(`the data stream ${this.endpoint} failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** A broken stream fails every bundle waiting on it: none may wait forever. */
  private failAll(e: Error): void {
    this.failure = e;
    for (const q of this.inboxes.values()) q.fail(e);
  }
}
