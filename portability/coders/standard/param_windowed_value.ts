/**
 * Beam's `beam:coder:param_windowed_value:v1`: a windowed value whose
 * timestamp, windows and pane are the same for every element, so they live
 * once in the coder's payload and only the value goes on the wire.
 *
 * The payload is what the windowed value coder writes for those metadata and
 * an empty nested bytes value: timestamp, windows, pane, then `0x00`.
 */
import { ByteReader } from "../byte_reader";
import { ByteWriter } from "../byte_writer";
import { type Coder, type CoderContext, CoderError } from "../coder";
import { coderUrns } from "../urns";
import type { WindowedValue } from "../../../model/windowed_value";
import type { BoundedWindow } from "../../../model/windows";
import { decodeWindowedMetadata, encodeWindowedMetadata, type WindowedValueMetadata } from "./windowed_value";

/** Builds the payload of a {@link ParamWindowedValueCoder} for the given metadata. */
export function paramWindowedValuePayload(windowCoder: Coder<BoundedWindow>, metadata: WindowedValueMetadata): Uint8Array {
  const writer = new ByteWriter(64);
  encodeWindowedMetadata(coderUrns.PARAM_WINDOWED_VALUE, windowCoder, metadata, writer);
  writer.writeByte(0); // the empty value, for byte-compatibility with Beam's SDKs
  return writer.finish();
}

/**
 * Codes {@link WindowedValue}s whose metadata are fixed by the payload.
 * Encoding writes only `value.value` (the metadata given are not checked
 * against the payload, as in Beam); decoding attaches the payload's metadata.
 */
export class ParamWindowedValueCoder<T> implements Coder<WindowedValue<T>> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.PARAM_WINDOWED_VALUE;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.payload} */
  readonly payload: Uint8Array;
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;
  /** The metadata every decoded value gets, parsed from the payload. */
  readonly metadata: Readonly<WindowedValueMetadata>;

  /**
   * A coder whose elements all share the windowing metadata in `payload`.
   *
   * @param valueCoder codes the value.
   * @param windowCoder codes the windows inside the payload.
   * @param payload timestamp, windows and pane as the windowed value coder
   *   writes them (see {@link paramWindowedValuePayload}).
   */
  constructor(
    readonly valueCoder: Coder<T>,
    readonly windowCoder: Coder<BoundedWindow>,
    payload: Uint8Array,
  ) {
    this.components = [valueCoder as Coder, windowCoder as Coder];
    this.payload = payload;
    this.deterministic = valueCoder.deterministic;
    try {
      this.metadata = Object.freeze(decodeWindowedMetadata(this.urn, windowCoder, new ByteReader(payload)));
    } catch (e) {
      throw new CoderError(this.urn, `bad payload: ${(e as Error).message}`);
    }
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: WindowedValue<T>, writer: ByteWriter, context: CoderContext): void {
    if (typeof value !== "object" || value === null || !("value" in value)) {
      throw new CoderError(this.urn, "expected a windowed value", value);
    }
    this.valueCoder.encode(value.value, writer, context);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: CoderContext): WindowedValue<T> {
    const value = this.valueCoder.decode(reader, context);
    const { timestamp, windows, pane } = this.metadata;
    return { value, timestamp, windows, pane };
  }
}
