/**
 * Beam's `beam:coder:state_backed_iterable:v1`: the iterable encoding, where
 * in the block form a block count of -1 ends the inline part and is followed
 * by a state token (nested bytes); the remaining elements live in runner
 * state under that token, as the concatenation of the nested elements.
 */
import type { ByteReader } from "../byte_reader";
import { ByteReader as Reader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";
import { decodeIterableElements, encodeIterableElements } from "./iterable";

/**
 * Fetches the bytes stored in runner state under a continuation token.
 * Synchronous because decoding is; a runner that fetches state remotely must
 * do so before decoding.
 */
export type StateReader = (token: Uint8Array) => Uint8Array;

/** Codes JS arrays like {@link IterableCoder}, and follows state continuations when decoding. */
export class StateBackedIterableCoder<T> implements Coder<T[]> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.STATE_BACKED_ITERABLE;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * A coder for arrays that may continue in runner state.
   *
   * @param elementCoder codes each element (always nested).
   * @param stateReader resolves continuation tokens; without one, input that
   *   has a continuation fails to decode.
   */
  constructor(
    readonly elementCoder: Coder<T>,
    readonly stateReader?: StateReader,
  ) {
    this.components = [elementCoder as Coder];
    this.deterministic = elementCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: T[], writer: ByteWriter): void {
    encodeIterableElements(this.urn, this.elementCoder, value, writer);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): T[] {
    return decodeIterableElements(this.urn, this.elementCoder, reader, (r, out) => {
      const token = r.readBytesNested();
      if (!this.stateReader) {
        throw new CoderError(this.urn, "input continues in runner state, but this coder has no state reader");
      }
      const rest = new Reader(this.stateReader(token));
      while (!rest.atEnd) out.push(this.elementCoder.decode(rest, "nested"));
    });
  }
}
