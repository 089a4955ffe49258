/**
 * Logical byte streams of the Fn API (State API values, data blocks):
 * values encoded in the nested context, one after another.
 */
import type { Coder } from "../coders/coder";
import { ByteReader } from "../coders/byte_reader";
import { ByteWriter } from "../coders/byte_writer";

/** Every value of a stream of nested-coded values. */
export function decodeAll<T>(coder: Coder<T>, bytes: Uint8Array): T[] {
  const out: T[] = [];
  const r = new ByteReader(bytes);
  while (!r.atEnd) out.push(coder.decode(r, "nested"));
  return out;
}

/** The stream of `values`, nested-coded one after another. */
export function encodeAll<T>(coder: Coder<T>, values: Iterable<T>): Uint8Array {
  const w = new ByteWriter();
  for (const v of values) coder.encode(v, w, "nested");
  return w.finish();
}
