/** Beam's `beam:coder:nullable:v1`: 0x00 for null, else 0x01 then the value in the same context. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, type CoderContext, CoderError } from "../coder";
import { coderUrns } from "../urns";

/**
 * Adds `null` to a coder's values. `undefined` is encoded as null too (so
 * optional fields work) and therefore decodes as `null`.
 */
export class NullableCoder<T> implements Coder<T | null> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.NULLABLE;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * Wraps a coder so that it also accepts `null`.
   *
   * @param valueCoder codes the non-null values.
   */
  constructor(readonly valueCoder: Coder<T>) {
    this.components = [valueCoder as Coder];
    this.deterministic = valueCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: T | null, writer: ByteWriter, context: CoderContext): void {
    if (value === null || value === undefined) {
      writer.writeByte(0);
    } else {
      writer.writeByte(1);
      this.valueCoder.encode(value, writer, context);
    }
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: CoderContext): T | null {
    const offset = reader.position;
    const flag = reader.readByte();
    if (flag === 0) return null;
    if (flag !== 1) throw new CoderError(this.urn, `bad null marker 0x${flag.toString(16)} at offset ${offset}`);
    return this.valueCoder.decode(reader, context);
  }
}
