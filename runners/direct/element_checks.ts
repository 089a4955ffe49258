/**
 * The direct runner's checks on every edge between transforms, as in Beam's
 * DirectRunner:
 *
 * - encodability: each element must survive its PCollection's coder, and
 *   consumers see what they would see on a distributed runner: the decoded
 *   copy, or for values the standard coders represent exactly (plain JS
 *   values, KVs and arrays of them) the value itself, proven equal to its
 *   decoded copy without encoding it (`faithful_copy.ts`); an element that
 *   cannot be encoded, or that comes back different, fails the job naming
 *   the producer;
 * - immutability: a pristine copy (or the encoding) of each element is
 *   compared with it again after each consumer ran (a consumer mutated its
 *   input) and, for elements a transform output, later (the producer mutated
 *   an element after outputting it; `output_watch.ts` says when).
 *
 * On a transform's output one snapshot per element does all of it: it
 * proves the element survives its coder, it is what each consumer's input is
 * compared with, and what the producer's later mutations are found against;
 * every consumer, runner code included, receives the element itself, so a
 * sink holds what it holds with the checks off, and the checks' memory is
 * the watch's, bounded. A KV of two primitives needs no snapshot at all
 * (`primitive_kv.ts`); primitive values cannot be mutated and skip the
 * immutability work. Elements that enter a stage (from a source or a
 * committed bundle) come from runner code: each consumer gets its own copy,
 * compared after it ran, and nothing is watched, as no transform holds them.
 */
import type { Coder } from "../../portability/coders/coder";
import { ByteReader, ByteWriter, coderUrns, valuesEqualStructurally } from "../../portability/coders";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import type { NamedReceiver } from "../../portability/harness/stage_executor";
import { RunnerCheckError } from "../../portability/harness/user_code_error";
import { unencodableElementError } from "../../portability/harness/unencodable_element";
import { previewValue } from "../../portability/values/preview";
import { faithfulCopy, faithfulSnapshot, NOT_FAITHFUL, UNKNOWN } from "./faithful_copy";
import { equalsPristine } from "./copy_equality";
import { holdsExactly, isKvOfJsValues, isPrimitiveKv } from "./primitive_kv";
import { WATCH_GENERATION, WatchedOutputs, type OutputWatchList, type WatchedEdge } from "./output_watch";
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";

/** Which checks are on. */
export interface CheckSettings {
  readonly immutability: boolean;
  readonly encodability: boolean;
}

/** An edge from one PCollection to its consumers, as a checked edge needs to know it. */
export interface EdgeDescription {
  readonly pcollection: string;
  /** The transform blamed for an element that does not survive its coder or changes after output. */
  readonly producer: string;
  readonly consumers: readonly NamedReceiver[];
  readonly coder: Coder<unknown>;
  /**
   * The elements come from runner code (a stage's source, or a bundle
   * another edge checked and committed): they are compared around each
   * consumer but not watched for later changes, as no transform holds them.
   */
  readonly producedByRunner?: boolean;
  /** The GroupByKey reading the PCollection, if any: blamed for a non-KV element. Only asked on failure. */
  readonly keyedConsumer?: () => string | undefined;
}

/**
 * Whether a primitive survives a round trip through one of the standard
 * coders, known without encoding it: the JS value coder keeps every number,
 * boolean, null, undefined and bigint exactly, and it and the UTF-8 string
 * coder keep exactly the well-formed strings (a lone surrogate becomes U+FFFD).
 * Undefined when only encoding can tell (other coders, other types).
 */
const JS_VALUE = coderUrns.JS_VALUE;
const STRING_UTF8 = coderUrns.STRING_UTF8;

function primitiveSurvives(coderUrn: string, value: unknown): boolean | undefined {
  const t = typeof value;
  if (coderUrn === JS_VALUE) {
    if (t === "string") return (value as string).isWellFormed();
    if (t === "number" || t === "boolean" || t === "bigint" || value === null || value === undefined) return true;
  } else if (coderUrn === STRING_UTF8 && t === "string") {
    return (value as string).isWellFormed();
  }
  return undefined;
}

function isImmutablePrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || (t !== "object" && t !== "function");
}

/**
 * An edge from one PCollection to its consumers, with the checks switched on.
 *
 * Values the standard coders represent exactly are checked with one copy
 * (see the module comment); anything else is encoded into the edge's arena,
 * decoded for real for each consumer, and watched by its encoding.
 */
export class CheckedEdge implements ElementReceiver, WatchedEdge {
  private readonly pcollection: string;
  private readonly producer: string;
  private readonly consumers: readonly NamedReceiver[];
  private readonly coder: Coder<unknown>;
  private readonly keyedConsumer: () => string | undefined;
  /** Whether outputs are watched after their consumers ran (immutability on, elements from a transform). */
  private readonly watchesOutputs: boolean;
  /** The coder is a KV of JS values: KVs of two primitives take the shortcut of `primitive_kv.ts`. */
  private readonly kvOfJsValues: boolean;
  /** The outputs being watched: the generation filling up, and the one before it. */
  private current = new WatchedOutputs();
  private previous = new WatchedOutputs();
  /** Scratch space for re-encoding. */
  private readonly scratch = new ByteWriter();
  /** Whether the watch list will ask this edge to verify at the end of the bundle. */
  private registered = false;

  constructor(
    edge: EdgeDescription,
    private readonly settings: CheckSettings,
    private readonly watch: OutputWatchList,
  ) {
    this.pcollection = edge.pcollection;
    this.producer = edge.producer;
    this.consumers = edge.consumers;
    this.coder = edge.coder;
    this.keyedConsumer = edge.keyedConsumer ?? (() => undefined);
    this.watchesOutputs = settings.immutability && edge.producedByRunner !== true;
    this.kvOfJsValues = isKvOfJsValues(edge.coder);
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (isImmutablePrimitive(value)) {
      this.receivePrimitive(value, timestamp, windows, pane);
      return;
    }
    if (this.watchesOutputs && this.kvOfJsValues && isPrimitiveKv(value as object)) {
      this.receivePrimitiveKv(value as { key: unknown; value: unknown }, timestamp, windows, pane);
      return;
    }
    // A snapshot is seen by no user code; a copy is handed to consumers.
    const copy = this.watchesOutputs ? faithfulSnapshot(this.coder, value) : faithfulCopy(this.coder, value);
    if (copy === UNKNOWN || copy === NOT_FAITHFUL) {
      this.receiveByEncoding(value, timestamp, windows, pane);
      return;
    }
    if (this.watchesOutputs) this.receiveWatched(value, copy, timestamp, windows, pane);
    else this.receiveCopied(value, copy, timestamp, windows, pane);
  }

  /**
   * A transform's output, immutability on: every consumer receives the value
   * itself (equal to its decoded copy, as the copy proves), and the copy is
   * the snapshot it must still equal after each transform that read it, and
   * later (see `output_watch.ts`). Runner code (a sink, a precombine) holds
   * the value as it holds it with the checks off, so the checks add no
   * memory that lasts longer than the watch.
   */
  private receiveWatched(value: unknown, snapshot: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i]!;
      consumer.receiver.receive(value, timestamp, windows, pane);
      if (consumer.trusted !== true && !equalsPristine(value, snapshot)) this.consumerMutated(consumer, value);
    }
    this.startWatching();
    this.current.values.push(value);
    this.current.snapshots.push(snapshot);
    if (this.current.values.length >= WATCH_GENERATION) this.nextGeneration();
  }

  /** As {@link receiveWatched}, for a KV of two primitives: its key and value are the snapshot. */
  private receivePrimitiveKv(
    kv: { key: unknown; value: unknown },
    timestamp: number,
    windows: readonly BoundedWindow[],
    pane: PaneInfo,
  ): void {
    const key = kv.key;
    const value = kv.value;
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i]!;
      consumer.receiver.receive(kv, timestamp, windows, pane);
      if (consumer.trusted !== true && !holdsExactly(kv, key, value)) this.consumerMutated(consumer, kv);
    }
    this.startWatching();
    const current = this.current;
    current.kvs.push(kv);
    current.kvParts.push(key, value);
    if (current.kvs.length >= WATCH_GENERATION) this.nextGeneration();
  }

  /** Elements from runner code, or immutability off: each consumer gets its own copy, nothing is watched. */
  private receiveCopied(value: unknown, copy: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const { encodability, immutability } = this.settings;
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i]!;
      // Each consumer gets its own copy, as on a distributed runner.
      const input = encodability ? (i === 0 ? copy : faithfulCopy(this.coder, value)) : value;
      const reference = encodability ? value : copy;
      consumer.receiver.receive(input, timestamp, windows, pane);
      if (immutability && consumer.trusted !== true && !equalsPristine(input, reference)) this.consumerMutated(consumer, input);
    }
  }

  /** How many outputs the edge is watching now: fewer than twice {@link WATCH_GENERATION}. */
  get watchedCount(): number {
    return this.current.count + this.previous.count;
  }

  verifyAndForget(): void {
    this.registered = false;
    try {
      this.verify(this.previous);
    } finally {
      this.verify(this.current);
    }
  }

  /** The current generation is full: the one before it is verified and forgotten, and the current one takes its place. */
  private nextGeneration(): void {
    const verified = this.previous;
    this.verify(verified);
    this.previous = this.current;
    this.current = verified;
  }

  /** Fails if an output of `watched` changed since it was output; forgets them all either way. */
  private verify(watched: WatchedOutputs): void {
    try {
      const { values, snapshots, encodedValues, encodedBounds } = watched;
      for (let i = 0; i < values.length; i++) {
        if (!equalsPristine(values[i], snapshots[i])) this.producerMutated(values[i]);
      }
      const { kvs, kvParts } = watched;
      for (let i = 0; i < kvs.length; i++) {
        if (!holdsExactly(kvs[i]!, kvParts[2 * i], kvParts[2 * i + 1])) this.producerMutated(kvs[i]);
      }
      for (let i = 0; i < encodedValues.length; i++) {
        if (!this.unchanged(encodedValues[i], watched.arena, encodedBounds[2 * i]!, encodedBounds[2 * i + 1]!))
          this.producerMutated(encodedValues[i]);
      }
    } finally {
      watched.clear();
    }
  }

  private startWatching(): void {
    if (this.registered) return;
    this.registered = true;
    this.watch.register(this);
  }

  /** Primitives cannot be mutated: only whether they survive the coder is in question. */
  private receivePrimitive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (this.settings.encodability && primitiveSurvives(this.coder.urn, value) !== true) {
      const arena = this.current.arena;
      const start = arena.length;
      this.encode(value);
      const decoded = this.decode(start, arena.length);
      arena.truncate(start);
      this.checkSurvives(value, decoded);
    }
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) consumers[i]!.receiver.receive(value, timestamp, windows, pane);
  }

  /** The general path: encode into the current generation's arena, decode copies, compare encodings. */
  private receiveByEncoding(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const { encodability, immutability } = this.settings;
    const arena = this.current.arena;
    const start = arena.length;
    this.encode(value);
    const end = arena.length;
    let copy: unknown;
    if (encodability) {
      copy = this.decode(start, end);
      this.checkSurvives(value, copy);
    }
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i]!;
      const input = encodability ? (i === 0 ? copy : this.decode(start, end)) : value;
      consumer.receiver.receive(input, timestamp, windows, pane);
      if (immutability && consumer.trusted !== true && !this.unchanged(input, arena, start, end)) this.consumerMutated(consumer, input);
    }
    if (!this.watchesOutputs) {
      arena.truncate(start);
      return;
    }
    this.startWatching();
    this.current.encodedValues.push(value);
    this.current.encodedBounds.push(start, end);
    if (this.current.encodedValues.length >= WATCH_GENERATION) this.nextGeneration();
  }

  /** True when `value` still encodes to `arena`'s bytes `[start, end)`. */
  private unchanged(value: unknown, arena: ByteWriter, start: number, end: number): boolean {
    this.scratch.reset();
    this.coder.encode(value, this.scratch, "outer");
    return arena.rangeEquals(start, end, this.scratch);
  }

  private consumerMutated(consumer: NamedReceiver, input: unknown): never {
    throw new RunnerCheckError(
      consumer.transform,
      `transform '${consumer.transform}' mutated its input element (from ${this.pcollection}): now ${previewValue(input)}; ` +
        `inputs must be treated as immutable: copy before changing (--enforceImmutability=false turns this check off)`,
    );
  }

  private producerMutated(value: unknown): never {
    throw new RunnerCheckError(
      this.producer,
      `transform '${this.producer}' (or a CombineFn it feeds) mutated an element after outputting it (now ${previewValue(value)}); ` +
        `outputs must not change once emitted: emit a copy instead (--enforceImmutability=false turns this check off)`,
    );
  }

  private checkSurvives(value: unknown, copy: unknown): void {
    if (!valuesEqualStructurally(copy, value)) {
      throw new RunnerCheckError(
        this.producer,
        `an element output by '${this.producer}' to ${this.pcollection} does not survive its coder ${this.coder.urn}: ` +
          `${previewValue(value)} came back as ${previewValue(copy)} (--enforceEncodability=false turns this check off)`,
      );
    }
  }

  private encode(value: unknown): void {
    try {
      this.coder.encode(value, this.current.arena, "outer");
    } catch (e) {
      throw unencodableElementError(
        { producer: this.producer, pcollection: this.pcollection, keyedConsumer: this.keyedConsumer() },
        e,
        value,
      );
    }
  }

  private decode(start: number, end: number): unknown {
    return this.coder.decode(new ByteReader(this.current.arena.backing, start, end), "outer");
  }
}
