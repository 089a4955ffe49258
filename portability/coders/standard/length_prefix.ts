/**
 * Beam's `beam:coder:length_prefix:v1`: varint byte length, then the
 * component in the outer context. Lets a runner skip or carry values whose
 * coder it does not know.
 */
import type { ByteReader } from "../byte_reader";
import { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";

/** Wraps a coder with a byte-length prefix. */
export class LengthPrefixCoder<T> implements Coder<T> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.LENGTH_PREFIX;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;
  // The length must be known before the bytes, so the component is encoded
  // aside first; one scratch writer per coder, unless re-entered.
  private scratch: ByteWriter | undefined = new ByteWriter();

  /**
   * Wraps a coder so that its output is length-prefixed.
   *
   * @param valueCoder the wrapped coder.
   */
  constructor(readonly valueCoder: Coder<T>) {
    this.components = [valueCoder as Coder];
    this.deterministic = valueCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: T, writer: ByteWriter): void {
    const scratch = this.scratch ?? new ByteWriter();
    this.scratch = undefined;
    try {
      scratch.reset();
      this.valueCoder.encode(value, scratch, "outer");
      writer.writeVarint(scratch.length);
      writer.writeBytes(scratch.view());
    } finally {
      this.scratch = scratch;
    }
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): T {
    const n = reader.readLength();
    const sub = reader.subReader(n);
    const value = this.valueCoder.decode(sub, "outer");
    if (!sub.atEnd) {
      throw new CoderError(this.urn, `component ${this.valueCoder.urn} left ${sub.remaining} of ${n} bytes unread`);
    }
    return value;
  }
}
