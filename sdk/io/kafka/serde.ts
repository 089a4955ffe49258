/**
 * How Kafka keys and values become bytes and back, shared by
 * `io.kafka.write` (serializers) and `io.kafka.read` (deserializers):
 * `"string"` (UTF-8), `"json"`, `"bytes"` (Uint8Array as is) or a coder.
 * A value that does not fit its serializer fails with an error naming the
 * transform and showing the value.
 */
import { type Coder, describeValue, encodeToBytes, decodeFromBytes } from "../../../portability/coders/coder";

/** A serialization format: one of the built-in names, or a coder for values of type `T`. */
export type KafkaSerde<T = unknown> = "string" | "json" | "bytes" | Coder<T>;

/** Turns a key or value into the bytes of a record (undefined and null stay absent: a null key or a tombstone value). */
export type Serializer = (value: unknown) => Buffer | undefined;
/** Turns a record's key or value bytes back into a value. */
export type Deserializer = (bytes: Buffer | undefined | null) => unknown;

function isCoder(spec: unknown): spec is Coder {
  return (
    typeof spec === "object" &&
    spec !== null &&
    typeof (spec as Coder).encode === "function" &&
    typeof (spec as Coder).decode === "function"
  );
}

/** Checks a serializer/deserializer option where the transform is created; `what` names the option. */
export function checkSerde(spec: unknown, transform: string, what: string): void {
  if (spec === "string" || spec === "json" || spec === "bytes" || isCoder(spec)) return;
  throw new TypeError(`${transform}: ${what} must be "string", "json", "bytes" or a coder, got ${describeValue(spec)}`);
}

/** The serializer for `spec`; `role` ("key", "value", "header 'h'") goes into error messages. */
export function serializerFor(spec: KafkaSerde, transform: string, role: string): Serializer {
  const fail = (value: unknown, why: string): never => {
    throw new TypeError(`${transform}: cannot serialize the ${role} ${describeValue(value)} as ${describeSerde(spec)}: ${why}`);
  };
  return (value: unknown): Buffer | undefined => {
    if (value === undefined || value === null) return undefined;
    if (spec === "string") {
      if (typeof value !== "string") fail(value, "it is not a string");
      return Buffer.from(value as string, "utf8");
    }
    if (spec === "bytes") {
      if (!(value instanceof Uint8Array)) fail(value, "it is not a Uint8Array");
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (spec === "json") {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (e) {
        fail(value, (e as Error).message);
      }
      if (text === undefined) fail(value, "JSON has no representation for it");
      return Buffer.from(text as string, "utf8");
    }
    try {
      const bytes = encodeToBytes(spec, value);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      return fail(value, (e as Error).message);
    }
  };
}

/** The deserializer for `spec`: throws a plain Error saying why; the source adds topic, partition and offset. */
export function deserializerFor(spec: KafkaSerde): Deserializer {
  return (bytes: Buffer | undefined | null): unknown => {
    if (bytes === undefined || bytes === null) return null;
    if (spec === "string") return bytes.toString("utf8");
    if (spec === "bytes") return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (spec === "json") return JSON.parse(bytes.toString("utf8"));
    return decodeFromBytes(spec, bytes);
  };
}

/** A serde in an error message: its name, or the coder's URN. */
export function describeSerde(spec: KafkaSerde): string {
  return typeof spec === "string" ? spec : `the coder ${spec.urn}`;
}
