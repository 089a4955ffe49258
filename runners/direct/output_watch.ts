/**
 * The immutability check's memory of what was output: each checked edge
 * remembers its recent outputs (the value and a pristine copy, or the value
 * and its encoding) and verifies they are unchanged when its bundle ends, as
 * Beam's ImmutabilityEnforcementFactory does at bundle commit.
 *
 * What an edge remembers is bounded: once it watches {@link WATCH_WINDOW}
 * outputs it verifies them all right away and forgets them, so a bundle of a
 * million outputs holds no more than a bundle of a few thousand. Every output
 * is still verified, at the latest after the next {@link WATCH_WINDOW}
 * outputs of its edge (or at the end of its bundle, if sooner): a mutation
 * made later than that to an old output is not seen. The usual ways of
 * mutating an output (reusing one object for every output, changing an
 * accumulator after emitting it) show up at the very next outputs.
 */

/**
 * How many outputs an edge watches before verifying them early: small enough
 * that the watched values stay in V8's young generation (cheap to collect),
 * large enough to catch a mutation well after the output.
 */
export const WATCH_WINDOW = 2048;

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
