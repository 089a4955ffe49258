/** Beam's `beam:coder:bytes:v1`: raw bytes, length-prefixed when nested. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, type CoderContext, CoderError } from "../coder";
import { coderUrns } from "../urns";

/** Codes `Uint8Array`s (a `Buffer` is accepted; decoding always yields a plain `Uint8Array` copy). */
export class BytesCoder implements Coder<Uint8Array> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.BYTES;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = true;

  /** {@inheritDoc Coder.encode} */
  encode(value: Uint8Array, writer: ByteWriter, context: CoderContext): void {
    if (!(value instanceof Uint8Array)) throw new CoderError(this.urn, "expected a Uint8Array", value);
    if (context === "nested") writer.writeBytesNested(value);
    else writer.writeBytes(value);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: CoderContext): Uint8Array {
    // Copy: a view would pin, and alias, the whole input buffer.
    const view = context === "nested" ? reader.readBytesNested() : reader.readBytes(reader.remaining);
    return new Uint8Array(view);
  }
}
