/**
 * The bytes of a fast path's pane contents (`windowing/pane_contents.ts`),
 * shared by the single-pane and session checkpoint layouts: combine mode:
 * u8 hasAcc [accumulator (accumulator coder, nested)]; buffer mode: varint
 * #values + values (value coder, nested).
 */
import type { ByteReader } from "../../../portability/coders/byte_reader";
import type { ByteWriter } from "../../../portability/coders/byte_writer";
import type { ReduceStateCoders } from "./reduce_fn_state_codec";

/** Writes a pane's contents. */
export function writePaneContents(w: ByteWriter, hasAcc: boolean, state: unknown, coders: ReduceStateCoders): void {
  if (coders.combining) {
    w.writeByte(hasAcc ? 1 : 0);
    if (hasAcc) coders.stateCoder.encode(state, w, "nested");
    return;
  }
  const values = state as readonly unknown[];
  w.writeVarint(values.length);
  for (const v of values) coders.stateCoder.encode(v, w, "nested");
}

/** Reads a {@link writePaneContents}. */
export function readPaneContents(r: ByteReader, coders: ReduceStateCoders): { hasAcc: boolean; state: unknown } {
  if (coders.combining) {
    const hasAcc = r.readByte() === 1;
    return { hasAcc, state: hasAcc ? coders.stateCoder.decode(r, "nested") : undefined };
  }
  const count = r.readVarint();
  const values: unknown[] = [];
  for (let j = 0; j < count; j++) values.push(coders.stateCoder.decode(r, "nested"));
  return { hasAcc: false, state: values };
}
