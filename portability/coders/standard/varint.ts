/** Beam's `beam:coder:varint:v1`: a signed int64 as unsigned LEB128 of its two's complement. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Codes int64 integers. Encodes integral numbers and bigints in the int64
 * range; decodes to a `number` when the value is a safe integer, else a
 * `bigint`.
 */
export class VarIntCoder implements Coder<number | bigint> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.VARINT;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = true;

  /** {@inheritDoc Coder.encode} */
  encode(value: number | bigint, writer: ByteWriter): void {
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < -0x8000000000000000 || value >= 0x8000000000000000) {
        throw new CoderError(this.urn, "expected an integer in the int64 range", value);
      }
    } else if (typeof value === "bigint") {
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new CoderError(this.urn, "expected an integer in the int64 range", value);
      }
    } else {
      throw new CoderError(this.urn, "expected a number or bigint", value);
    }
    writer.writeVarint(value);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): number | bigint {
    return reader.readVarintNumberOrBig();
  }
}
