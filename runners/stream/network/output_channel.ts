/**
 * The sending end of a channel, with credit-based flow control as in
 * Flink's network stack: the receiver grants `capacity` buffers; each sent
 * buffer uses one credit and the receiver returns it once the buffer is
 * consumed. Without credit, finished buffers wait here and the channel
 * reports itself unwritable, so the producing subtask stops taking input:
 * backpressure travels upstream to the sources.
 *
 * Records are batched: into an encoded byte buffer for another thread
 * (its ArrayBuffer is transferred, not copied), or into an array of
 * element objects for a subtask on the same thread. A buffer is sent when
 * full, when an event follows it, or when the buffer timeout expires.
 */
import { ByteWriter, type Coder } from "../../../portability/coders";
import type { BoundedWindow } from "../../../model/windows";
import type { PaneInfo } from "../../../model/pane";
import type { WindowedValue } from "../../../model/windowed_value";
import type { ChannelItem } from "./input_channel";
import type { StreamEvent } from "./stream_event";

/**
 * How many element objects a buffer between subtasks of one thread holds,
 * for a given network buffer size: as many as a network buffer of
 * 16-byte records, so that `--bufferSizeBytes` bounds both kinds.
 */
export function localBufferRecords(bufferSizeBytes: number): number {
  return Math.max(1, Math.floor(bufferSizeBytes / 16));
}

/** Counters of a channel, for metrics and the backpressure test. */
export interface ChannelStats {
  /** Buffers sent. */
  buffersSent: number;
  /** Records sent. */
  recordsSent: number;
  /** Most buffers ever in flight (sent, not yet consumed) at once. */
  maxBuffersInFlight: number;
  /** Most records ever in flight at once. */
  maxRecordsInFlight: number;
  /** Most records ever waiting in the sender's backlog for credit (what a producer adds after its channel filled up). */
  maxBacklogRecords: number;
}

/** The sending end of one channel. */
export abstract class OutputChannel {
  private credits: number;
  /** Finished buffers and events waiting for credit, in order. */
  private readonly backlog: { item: ChannelItem; records: number }[] = [];
  /** Records of the buffers in flight, oldest first (to know how many records a returned credit frees). */
  private readonly inFlightRecords: number[] = [];
  private recordsInFlight = 0;
  /** When the current buffer got its first record (for the buffer timeout), or undefined when empty. */
  openedAt: number | undefined;
  readonly stats: ChannelStats = { buffersSent: 0, recordsSent: 0, maxBuffersInFlight: 0, maxRecordsInFlight: 0, maxBacklogRecords: 0 };
  private backlogRecords = 0;

  constructor(
    readonly key: string,
    readonly capacity: number,
    /** Delivers an item to the receiver. */
    private readonly transport: (item: ChannelItem) => void,
  ) {
    this.credits = capacity;
  }

  /** Adds a record to the current buffer, sending the buffer when full. */
  abstract add(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void;
  /** Takes the current buffer's contents, or undefined when empty. */
  protected abstract takeBuffer(): { item: ChannelItem; records: number } | undefined;

  /** True when the receiver can take another buffer and nothing waits: the producer may go on. */
  get writable(): boolean {
    return this.credits > 0 && this.backlog.length === 0;
  }

  /** Buffers sent and not yet consumed. */
  get buffersInFlight(): number {
    return this.capacity - this.credits;
  }

  /** Buffers (and events) waiting for credit. */
  get backlogLength(): number {
    return this.backlog.length;
  }

  /** Sends the current buffer, if any. */
  flush(): void {
    const buffer = this.takeBuffer();
    this.openedAt = undefined;
    if (buffer) this.enqueue(buffer);
  }

  /** Sends an event after everything added before it. */
  event(e: StreamEvent): void {
    this.flush();
    this.enqueue({ item: { kind: "event", event: e }, records: 0 });
  }

  /** The receiver consumed a buffer: one more may be sent. */
  returnCredit(): void {
    this.credits++;
    this.recordsInFlight -= this.inFlightRecords.shift() ?? 0;
    this.drain();
  }

  private enqueue(entry: { item: ChannelItem; records: number }): void {
    this.backlog.push(entry);
    this.backlogRecords += entry.records;
    this.drain();
    if (this.backlogRecords > this.stats.maxBacklogRecords) this.stats.maxBacklogRecords = this.backlogRecords;
  }

  private drain(): void {
    while (this.backlog.length > 0) {
      const next = this.backlog[0]!;
      if (next.item.kind !== "event") {
        if (this.credits === 0) return;
        this.credits--;
        this.inFlightRecords.push(next.records);
        this.recordsInFlight += next.records;
        this.stats.buffersSent++;
        this.stats.recordsSent += next.records;
        const inFlight = this.capacity - this.credits;
        if (inFlight > this.stats.maxBuffersInFlight) this.stats.maxBuffersInFlight = inFlight;
        if (this.recordsInFlight > this.stats.maxRecordsInFlight) this.stats.maxRecordsInFlight = this.recordsInFlight;
      }
      this.backlog.shift();
      this.backlogRecords -= next.records;
      this.transport(next.item);
    }
  }
}

/** A channel to a subtask on another thread: records encoded into byte buffers. */
export class RemoteOutputChannel extends OutputChannel {
  private writer: ByteWriter;
  private records = 0;
  private readonly wv = {
    value: undefined as unknown,
    timestamp: 0,
    windows: [] as readonly BoundedWindow[],
    pane: undefined as unknown as PaneInfo,
  };

  constructor(
    key: string,
    capacity: number,
    transport: (item: ChannelItem) => void,
    private readonly coder: Coder<unknown>,
    private readonly bufferSizeBytes: number,
    private readonly now: () => number,
  ) {
    super(key, capacity, transport);
    this.writer = new ByteWriter(Math.min(bufferSizeBytes + 256, 1 << 20));
  }

  add(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const wv = this.wv;
    wv.value = value;
    wv.timestamp = timestamp;
    wv.windows = windows;
    wv.pane = pane;
    this.coder.encode(wv as WindowedValue, this.writer, "nested");
    if (this.records++ === 0) this.openedAt = this.now();
    if (this.writer.length >= this.bufferSizeBytes) this.flush();
  }

  protected takeBuffer(): { item: ChannelItem; records: number } | undefined {
    if (this.records === 0) return undefined;
    const bytes = this.writer.finish();
    this.writer.reset();
    const records = this.records;
    this.records = 0;
    return { item: { kind: "bytes", bytes }, records };
  }
}

/** A channel to a subtask on the same thread: element objects, no encoding. */
export class LocalOutputChannel extends OutputChannel {
  private buffer: WindowedValue[] = [];

  private readonly maxRecords: number;

  constructor(
    key: string,
    capacity: number,
    transport: (item: ChannelItem) => void,
    private readonly now: () => number,
    bufferSizeBytes: number,
  ) {
    super(key, capacity, transport);
    this.maxRecords = localBufferRecords(bufferSizeBytes);
  }

  add(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (this.buffer.push({ value, timestamp, windows, pane }) === 1) this.openedAt = this.now();
    if (this.buffer.length >= this.maxRecords) this.flush();
  }

  protected takeBuffer(): { item: ChannelItem; records: number } | undefined {
    if (this.buffer.length === 0) return undefined;
    const records = this.buffer;
    this.buffer = [];
    return { item: { kind: "records", records }, records: records.length };
  }
}
