import type { ByteReader } from "../../../portability/coders/byte_reader";
import type { ByteWriter } from "../../../portability/coders/byte_writer";
import { type Coder, type CoderContext, CoderError } from "../../../portability/coders/coder";
import { JS_VALUE_CODER } from "../../../portability/coders/js_value_coder";
import { OffsetRange } from "./offset_range";

const URN = "millrace:coder:restriction:v1";
const OFFSET_RANGE = 0;
const PLAIN = 1;

/**
 * The default restriction coder of a splittable DoFn: an {@link OffsetRange}
 * comes back as an `OffsetRange` (so its methods work after a checkpoint);
 * anything else is coded as plain data by the JS value coder.
 */
export class DefaultRestrictionCoder implements Coder<unknown> {
  readonly urn = URN;
  readonly components: readonly Coder[] = [];
  readonly deterministic = true;

  encode(value: unknown, writer: ByteWriter, _context: CoderContext): void {
    if (value instanceof OffsetRange) {
      writer.writeByte(OFFSET_RANGE);
      writer.writeDoubleBE(value.from);
      writer.writeDoubleBE(value.to);
      return;
    }
    writer.writeByte(PLAIN);
    try {
      JS_VALUE_CODER.encode(value as never, writer);
    } catch (e) {
      throw new CoderError(
        URN,
        `a restriction must be an OffsetRange or plain data, or the DoFn must give a restrictionCoder: ${(e as Error).message}`,
      );
    }
  }

  decode(reader: ByteReader, _context: CoderContext): unknown {
    const tag = reader.readByte();
    if (tag === OFFSET_RANGE) return new OffsetRange(reader.readDoubleBE(), reader.readDoubleBE());
    if (tag === PLAIN) return JS_VALUE_CODER.decode(reader);
    throw new CoderError(URN, `unknown restriction tag ${tag}`);
  }
}

/** The one instance (the coder has no parameters). */
export const DEFAULT_RESTRICTION_CODER = new DefaultRestrictionCoder();
