/**
 * Beam's `beam:coder:iterable:v1`: an int32 big-endian count and the elements
 * nested; or, when the writer did not know the length, int32 -1 followed by
 * blocks of (varint count, elements) ending with a varint 0.
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";

/**
 * Shared by the iterable coders: decodes either form. A block count of -1 is
 * only meaningful to `state_backed_iterable` (a state continuation), which
 * passes `onContinuation`; here it is an error.
 */
export function decodeIterableElements<T>(
  urn: string,
  element: Coder<T>,
  reader: ByteReader,
  onContinuation?: (reader: ByteReader, out: T[]) => void,
): T[] {
  const offset = reader.position;
  const count = reader.readInt32BE();
  if (count >= 0) {
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(element.decode(reader, "nested"));
    return out;
  }
  if (count !== -1) throw new CoderError(urn, `bad element count ${count} at offset ${offset}`);
  const out: T[] = [];
  for (;;) {
    const blockOffset = reader.position;
    const n = reader.readVarintNumberOrBig();
    if (n === 0) return out;
    if (n === -1 && onContinuation) {
      onContinuation(reader, out);
      return out;
    }
    if (typeof n !== "number" || n < 0) {
      throw new CoderError(urn, `bad block count ${n} at offset ${blockOffset}`);
    }
    for (let i = 0; i < n; i++) out.push(element.decode(reader, "nested"));
  }
}

/** Writes the counted form: int32 count, then the elements nested. */
export function encodeIterableElements<T>(urn: string, element: Coder<T>, value: readonly T[], writer: ByteWriter): void {
  if (!Array.isArray(value)) throw new CoderError(urn, "expected an array", value);
  const n = value.length;
  if (n > 0x7fffffff) throw new CoderError(urn, `array of ${n} elements is too long for an int32 count`);
  writer.writeInt32BE(n);
  for (let i = 0; i < n; i++) element.encode(value[i], writer, "nested");
}

/** Codes JS arrays with an element coder. Writes the counted form; reads both forms. */
export class IterableCoder<T> implements Coder<T[]> {
  /** {@inheritDoc Coder.urn} */
  readonly urn: string = coderUrns.ITERABLE;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * A coder for arrays of one element type.
   *
   * @param elementCoder codes each element (always nested).
   */
  constructor(readonly elementCoder: Coder<T>) {
    this.components = [elementCoder as Coder];
    this.deterministic = elementCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: T[], writer: ByteWriter): void {
    encodeIterableElements(this.urn, this.elementCoder, value, writer);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): T[] {
    return decodeIterableElements(this.urn, this.elementCoder, reader);
  }
}
