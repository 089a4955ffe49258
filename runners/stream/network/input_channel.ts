/**
 * The receiving end of a channel: buffers (decoded lazily for remote ones)
 * and events in arrival order. Consuming a buffer hands its credit back to
 * the sender, which is what bounds the data in flight.
 */
import type { Coder } from "../../../portability/coders";
import { decodeWindowedValues } from "../../core/collection_coders";
import type { WindowedValue } from "../../../model/windowed_value";
import type { StreamEvent } from "./stream_event";

/** One queued item. */
export type ChannelItem =
  | { readonly kind: "records"; readonly records: readonly WindowedValue[] }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "event"; readonly event: StreamEvent };

/** A channel's receiving end, owned by one consumer subtask. */
export class InputChannel {
  private readonly queue: ChannelItem[] = [];
  private head = 0;
  /** True while barrier alignment holds this channel back. */
  blocked = false;
  /** Buffers received and not yet consumed (what the sender's credit accounts for). */
  queuedBuffers = 0;
  /** Records consumed so far (buffer debloating measures throughput with it). */
  recordsTaken = 0;

  constructor(
    readonly key: string,
    /** The edge this channel belongs to. */
    readonly edge: number,
    /** Decodes remote buffers. */
    private readonly coder: Coder<unknown>,
    /** Returns one credit to the sender. */
    private readonly returnCredit: () => void,
  ) {}

  /** Queues an item (called by the transport). */
  push(item: ChannelItem): void {
    if (item.kind !== "event") this.queuedBuffers++;
    this.queue.push(item);
  }

  /** True when an item is queued. */
  get hasItem(): boolean {
    return this.head < this.queue.length;
  }

  /** Takes the next item: buffers come back as records, and their credit goes back to the sender. */
  take(): { records: readonly WindowedValue[] } | { event: StreamEvent } {
    const item = this.queue[this.head]!;
    this.queue[this.head++] = undefined as never;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (item.kind === "event") return { event: item.event };
    this.queuedBuffers--;
    const records = item.kind === "records" ? item.records : decodeWindowedValues(this.coder, item.bytes);
    this.recordsTaken += records.length;
    this.returnCredit();
    return { records };
  }
}
