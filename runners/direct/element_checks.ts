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
import { previewValue } from "../../portability/values/preview";
import { faithfulCopy, NOT_FAITHFUL, UNKNOWN } from "./faithful_copy";
import type { BoundedWindow } from "../../sdk/values/windows";
import type { PaneInfo } from "../../sdk/values/pane";

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

/** An edge from one PCollection to its consumers, with the checks switched on. */
export class CheckedEdge implements ElementReceiver, WatchedEdge {
  private readonly watchedValues: unknown[] = [];
  private readonly watchedBounds: number[] = [];

  constructor(
    private readonly pcollection: string,
    private readonly producer: string,
    private readonly consumers: readonly NamedReceiver[],
    private readonly coder: Coder<unknown>,
    private readonly settings: CheckSettings,
    private readonly watch: OutputWatchList,
  ) {}

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const consumers = this.consumers;
    const { encodability, immutability } = this.settings;
    const primitive = isImmutablePrimitive(value);
    if (primitive && primitiveSurvives(this.coder.urn, value) === true) {
      for (let i = 0; i < consumers.length; i++) consumers[i]!.receiver.receive(value, timestamp, windows, pane);
      return;
    }
    const arena = this.watch.arena;
    // Encoding is needed to watch for mutation, and to check values the shortcut cannot judge.
    let copy: unknown = encodability && !primitive ? faithfulCopy(this.coder, value) : UNKNOWN;
    const start = arena.length;
    if (immutability || copy === UNKNOWN || copy === NOT_FAITHFUL) this.encode(value);
    const end = arena.length;

    if (primitive) {
      if (encodability) this.checkSurvives(value, this.decode(start, end));
      arena.truncate(start);
      for (let i = 0; i < consumers.length; i++) consumers[i]!.receiver.receive(value, timestamp, windows, pane);
      return;
    }
    if (encodability && (copy === UNKNOWN || copy === NOT_FAITHFUL)) {
      copy = this.decode(start, end);
      this.checkSurvives(value, copy);
    }
    if (immutability) {
      if (this.watchedValues.length === 0) this.watch.register(this);
      this.watchedValues.push(value);
      this.watchedBounds.push(start, end);
    }
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i]!;
      // Each consumer gets its own copy, as on a distributed runner.
      const input = encodability ? (i === 0 ? copy : this.copyFor(value, start, end)) : value;
      consumer.receiver.receive(input, timestamp, windows, pane);
      if (immutability && consumer.trusted !== true && !this.watch.unchanged(input, start, end, this.coder)) {
        throw new RunnerCheckError(
          consumer.transform,
          `transform '${consumer.transform}' mutated its input element (from ${this.pcollection}): now ${previewValue(input)}; ` +
            `inputs must be treated as immutable: copy before changing (--enforceImmutability=false turns this check off)`,
        );
      }
    }
    if (!immutability) arena.truncate(start);
  }

  verifyAndForget(): void {
    const values = this.watchedValues;
    const bounds = this.watchedBounds;
    try {
      for (let i = 0; i < values.length; i++) {
        if (!this.watch.unchanged(values[i], bounds[2 * i]!, bounds[2 * i + 1]!, this.coder)) {
          throw new RunnerCheckError(
            this.producer,
            `transform '${this.producer}' mutated an element after outputting it (now ${previewValue(values[i])}); ` +
              `outputs must not change once emitted: emit a copy instead (--enforceImmutability=false turns this check off)`,
          );
        }
      }
    } finally {
      values.length = 0;
      bounds.length = 0;
    }
  }

  private copyFor(value: unknown, start: number, end: number): unknown {
    const c = faithfulCopy(this.coder, value);
    return c === UNKNOWN || c === NOT_FAITHFUL ? this.decode(start, end) : c;
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
      throw new RunnerCheckError(
        this.producer,
        `an element output by '${this.producer}' to ${this.pcollection} cannot be encoded by its coder ${this.coder.urn}: ` +
          `${(e as Error).message}; element: ${previewValue(value)}`,
        { cause: e },
      );
    }
  }

  private decode(start: number, end: number): unknown {
    return this.coder.decode(new ByteReader(this.watch.arena.backing, start, end), "outer");
  }
}
