/**
 * What every subtask does, whatever it runs: takes buffers and events from
 * its input channels, keeps its input watermark (the minimum over its
 * channels) and scripted clock, aligns checkpoint barriers (a channel that
 * delivered barrier n waits until every channel has, then the subtask
 * snapshots its state, forwards the barrier and acknowledges), forwards its
 * output watermark when it moves, and stops taking input while an output
 * channel has no credit (backpressure).
 */
import type { WindowedValue } from "../../../model/windowed_value";
import type { InputChannel } from "../network/input_channel";
import type { OutputChannel } from "../network/output_channel";
import type { RecordWriter } from "../network/record_writer";
import type { StreamEvent } from "../network/stream_event";
import { WatermarkValve } from "../watermark_valve";

/** What a subtask reports about itself. */
export interface SubtaskStatus {
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly inputWatermark: number;
  readonly outputWatermark: number;
  /** Buffers in flight over the capacity of all output channels, 0..1. */
  readonly outputBufferUsage: number;
  /** Input buffers received and not yet processed. */
  readonly queuedInputBuffers: number;
  readonly finished: boolean;
  readonly maxBuffersInFlight: number;
  readonly maxRecordsInFlight: number;
  /** Most records one of its output channels ever held back for lack of credit. */
  readonly maxBacklogRecords: number;
  /** Most records a checkpoint barrier it sent ever had ahead of it on one channel (what the barrier waited behind). */
  readonly maxRecordsAheadOfBarrier: number;
  /** Elements that reached the end of the pipeline here (outputs nothing consumes). */
  readonly terminalOut: number;
  /** Records the pipeline's sources read here, and elements that reached its sinks (the job's "in" and "out", core/edge_counting). */
  readonly sourceRecords: number;
  readonly sinkRecords: number;
  /** Its input ended and only its file sinks keep it from finishing: they wait for a checkpoint to commit (see TwoPhaseTextSink). */
  readonly awaitingCommit?: boolean;
}

/** Receives a subtask's acknowledgement of a checkpoint: its state. */
export type AckSink = (checkpointId: number, state: Uint8Array) => void;

/** The shared machinery; subclasses say what records, time and snapshots mean. */
export abstract class Subtask {
  /** Main input channels, then side input channels (see {@link isSide}). */
  readonly inputs: InputChannel[] = [];
  /** Which inputs are side inputs. */
  readonly isSide: boolean[] = [];
  readonly writers: RecordWriter[] = [];
  readonly outputs: OutputChannel[] = [];
  protected mainValve!: WatermarkValve;
  protected sideValve!: WatermarkValve;
  protected clockValve!: WatermarkValve;
  /** For each input channel, its place among the main or the side channels (its slot in that valve). */
  private readonly valveSlot: number[] = [];
  private nextInput = 0;
  private alignedOn: number | undefined;
  private barriersSeen = 0;
  private lastOutputWatermark = -Infinity;
  /** Whether this subtask last told its consumers it is idle. */
  private outputIdle = false;
  private lastClock = -Infinity;
  recordsIn = 0;
  /** Elements output to no consumer (the pipeline's end). */
  terminalOut = 0;
  /** Records of the pipeline's sources emitted here, and elements given to its sinks here. */
  sourceRecords = 0;
  sinkRecords = 0;
  /** Checkpoints a source was asked to start, oldest first. */
  protected readonly pendingTriggers: number[] = [];

  constructor(
    readonly vertexId: string,
    readonly subtaskIndex: number,
    protected readonly ack: AckSink,
    /** True when processing time is a TestStream's scripted clock. */
    protected readonly scripted: boolean,
  ) {}

  /** Called once the channels are connected. */
  wire(): void {
    let main = 0;
    let side = 0;
    for (let i = 0; i < this.inputs.length; i++) this.valveSlot.push(this.isSide[i] ? side++ : main++);
    this.mainValve = new WatermarkValve(main, -Infinity);
    this.sideValve = new WatermarkValve(side, -Infinity);
    this.clockValve = new WatermarkValve(this.inputs.length, 0, true);
  }

  // ---- what subclasses define ----

  /** Main-input records (one buffer). */
  protected abstract processRecords(records: readonly WindowedValue[]): void;
  /** Side-input records (one buffer) of input channel `channel`. */
  protected processSideRecords(_channel: InputChannel, _records: readonly WindowedValue[]): void {
    throw new Error(`internal: ${this.vertexId} has no side inputs`);
  }
  /** The main input watermark moved to `watermark`. */
  protected abstract onInputWatermark(watermark: number): void;
  /** Side input channel `channel` sent watermark `watermark` (each side input is judged against its own). */
  protected onSideWatermark(_channel: InputChannel, _watermark: number): void {}
  /** Processing time moved to `now` (scripted or real). */
  protected abstract onProcessingTime(now: number): void;
  /** The earliest processing time something waits for, or Infinity. */
  abstract nextProcessingTime(): number;
  /** The watermark this subtask can promise downstream now. */
  protected abstract outputWatermark(): number;
  /** True when the subtask is idle: every main input is (a source subtask asks its reader). */
  protected isIdle(): boolean {
    return this.mainValve.allIdle;
  }
  /** Called before a snapshot: emit what need not be kept (partial combines). */
  protected beforeSnapshot(): void {}
  /** The subtask's state. */
  protected abstract snapshot(checkpointId: number): Uint8Array;
  /** True while the subtask holds elements it could not process yet. */
  protected hasPendingWork(): boolean {
    return false;
  }
  /** Processing time now. */
  abstract now(): number;

  // ---- scheduling ----

  /** True when every output channel can take a buffer. */
  get outputsWritable(): boolean {
    const outs = this.outputs;
    for (let i = 0; i < outs.length; i++) if (!outs[i]!.writable) return false;
    return true;
  }

  /** True when the subtask has something to do now. */
  runnable(): boolean {
    if (!this.outputsWritable) return false;
    if (this.pendingTriggers.length > 0) return true;
    // Without inputs there is nothing to wait for: say so downstream, once.
    if (this.inputs.length === 0) return this.lastOutputWatermark !== Infinity;
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length; i++) if (!inputs[i]!.blocked && inputs[i]!.hasItem) return true;
    return false;
  }

  /** Processes one queued buffer or event. */
  step(): void {
    const trigger = this.pendingTriggers.shift();
    if (trigger !== undefined) {
      this.checkpoint(trigger);
      return;
    }
    if (this.inputs.length === 0) {
      this.afterWork();
      return;
    }
    const inputs = this.inputs;
    const n = inputs.length;
    for (let k = 0; k < n; k++) {
      const i = (this.nextInput + k) % n;
      const ch = inputs[i]!;
      if (ch.blocked || !ch.hasItem) continue;
      this.nextInput = (i + 1) % n;
      const item = ch.take();
      if ("records" in item) {
        this.recordsIn += item.records.length;
        if (this.isSide[i]) this.processSideRecords(ch, item.records);
        else this.processRecords(item.records);
      } else {
        this.onEvent(i, ch, item.event);
      }
      this.afterWork();
      return;
    }
  }

  /** True when any input channel has queued data (so a partial combine need not be flushed yet). */
  inputQueued(): boolean {
    for (const ch of this.inputs) if (ch.hasItem && !ch.blocked) return true;
    return false;
  }

  private onEvent(i: number, ch: InputChannel, e: StreamEvent): void {
    switch (e.kind) {
      case "watermark": {
        if (this.isSide[i]) {
          this.sideValve.update(this.valveSlot[i]!, e.timestamp);
          this.onSideWatermark(ch, e.timestamp);
        } else if (this.mainValve.update(this.valveSlot[i]!, e.timestamp)) {
          this.onInputWatermark(this.mainValve.value);
        }
        return;
      }
      case "watermarkStatus":
        // Side inputs are judged against their own watermark, which idleness does not move.
        if (!this.isSide[i] && this.mainValve.setIdle(this.valveSlot[i]!, e.idle)) this.onInputWatermark(this.mainValve.value);
        return;
      case "clock":
        if (this.clockValve.update(i, e.time)) this.onProcessingTime(this.clockValve.value);
        return;
      case "barrier":
        if (this.alignedOn === undefined) {
          this.alignedOn = e.checkpointId;
          this.barriersSeen = 0;
        } else if (this.alignedOn !== e.checkpointId) {
          throw new Error(`internal: ${this.vertexId}/${this.subtaskIndex} got barrier ${e.checkpointId} while aligning ${this.alignedOn}`);
        }
        ch.blocked = true;
        if (++this.barriersSeen === this.inputs.length) {
          const id = this.alignedOn;
          this.alignedOn = undefined;
          this.checkpoint(id);
          for (const c of this.inputs) c.blocked = false;
        }
        return;
    }
  }

  /** Snapshots, forwards the barrier, acknowledges. */
  protected checkpoint(id: number): void {
    this.beforeSnapshot();
    this.emitWatermarkIfAdvanced();
    const state = this.snapshot(id);
    for (const out of this.outputs) out.event({ kind: "barrier", checkpointId: id });
    this.ack(id, state);
  }

  /** A source was asked to start checkpoint `id`. */
  triggerCheckpoint(id: number): void {
    this.pendingTriggers.push(id);
  }

  /** Forwards time after work: the output watermark and the scripted clock, when they moved. */
  protected afterWork(): void {
    this.emitWatermarkIfAdvanced();
    if (this.scripted) {
      const clock = this.clockForDownstream();
      if (clock !== undefined && clock > this.lastClock) {
        this.lastClock = clock;
        for (const out of this.outputs) out.event({ kind: "clock", time: clock });
      }
    }
  }

  /** The scripted clock this subtask passes on; undefined when no clock reaches it (it is not downstream of a TestStream). */
  protected clockForDownstream(): number | undefined {
    return this.clockValve.anySpoke ? this.clockValve.value : undefined;
  }

  private emitWatermarkIfAdvanced(): void {
    const wm = this.outputWatermark();
    if (wm > this.lastOutputWatermark) {
      this.lastOutputWatermark = wm;
      for (const out of this.outputs) out.event({ kind: "watermark", timestamp: wm });
    }
    // A finished subtask's end-of-time watermark already frees its consumers: no status after it.
    const idle = wm !== Infinity && this.isIdle();
    if (idle !== this.outputIdle) {
      this.outputIdle = idle;
      for (const out of this.outputs) out.event({ kind: "watermarkStatus", idle });
    }
  }

  /** Real-clock processing time reached `now`: fire what is due. */
  advanceProcessingTime(now: number): void {
    if (this.scripted || this.nextProcessingTime() > now) return;
    this.onProcessingTime(now);
    this.afterWork();
  }

  /** Sends partly filled buffers older than the timeout. */
  flushOlderThan(cutoff: number): void {
    for (const out of this.outputs) if (out.openedAt !== undefined && out.openedAt <= cutoff) out.flush();
  }

  /**
   * True when nothing of this subtask waits to be processed or sent: no
   * queued input (blocked by barrier alignment or not), no open output
   * buffer, nothing waiting for credit. With {@link runnable} false, the
   * subtask has nothing to do until something arrives.
   */
  holdsNothingInFlight(): boolean {
    for (const ch of this.inputs) if (ch.hasItem) return false;
    for (const out of this.outputs) if (out.openedAt !== undefined || out.backlogLength > 0) return false;
    return true;
  }

  /** The earliest time a partly filled buffer must be sent, or Infinity. */
  oldestOpenBuffer(): number {
    let t = Infinity;
    for (const out of this.outputs) if (out.openedAt !== undefined && out.openedAt < t) t = out.openedAt;
    return t;
  }

  /** True when the subtask has sent its final watermark and holds nothing. */
  get finished(): boolean {
    return this.lastOutputWatermark === Infinity && !this.hasPendingWork();
  }

  /** The current output watermark sent downstream. */
  get emittedWatermark(): number {
    return this.lastOutputWatermark;
  }

  /** What the subtask reports. */
  status(): SubtaskStatus {
    let inFlight = 0;
    let capacity = 0;
    let maxBuffers = 0;
    let maxRecords = 0;
    let maxBacklog = 0;
    let maxAheadOfBarrier = 0;
    for (const out of this.outputs) {
      maxBacklog = Math.max(maxBacklog, out.stats.maxBacklogRecords);
      maxAheadOfBarrier = Math.max(maxAheadOfBarrier, out.stats.maxRecordsAheadOfBarrier);
      inFlight += out.buffersInFlight;
      capacity += out.capacity;
      maxBuffers = Math.max(maxBuffers, out.stats.maxBuffersInFlight);
      maxRecords = Math.max(maxRecords, out.stats.maxRecordsInFlight);
    }
    let queued = 0;
    for (const ch of this.inputs) queued += ch.queuedBuffers;
    let recordsOut = 0;
    for (const w of this.writers) recordsOut += w.records;
    return {
      recordsIn: this.recordsIn,
      recordsOut,
      inputWatermark: this.inputs.length === 0 ? this.lastOutputWatermark : Math.min(this.mainValve.value, this.sideValve.value),
      outputWatermark: this.lastOutputWatermark,
      outputBufferUsage: capacity === 0 ? 0 : inFlight / capacity,
      queuedInputBuffers: queued,
      finished: this.finished,
      maxBuffersInFlight: maxBuffers,
      maxRecordsInFlight: maxRecords,
      maxBacklogRecords: maxBacklog,
      maxRecordsAheadOfBarrier: maxAheadOfBarrier,
      terminalOut: this.terminalOut,
      sourceRecords: this.sourceRecords,
      sinkRecords: this.sinkRecords,
    };
  }
}
