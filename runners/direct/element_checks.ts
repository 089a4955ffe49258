/**
 * The direct runner's checks on every edge between transforms, as in Beam's
 * DirectRunner:
 *
 * - encodability: each element is encoded with its PCollection's coder and
 *   consumers receive the decoded copy, as they would on a distributed
 *   runner; an element that cannot be encoded, or that comes back different,
 *   fails the job naming the producer;
 * - immutability: the encoding is kept, and compared again after each
 *   consumer ran (a consumer mutated its input) and at the end of the
 *   producer's bundle (the producer mutated an element after outputting it).
 *
 * Primitive values cannot be mutated, so they skip the immutability work.
 */
import type { Coder } from "../../portability/coders/coder";
import { ByteReader, ByteWriter, valuesEqualStructurally } from "../../portability/coders";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import type { NamedReceiver } from "../../portability/harness/stage_executor";
import { RunnerCheckError } from "../../portability/harness/user_code_error";
import { previewValue } from "../../portability/values/preview";
import type { BoundedWindow } from "../../sdk/values/windows";
import type { PaneInfo } from "../../sdk/values/pane";

/** Which checks are on. */
export interface CheckSettings {
  readonly immutability: boolean;
  readonly encodability: boolean;
}

interface Watched {
  readonly producer: string;
  readonly value: unknown;
  readonly bytes: Uint8Array;
  readonly coder: Coder<unknown>;
}

/** Outputs whose encodings are re-checked when the producing bundle ends. */
export class OutputWatchList {
  private readonly watched: Watched[] = [];
  private readonly writer = new ByteWriter();

  add(producer: string, value: unknown, bytes: Uint8Array, coder: Coder<unknown>): void {
    this.watched.push({ producer, value, bytes, coder });
  }

  /** Fails if any watched output changed since it was output; then forgets them. */
  verifyAndClear(): void {
    for (const w of this.watched) {
      this.writer.reset();
      w.coder.encode(w.value, this.writer, "outer");
      if (!bytesEqual(this.writer.view(), w.bytes)) {
        throw new RunnerCheckError(
          w.producer,
          `transform '${w.producer}' mutated an element after outputting it (now ${previewValue(w.value)}); ` +
            `outputs must not change once emitted: emit a copy instead (--enforceImmutability=false turns this check off)`,
        );
      }
    }
    this.watched.length = 0;
  }
}

function isImmutablePrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || (t !== "object" && t !== "function");
}

/** An edge from one PCollection to its consumers, with the checks switched on. */
export class CheckedEdge implements ElementReceiver {
  private readonly writer = new ByteWriter();

  constructor(
    private readonly pcollection: string,
    private readonly producer: string,
    private readonly consumers: readonly NamedReceiver[],
    private readonly coder: Coder<unknown>,
    private readonly settings: CheckSettings,
    private readonly watch: OutputWatchList,
  ) {}

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const bytes = this.encode(value);
    const immutable = isImmutablePrimitive(value);
    if (this.settings.encodability) {
      const copy = this.decode(bytes);
      if (!valuesEqualStructurally(copy, value)) {
        throw new RunnerCheckError(
          this.producer,
          `an element output by '${this.producer}' to ${this.pcollection} does not survive its coder ${this.coder.urn}: ` +
            `${previewValue(value)} came back as ${previewValue(copy)} (--enforceEncodability=false turns this check off)`,
        );
      }
    }
    if (this.settings.immutability && !immutable) this.watch.add(this.producer, value, bytes, this.coder);
    for (let i = 0; i < this.consumers.length; i++) {
      const consumer = this.consumers[i]!;
      // Each consumer gets its own decoded copy, as on a distributed runner.
      const input = this.settings.encodability && !immutable ? this.decode(bytes) : value;
      consumer.receiver.receive(input, timestamp, windows, pane);
      if (this.settings.immutability && !immutable) {
        this.writer.reset();
        this.coder.encode(input, this.writer, "outer");
        if (!bytesEqual(this.writer.view(), bytes)) {
          throw new RunnerCheckError(
            consumer.transform,
            `transform '${consumer.transform}' mutated its input element (from ${this.pcollection}); ` +
              `inputs must be treated as immutable: copy before changing (--enforceImmutability=false turns this check off)`,
          );
        }
      }
    }
  }

  private encode(value: unknown): Uint8Array {
    try {
      this.writer.reset();
      this.coder.encode(value, this.writer, "outer");
      return this.writer.finish();
    } catch (e) {
      throw new RunnerCheckError(
        this.producer,
        `an element output by '${this.producer}' to ${this.pcollection} cannot be encoded by its coder ${this.coder.urn}: ` +
          `${(e as Error).message}; element: ${previewValue(value)}`,
        { cause: e },
      );
    }
  }

  private decode(bytes: Uint8Array): unknown {
    return this.coder.decode(new ByteReader(bytes), "outer");
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
