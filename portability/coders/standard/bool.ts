/** Beam's `beam:coder:bool:v1`: one byte, 0 or 1. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";

/** Codes booleans as a single byte. */
export class BoolCoder implements Coder<boolean> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.BOOL;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = true;

  /** {@inheritDoc Coder.encode} */
  encode(value: boolean, writer: ByteWriter): void {
    if (typeof value !== "boolean") throw new CoderError(this.urn, "expected a boolean", value);
    writer.writeByte(value ? 1 : 0);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): boolean {
    const offset = reader.position;
    const b = reader.readByte();
    if (b > 1) throw new CoderError(this.urn, `byte 0x${b.toString(16)} at offset ${offset} is not a boolean`);
    return b === 1;
  }
}
