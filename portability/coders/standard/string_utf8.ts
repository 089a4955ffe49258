/** Beam's `beam:coder:string_utf8:v1`: UTF-8 text, length-prefixed when nested. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, type CoderContext, CoderError } from "../coder";
import { coderUrns } from "../urns";

/** Codes strings as UTF-8 (lone surrogates become U+FFFD, as in any UTF-8 encoder). */
export class StringUtf8Coder implements Coder<string> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.STRING_UTF8;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[] = [];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic = true;

  /** {@inheritDoc Coder.encode} */
  encode(value: string, writer: ByteWriter, context: CoderContext): void {
    if (typeof value !== "string") throw new CoderError(this.urn, "expected a string", value);
    if (context === "nested") writer.writeUtf8Nested(value);
    else writer.writeUtf8(value);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: CoderContext): string {
    return context === "nested" ? reader.readUtf8Nested() : reader.readUtf8(reader.remaining);
  }
}
