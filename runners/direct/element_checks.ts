/**
 * The direct runner's checks on every edge between transforms, as in Beam's
 * DirectRunner:
 *
 * - encodability: each element is encoded with its PCollection's coder and
 *   consumers receive a decoded copy, as they would on a distributed
 *   runner; an element that cannot be encoded, or that comes back different,
 *   fails the job naming the producer;
 * - immutability: the encoding is kept, and compared again after each
 *   consumer ran (a consumer mutated its input) and at the end of the
 *   producer's bundle (the producer mutated an element after outputting it).
 *
 * Encodings go into one arena per bundle, addressed by offsets, so checking
 * allocates nothing per element beyond the decoded copies themselves.
 * Primitive values cannot be mutated and skip the immutability work.
 */
import type { Coder } from "../../portability/coders/coder";
import { ByteReader, ByteWriter, coderUrns, valuesEqualStructurally } from "../../portability/coders";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import type { NamedReceiver } from "../../portability/harness/stage_executor";
import { RunnerCheckError } from "../../portability/harness/user_code_error";
import { unencodableElementError } from "../../portability/harness/unencodable_element";
import { previewValue } from "../../portability/values/preview";
import { faithfulCopy, NOT_FAITHFUL, UNKNOWN } from "./faithful_copy";
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";

/** Which checks are on. */
export interface CheckSettings {
  readonly immutability: boolean;
  readonly encodability: boolean;
}

/** Something that re-checks its watched outputs when the bundle ends. */
interface WatchedEdge {
  verifyAndForget(): void;
}

/**
 * The encodings of one bundle's outputs, kept until the bundle ends so that
 * a mutation after output can be detected then. Edges keep their own lists
 * of watched values; this holds the shared byte arena and the edges to check.
 */
export class OutputWatchList {
  /** Encoded outputs, back to back. */
  readonly arena = new ByteWriter(1 << 16);
  /** Scratch space for re-encoding. */
  readonly scratch = new ByteWriter();
  private readonly edges: WatchedEdge[] = [];

  /** An edge that watches outputs in this bundle. */
  register(edge: WatchedEdge): void {
    this.edges.push(edge);
  }

  /** True when `value` still encodes to arena `[start, end)`. */
  unchanged(value: unknown, start: number, end: number, coder: Coder<unknown>): boolean {
    this.scratch.reset();
    coder.encode(value, this.scratch, "outer");
    return this.arena.rangeEquals(start, end, this.scratch);
  }

  /** Fails if any watched output changed since it was output; then forgets everything. */
  verifyAndClear(): void {
    try {
      for (const edge of this.edges) edge.verifyAndForget();
    } finally {
      this.edges.length = 0;
      this.arena.reset();
    }
  }
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
 * Values the standard coders represent exactly (plain JS values, KVs and
 * arrays of them) are checked with copies: a faithful copy stands for the
 * decoded element, and a pristine copy is the snapshot compared at the end of
 * the bundle. Anything else is encoded into the arena and decoded for real.
 */
export class CheckedEdge implements ElementReceiver, WatchedEdge {
  /** Outputs watched by snapshot, with their snapshots. */
  private readonly snapshotValues: unknown[] = [];
  private readonly snapshots: unknown[] = [];
  /** Outputs watched by encoding, with their arena bounds. */
  private readonly encodedValues: unknown[] = [];
  private readonly encodedBounds: number[] = [];
  /** Every consumer is runner code: the copy handed downstream stays pristine and can be the snapshot. */
  private readonly allTrusted: boolean;

  constructor(
    private readonly pcollection: string,
    private readonly producer: string,
    private readonly consumers: readonly NamedReceiver[],
    private readonly coder: Coder<unknown>,
    private readonly settings: CheckSettings,
    private readonly watch: OutputWatchList,
    /** The GroupByKey reading the PCollection, if any: blamed for a non-KV element. Only asked on failure. */
    private readonly keyedConsumer: () => string | undefined = () => undefined,
  ) {
    this.allTrusted = consumers.every((c) => c.trusted === true);
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (isImmutablePrimitive(value)) {
      this.receivePrimitive(value, timestamp, windows, pane);
      return;
    }
    const copy = faithfulCopy(this.coder, value);
    if (copy === UNKNOWN || copy === NOT_FAITHFUL) {
      this.receiveByEncoding(value, timestamp, windows, pane);
      return;
    }
    const { encodability, immutability } = this.settings;
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i]!;
      // Each consumer gets its own copy, as on a distributed runner.
      const input = encodability ? (i === 0 ? copy : faithfulCopy(this.coder, value)) : value;
      const reference = encodability ? value : copy;
      consumer.receiver.receive(input, timestamp, windows, pane);
      if (immutability && consumer.trusted !== true && !valuesEqualStructurally(input, reference)) this.consumerMutated(consumer, input);
    }
    if (immutability) {
      const snapshot = !encodability || this.allTrusted ? copy : faithfulCopy(this.coder, value);
      if (this.snapshotValues.length === 0 && this.encodedValues.length === 0) this.watch.register(this);
      this.snapshotValues.push(value);
      this.snapshots.push(snapshot);
    }
  }

  verifyAndForget(): void {
    try {
      for (let i = 0; i < this.snapshotValues.length; i++) {
        if (!valuesEqualStructurally(this.snapshotValues[i], this.snapshots[i])) this.producerMutated(this.snapshotValues[i]);
      }
      for (let i = 0; i < this.encodedValues.length; i++) {
        const bounds = this.encodedBounds;
        if (!this.watch.unchanged(this.encodedValues[i], bounds[2 * i]!, bounds[2 * i + 1]!, this.coder)) {
          this.producerMutated(this.encodedValues[i]);
        }
      }
    } finally {
      this.snapshotValues.length = 0;
      this.snapshots.length = 0;
      this.encodedValues.length = 0;
      this.encodedBounds.length = 0;
    }
  }

  /** Primitives cannot be mutated: only whether they survive the coder is in question. */
  private receivePrimitive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    if (this.settings.encodability && primitiveSurvives(this.coder.urn, value) !== true) {
      const arena = this.watch.arena;
      const start = arena.length;
      this.encode(value);
      const decoded = this.decode(start, arena.length);
      arena.truncate(start);
      this.checkSurvives(value, decoded);
    }
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) consumers[i]!.receiver.receive(value, timestamp, windows, pane);
  }

  /** The general path: encode into the arena, decode copies, compare encodings. */
  private receiveByEncoding(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const { encodability, immutability } = this.settings;
    const arena = this.watch.arena;
    const start = arena.length;
    this.encode(value);
    const end = arena.length;
    let copy: unknown;
    if (encodability) {
      copy = this.decode(start, end);
      this.checkSurvives(value, copy);
    }
    if (immutability) {
      if (this.snapshotValues.length === 0 && this.encodedValues.length === 0) this.watch.register(this);
      this.encodedValues.push(value);
      this.encodedBounds.push(start, end);
    }
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i]!;
      const input = encodability ? (i === 0 ? copy : this.decode(start, end)) : value;
      consumer.receiver.receive(input, timestamp, windows, pane);
      if (immutability && consumer.trusted !== true && !this.watch.unchanged(input, start, end, this.coder))
        this.consumerMutated(consumer, input);
    }
    if (!immutability) arena.truncate(start);
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
      this.coder.encode(value, this.watch.arena, "outer");
    } catch (e) {
      throw unencodableElementError(
        { producer: this.producer, pcollection: this.pcollection, keyedConsumer: this.keyedConsumer() },
        e,
        value,
      );
    }
  }

  private decode(start: number, end: number): unknown {
    return this.coder.decode(new ByteReader(this.watch.arena.backing, start, end), "outer");
  }
}
