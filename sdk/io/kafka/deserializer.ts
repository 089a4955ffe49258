/**
 * How the source turns a record's key and value bytes into values: raw
 * bytes, UTF-8 text, JSON, or any millrace coder.
 */
import { type Coder, decodeFromBytes } from "../../../portability/coders";

/**
 * A key or value deserializer: `"bytes"` (a `Uint8Array`), `"string"`
 * (strict UTF-8: invalid bytes fail the record), `"json"` (UTF-8 JSON), or
 * a coder whose encoding the bytes are (outer context). A `null` key or
 * value (e.g. a tombstone) stays `null` whatever the deserializer.
 */
export type KafkaDeserializer<T = unknown> = "bytes" | "string" | "json" | Coder<T>;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The function a deserializer stands for; it throws on bytes it cannot read. */
export function deserializerFunction<T>(deserializer: KafkaDeserializer<T>): (bytes: Uint8Array | null) => unknown {
  if (deserializer === "bytes") return (bytes) => (bytes === null ? null : Uint8Array.from(bytes));
  if (deserializer === "string") return (bytes) => (bytes === null ? null : strictUtf8.decode(bytes));
  if (deserializer === "json") return (bytes) => (bytes === null ? null : (JSON.parse(strictUtf8.decode(bytes)) as unknown));
  return (bytes) => (bytes === null ? null : decodeFromBytes(deserializer, bytes));
}

/** Throws unless `d` is a deserializer; `what` names the option in the message. */
export function checkDeserializer(d: unknown, what: string): void {
  if (d === "bytes" || d === "string" || d === "json") return;
  if (typeof d === "object" && d !== null && typeof (d as Coder).decode === "function" && typeof (d as Coder).urn === "string") return;
  throw new Error(`mr.io.kafka.read: ${what} must be "bytes", "string", "json" or a coder (got ${JSON.stringify(d) ?? String(d)})`);
}
