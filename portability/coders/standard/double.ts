/** Beam's `beam:coder:double:v1`: an IEEE-754 double, big-endian. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";

/**
 * Codes numbers as 8-byte doubles. Not deterministic, like Beam's Java
 * `DoubleCoder`: `0` and `-0` are `===` but encode differently, so doubles
 * must not be grouping keys.
 */
export class DoubleCoder implements Coder<number> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.DOUBLE;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = false;

  /** {@inheritDoc Coder.encode} */
  encode(value: number, writer: ByteWriter): void {
    if (typeof value !== "number") throw new CoderError(this.urn, "expected a number", value);
    writer.writeDoubleBE(value);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): number {
    return reader.readDoubleBE();
  }
}
