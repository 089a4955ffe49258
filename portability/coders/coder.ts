/**
 * The contract between millrace's values and bytes on the wire.
 *
 * A coder is a description (URN, payload, component coders: exactly what the
 * Runner API `Coder` proto carries) plus encode/decode functions, so that a
 * runner can rebuild the same coder from a serialized pipeline.
 */
import { ByteReader } from "./byte_reader";
import { ByteWriter } from "./byte_writer";

/**
 * Beam's two encoding contexts. `"outer"`: the value is the last thing in the
 * stream, so variable-length values may omit their length. `"nested"`: more
 * data follows, so every value must be self-delimiting.
 */
export type CoderContext = "nested" | "outer";

/** Turns values of type `T` into bytes and back. */
export interface Coder<T = unknown> {
  /** The coder's URN, e.g. `"beam:coder:varint:v1"`. */
  readonly urn: string;
  /** Component coders, in the order of the proto's `component_coder_ids`. */
  readonly components: readonly Coder[];
  /** The `FunctionSpec` payload, if the coder has one. */
  readonly payload?: Uint8Array;
  /** True when equal values always encode to equal bytes, so bytes can serve as grouping keys. */
  readonly deterministic: boolean;
  /** Writes `value`; throws a {@link CoderError} if it has the wrong shape. */
  encode(value: T, writer: ByteWriter, context: CoderContext): void;
  /** Reads one value. */
  decode(reader: ByteReader, context: CoderContext): T;
}

const MAX_SHOWN = 100;

/** A short printable form of any value, for error messages. */
export function describeValue(value: unknown): string {
  let s: string;
  try {
    if (typeof value === "string") s = JSON.stringify(value);
    else if (typeof value === "bigint") s = `${value}n`;
    else if (typeof value === "function") s = `[function ${value.name || "anonymous"}]`;
    else if (typeof value === "symbol") s = value.toString();
    else if (value instanceof Uint8Array) s = `Uint8Array(${value.length})`;
    else if (value === undefined) s = "undefined";
    else if (typeof value === "number") s = Object.is(value, -0) ? "-0" : String(value);
    else {
      s = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
    }
  } catch {
    s = Object.prototype.toString.call(value);
  }
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}...` : s;
}

/**
 * A value that a coder cannot encode (wrong type or shape), or bytes it
 * cannot decode. The message names the coder's URN and shows the value.
 */
export class CoderError extends Error {
  /** URN of the coder that refused the value. */
  readonly urn: string;

  /**
   * Builds the error; the message reads `<urn>: <message> (got <value>)`.
   *
   * @param urn the coder's URN.
   * @param message what is wrong.
   * @param value the offending value, shown truncated in the message if given.
   */
  constructor(urn: string, message: string, ...value: [unknown?]) {
    super(value.length > 0 ? `${urn}: ${message} (got ${describeValue(value[0])})` : `${urn}: ${message}`);
    this.name = "CoderError";
    this.urn = urn;
  }
}

// One writer reused by the convenience functions: encoding is synchronous, so
// it can never be shared by two calls at once; nested calls (a coder calling
// encodeToBytes inside encode) are handled by taking a fresh writer.
let sharedWriter: ByteWriter | undefined = new ByteWriter(1024);

/** Encodes one value to a fresh byte array, in the outer context unless told otherwise. */
export function encodeToBytes<T>(coder: Coder<T>, value: T, context: CoderContext = "outer"): Uint8Array {
  const writer = sharedWriter ?? new ByteWriter();
  sharedWriter = undefined;
  try {
    writer.reset();
    coder.encode(value, writer, context);
    return writer.finish();
  } finally {
    // Do not pin a huge buffer because of one huge element.
    sharedWriter = writer.capacity > 1 << 20 ? new ByteWriter(1024) : writer;
  }
}

/**
 * Decodes one value. In the outer context the value must use every byte;
 * leftover bytes mean the coder does not match the data, and are an error.
 */
export function decodeFromBytes<T>(coder: Coder<T>, bytes: Uint8Array, context: CoderContext = "outer"): T {
  const reader = new ByteReader(bytes);
  const value = coder.decode(reader, context);
  if (context === "outer" && !reader.atEnd) {
    throw new CoderError(
      coder.urn,
      `decoding left ${reader.remaining} of ${bytes.length} bytes unread; the bytes were not written by this coder`,
    );
  }
  return value;
}
