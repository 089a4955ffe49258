/**
 * A subtask of a stage: a chain of element-wise operators (fused by the
 * shared planner, Flink's operator chaining) fed by a source split or by
 * input channels. Side inputs arrive broadcast; a main element waits until
 * the side input windows it reads are complete, as on the direct runner.
 * A stateful ParDo at the head of the stage keeps keyed state and timers,
 * partitioned by key group upstream.
 */
import * as v8 from "node:v8";
import type { ExecutableStage } from "../../../portability/harness/stage_executor";
import type { MetricsContainer } from "../../../portability/harness/metrics_container";
import type { KeyedRuntime } from "../../../portability/harness/stateful_dofn_operator";
import type { Coder } from "../../../portability/coders";
import { ByteReader, ByteWriter } from "../../../portability/coders";
import { decodeWindowedValues, encodeWindowedValues } from "../../core/collection_coders";
import type { WindowedValue } from "../../../model/windowed_value";
import type { SideWindowFn } from "../../core/side_input_views";
import { SideInputPushback } from "../../core/side_input_pushback";
import { nextOutputWatermark } from "../../core/watermarks";
import type { KeyedStateStore } from "../../core/state/keyed_state_store";
import type { TimerService, TimerCheckpointCoders } from "../../core/state/timer_service";
import type { InputChannel } from "../network/input_channel";
import type { TwoPhaseCommitSink } from "../sinks/two_phase_commit_sink";
import type { SourceReader } from "./source_readers";
import { WatermarkValve } from "../watermark_valve";
import { Subtask, type AckSink, type SubtaskStatus } from "./subtask";

/** Elements a source subtask emits per step, between checks for barriers. */
const SOURCE_CHUNK = 512;
/** Elements a source emits between checks for backpressure: what it can add to a full channel's backlog. */
const SOURCE_PIECE = 32;

/** The keyed part of a stage, when it has a stateful ParDo. */
export interface StageKeyedState {
  readonly store: KeyedStateStore;
  readonly timers: TimerService;
  readonly timerCoders: TimerCheckpointCoders;
  readonly runtime: KeyedRuntime;
}

/** The side inputs of a stage: their elements so far, by PCollection. */
export interface StageSideInputs {
  /** Side input PCollection of each side channel's edge. */
  readonly pcollectionOfEdge: ReadonlyMap<number, string>;
  readonly elements: Map<string, WindowedValue[]>;
  readonly windowFns: ReadonlyMap<string, SideWindowFn>;
  readonly coders: ReadonlyMap<string, Coder<unknown>>;
}

/** How a stage subtask was put together (see `buildSubtasks`). */
export interface StageParts {
  readonly exec: ExecutableStage;
  readonly metrics: MetricsContainer;
  readonly reader: SourceReader | undefined;
  readonly keyed: StageKeyedState | undefined;
  readonly side: StageSideInputs | undefined;
  /** The coder of the stage's root collection, for pushed-back elements in snapshots. */
  readonly rootCoder: Coder<unknown>;
  readonly sinks: readonly TwoPhaseCommitSink[];
  readonly now: () => number;
}

/** A stage's subtask. */
export class StageSubtask extends Subtask {
  private readonly pushedBack: SideInputPushback;
  private readonly exec: ExecutableStage;
  /** Per side input PCollection, the minimum over its channels (each side input is judged against its own watermark). */
  private readonly sideValves = new Map<string, WatermarkValve>();
  /** Each side channel's valve and its slot in it. */
  private readonly sideSlots = new Map<InputChannel, { valve: WatermarkValve; slot: number }>();
  private readonly sideWatermarkOf = (pc: string): number => this.sideValves.get(pc)?.value ?? -Infinity;
  /** The output watermark were it not for the text sinks' holds (Infinity: only they keep the stage from finishing). */
  private unheldWatermark = -Infinity;

  constructor(
    vertexId: string,
    subtaskIndex: number,
    ack: AckSink,
    scripted: boolean,
    readonly parts: StageParts,
  ) {
    super(vertexId, subtaskIndex, ack, scripted);
    this.exec = parts.exec;
    this.pushedBack = new SideInputPushback(parts.side?.windowFns ?? new Map());
  }

  override wire(): void {
    super.wire();
    const side = this.parts.side;
    if (!side) return;
    const channelsOf = new Map<string, InputChannel[]>();
    this.inputs.forEach((ch, i) => {
      if (!this.isSide[i]) return;
      const pc = side.pcollectionOfEdge.get(ch.edge)!;
      channelsOf.set(pc, [...(channelsOf.get(pc) ?? []), ch]);
    });
    for (const pc of side.windowFns.keys()) {
      const channels = channelsOf.get(pc) ?? [];
      const valve = new WatermarkValve(channels.length, -Infinity);
      this.sideValves.set(pc, valve);
      channels.forEach((ch, slot) => this.sideSlots.set(ch, { valve, slot }));
    }
  }

  now(): number {
    return this.scripted ? this.currentClock() : this.parts.now();
  }

  private currentClock(): number {
    return this.parts.reader?.clock() ?? this.clockValve.value;
  }

  protected override clockForDownstream(): number | undefined {
    return this.parts.reader ? this.parts.reader.clock() : super.clockForDownstream();
  }

  /** The input watermark a keyed ParDo sees (for lateness). */
  inputWatermark(): number {
    return this.parts.reader ? -Infinity : this.mainValve.value;
  }

  // ---- sources ----

  override runnable(): boolean {
    const reader = this.parts.reader;
    if (!reader) return super.runnable();
    if (!this.outputsWritable) return false;
    if (this.pendingTriggers.length > 0) return true;
    // An exhausted split still has to say so downstream, once.
    // (Unless only its sinks hold it back: they wait for a checkpoint, not for a step.)
    if (reader.done) return this.emittedWatermark !== Infinity && !this.awaitingCommit;
    return !reader.done && reader.nextDueTime(this.parts.now()) <= this.parts.now();
  }

  override step(): void {
    const reader = this.parts.reader;
    if (!reader) {
      super.step();
      return;
    }
    const trigger = this.pendingTriggers.shift();
    if (trigger !== undefined) {
      this.checkpoint(trigger);
      return;
    }
    if (reader.done) {
      // Nothing to read (an empty split, or the end): no bundle, only time.
      this.afterWork();
      return;
    }
    this.exec.startBundle();
    let n = 0;
    const now = this.parts.now();
    while (n < SOURCE_CHUNK && this.outputsWritable && !reader.done) {
      const k = reader.emit(this.exec.input, SOURCE_PIECE, now);
      n += k;
      if (k === 0) break;
    }
    this.recordsIn += n;
    if (this.scripted) this.exec.fireProcessingTimers(this.currentClock());
    this.maybeFlushPartials(reader.done || reader.nextDueTime(this.parts.now()) > this.parts.now());
    this.exec.finishBundle();
    this.afterWork();
  }

  /** A source subtask is idle when its reader is (its partitions are all idle, or it has none yet); others when their inputs are. */
  protected override isIdle(): boolean {
    const reader = this.parts.reader;
    return reader ? (reader.idle?.(this.parts.now()) ?? false) : super.isIdle();
  }

  /** The earliest time the source has more to emit. */
  sourceDueTime(): number {
    const reader = this.parts.reader;
    return reader && !reader.done ? reader.nextDueTime(this.parts.now()) : Infinity;
  }

  // ---- records ----

  protected processRecords(records: readonly WindowedValue[]): void {
    this.exec.startBundle();
    if (this.parts.side) this.feedWithSideInputs(records);
    else {
      const input = this.exec.input;
      for (let i = 0; i < records.length; i++) {
        const wv = records[i]!;
        input.receive(wv.value, wv.timestamp, wv.windows, wv.pane);
      }
    }
    this.maybeFlushPartials(!this.inputQueued());
    this.exec.finishBundle();
  }

  protected override processSideRecords(channel: InputChannel, records: readonly WindowedValue[]): void {
    const side = this.parts.side!;
    const pc = side.pcollectionOfEdge.get(channel.edge)!;
    const list = side.elements.get(pc)!;
    for (const wv of records) list.push(wv);
  }

  private feedWithSideInputs(records: readonly WindowedValue[]): void {
    this.pushedBack.feed(records, this.sideWatermarkOf, this.exec.input);
  }

  protected override onSideWatermark(channel: InputChannel, watermark: number): void {
    const { valve, slot } = this.sideSlots.get(channel)!;
    if (!valve.update(slot, watermark) || !this.pushedBack.hasReleasable(this.sideWatermarkOf)) return;
    this.exec.startBundle();
    this.pushedBack.release(this.sideWatermarkOf, this.exec.input);
    this.exec.finishBundle();
  }

  protected override hasPendingWork(): boolean {
    return this.pushedBack.size > 0;
  }

  // ---- time ----

  protected onInputWatermark(watermark: number): void {
    if (!this.exec.isKeyed || !this.exec.hasEventWorkBefore(watermark)) return;
    this.exec.startBundle();
    this.exec.fireEventTimers(watermark);
    this.exec.finishBundle();
  }

  protected onProcessingTime(now: number): void {
    if (this.exec.nextProcessingTimer() > now) return;
    this.exec.startBundle();
    this.exec.fireProcessingTimers(now);
    this.exec.finishBundle();
  }

  nextProcessingTime(): number {
    return this.exec.nextProcessingTimer();
  }

  protected outputWatermark(): number {
    const reader = this.parts.reader;
    // (A precombine ends its stage: the partial combines flushed here need no bundle around them.)
    this.unheldWatermark = nextOutputWatermark(
      {
        input: reader ? reader.watermark(this.parts.now()) : this.mainValve.value,
        sideInputs: reader ? Infinity : this.sideValve.value,
        pushedBack: this.pushedBack.minTimestamp,
        previous: this.emittedWatermark,
      },
      this.exec,
    );
    return Math.max(this.emittedWatermark, Math.min(this.unheldWatermark, this.sinkHold()));
  }

  /** How far the text sinks hold the output watermark until the names of their files are out. */
  private sinkHold(): number {
    let hold = Infinity;
    for (const s of this.parts.sinks) hold = Math.min(hold, s.watermarkHold());
    return hold;
  }

  /** True when the stage's input ended and only its sinks keep it from finishing: they wait for a checkpoint to commit. */
  get awaitingCommit(): boolean {
    return this.unheldWatermark === Infinity && this.emittedWatermark !== Infinity && this.parts.sinks.some((s) => s.hasUncommitted);
  }

  override status(): SubtaskStatus {
    return { ...super.status(), awaitingCommit: this.awaitingCommit };
  }

  /** Emits partial combines when nothing more is waiting: keeps latency low when traffic is light. */
  private maybeFlushPartials(idle: boolean): void {
    if (idle) this.exec.flush();
  }

  // ---- checkpoints ----

  protected override beforeSnapshot(): void {
    this.exec.flush();
  }

  protected snapshot(checkpointId: number): Uint8Array {
    const state: StageSnapshot = {
      inputWatermark: this.mainValve.value,
      sideWatermark: this.sideValve.value,
      sideWatermarks: Object.fromEntries([...this.sideValves].map(([pc, valve]) => [pc, valve.value])),
      clock: this.clockValve.value,
      recordsIn: this.recordsIn,
    };
    if (this.parts.reader) {
      state.source = this.parts.reader.position();
      this.parts.reader.onSnapshot?.(checkpointId);
    }
    if (this.pushedBack.size > 0) state.pushedBack = encodeWindowedValues(this.parts.rootCoder, this.pushedBack.elements());
    if (this.parts.side) {
      state.side = {};
      for (const [pc, list] of this.parts.side.elements) state.side[pc] = encodeWindowedValues(this.parts.side.coders.get(pc)!, list);
    }
    if (this.parts.keyed) {
      // One buffer each for all keys: a snapshot of millions of keys stays a few large writes.
      const w = new ByteWriter(1 << 16);
      this.parts.keyed.store.writeSnapshot(w);
      state.keyedState = w.finish();
      w.reset();
      this.parts.keyed.timers.writeSnapshot(w, this.parts.keyed.timerCoders);
      state.timers = w.finish();
    }
    if (this.parts.sinks.length > 0) state.sinks = this.parts.sinks.map((s) => s.preCommit(checkpointId));
    return v8.serialize(state);
  }

  /** Restores what {@link snapshot} wrote (the source position is given to the reader when it is built). */
  restore(bytes: Uint8Array): void {
    const state = decodeStageSnapshot(bytes);
    this.mainValve.raiseTo(state.inputWatermark);
    this.sideValve.raiseTo(state.sideWatermark);
    for (const [pc, valve] of this.sideValves) valve.raiseTo(state.sideWatermarks?.[pc] ?? state.sideWatermark);
    this.clockValve.raiseTo(state.clock);
    // Where each waits is recomputed from its window: the snapshot holds only the elements.
    if (state.pushedBack) for (const wv of decodeWindowedValues(this.parts.rootCoder, state.pushedBack)) this.pushedBack.keep(wv);
    if (state.side && this.parts.side) {
      for (const [pc, bytesOf] of Object.entries(state.side))
        this.parts.side.elements.set(pc, decodeWindowedValues(this.parts.side.coders.get(pc)!, bytesOf));
    }
    (state.sinks ?? []).forEach((part, i) => this.parts.sinks[i]!.restore(part));
    if (this.parts.keyed) {
      if (state.keyedState) this.parts.keyed.store.readSnapshot(new ByteReader(state.keyedState));
      if (state.timers) this.parts.keyed.timers.readSnapshot(new ByteReader(state.timers), this.parts.keyed.timerCoders);
    }
  }

  /**
   * Checkpoint `id` completed: sinks publish what they wrote up to it and
   * emit the files' names, in a bundle (the stage's steps after a sink get
   * them); the watermark they held moves on.
   */
  notifyCheckpointComplete(id: number): void {
    this.parts.reader?.onCheckpointComplete?.(id);
    this.inSinkBundle(id, (s) => s.commitUpTo(id));
  }

  /** The job started: sinks emit the names of the files a restored checkpoint had pending (see TwoPhaseTextSink). */
  announceRestoredFiles(): void {
    this.inSinkBundle(-Infinity, (s) => s.announceRestored());
  }

  private inSinkBundle(id: number, f: (s: TwoPhaseCommitSink) => void): void {
    const sinks = this.parts.sinks.filter((s) => s.hasCommittable(id));
    if (sinks.length === 0) return;
    this.exec.startBundle();
    for (const s of sinks) f(s);
    this.exec.finishBundle();
    this.afterWork();
  }
}

/** A stage subtask's snapshot. */
export interface StageSnapshot {
  inputWatermark: number;
  /** The lowest side input watermark. */
  sideWatermark: number;
  /** Each side input PCollection's watermark. */
  sideWatermarks?: Record<string, number>;
  clock: number;
  recordsIn: number;
  source?: unknown;
  /** Elements (one window each) waiting for side inputs. */
  pushedBack?: Uint8Array;
  side?: Record<string, Uint8Array>;
  /** The keyed state store's snapshot (`KeyedStateStore.writeSnapshot`). */
  keyedState?: Uint8Array;
  /** The timer service's snapshot (`TimerService.writeSnapshot`). */
  timers?: Uint8Array;
  /** Per text sink, what it handed over at the barrier. */
  sinks?: unknown[];
}

/** Reads a stage snapshot. */
export function decodeStageSnapshot(bytes: Uint8Array): StageSnapshot {
  return v8.deserialize(bytes) as StageSnapshot;
}
