/**
 * The immutability check's memory of what was output: each checked edge
 * remembers its recent outputs (the value and a pristine copy, or the value
 * and its encoding) and verifies they are unchanged when its bundle ends, as
 * Beam's ImmutabilityEnforcementFactory does at bundle commit.
 *
 * What an edge remembers is bounded: outputs are kept in generations of
 * {@link WATCH_GENERATION}; when a generation is full, the one before it is
 * verified and forgotten. So every output is verified, and watched until its
 * bundle ends or at least {@link WATCH_GENERATION} later outputs of its edge
 * have gone by, whichever is first; a bundle of a million outputs holds no
 * more than two generations. A mutation made later than that to an old
 * output is not seen; the usual ways of mutating an output (reusing one
 * object for every output, changing an accumulator after emitting it) show
 * up at the very next outputs.
 */
import { ByteWriter } from "../../portability/coders";

/**
 * How many outputs make a generation: small enough that the watched values
 * stay in V8's young generation (cheap to collect), large enough to catch a
 * mutation well after the output.
 */
export const WATCH_GENERATION = 1024;

/** One generation of an edge's watched outputs. */
export class WatchedOutputs {
  /** Outputs watched by snapshot, with their snapshots. */
  readonly values: unknown[] = [];
  readonly snapshots: unknown[] = [];
  /** KVs of two primitives watched by their key and value (`primitive_kv.ts`), with them: key, value, key, value... */
  readonly kvs: object[] = [];
  readonly kvParts: unknown[] = [];
  /** Outputs watched by encoding, with their bounds in the arena. */
  readonly encodedValues: unknown[] = [];
  readonly encodedBounds: number[] = [];
  /** Encodings of the outputs watched by encoding, back to back. */
  readonly arena = new ByteWriter(1 << 12);

  /** How many outputs are watched. */
  get count(): number {
    return this.values.length + this.kvs.length + this.encodedValues.length;
  }

  /** Forgets every output. */
  clear(): void {
    this.values.length = 0;
    this.snapshots.length = 0;
    this.kvs.length = 0;
    this.kvParts.length = 0;
    this.encodedValues.length = 0;
    this.encodedBounds.length = 0;
    this.arena.reset();
  }
}

/** Something that re-checks its watched outputs. */
export interface WatchedEdge {
  /** Fails if a watched output changed since it was output; then forgets every watched output. */
  verifyAndForget(): void;
}

/** The edges that watch outputs of the running bundle, verified when it ends. */
export class OutputWatchList {
  private readonly edges: WatchedEdge[] = [];

  /** An edge that watches outputs in this bundle; registered once until the bundle ends. */
  register(edge: WatchedEdge): void {
    this.edges.push(edge);
  }

  /** Fails (with the first edge's failure) if any watched output changed since it was output; every edge forgets its outputs. */
  verifyAndClear(): void {
    let failed = false;
    let failure: unknown;
    for (const edge of this.edges) {
      try {
        edge.verifyAndForget();
      } catch (e) {
        if (!failed) failure = e;
        failed = true;
      }
    }
    this.edges.length = 0;
    if (failed) throw failure;
  }
}
