/**
 * The unit of work of a splittable DoFn: an element with one of its
 * restrictions and the state of that restriction's watermark estimator.
 * Runners hold the work that is left (residuals) and put it in their
 * checkpoints and offset logs, encoded here, the same way on every runner.
 */
import type { BoundedWindow } from "../../model/windows";
import { IN_GLOBAL_WINDOW } from "../../model/windows";
import type { Coder } from "../coders/coder";
import { ByteReader } from "../coders/byte_reader";
import { ByteWriter } from "../coders/byte_writer";
import { JS_VALUE_CODER } from "../coders/js_value_coder";
import { readTimestamp, writeTimestamp } from "../coders/standard/timestamp";

/** One element's restriction, to process. */
export interface SplittableWork {
  readonly element: unknown;
  readonly timestamp: number;
  readonly windows: readonly BoundedWindow[];
  readonly restriction: unknown;
  /** The watermark estimator's state (plain data). */
  readonly watermarkState: unknown;
}

/** Work a runner holds until it is due: a residual resumes after its delay. */
export interface PendingWork {
  readonly work: SplittableWork;
  /** Processing time (ms) from which the work may run. */
  readonly resumeAt: number;
}

/** The coders of a splittable DoFn's work. */
export interface SplittableWorkCoders {
  readonly element: Coder<unknown>;
  readonly restriction: Coder<unknown>;
}

/**
 * Encodes pending work for a checkpoint or an offset log. Root work is in
 * the global window (it comes from an Impulse or a Create), so windows are
 * not written; `resumeAt` is written as a delay relative to `now`, so a
 * restored residual waits no longer than it had left.
 */
export function encodePendingWork(items: readonly PendingWork[], coders: SplittableWorkCoders, now: number): Uint8Array {
  const w = new ByteWriter();
  w.writeVarint(items.length);
  for (const { work, resumeAt } of items) {
    coders.element.encode(work.element, w, "nested");
    writeTimestamp(w, work.timestamp);
    coders.restriction.encode(work.restriction, w, "nested");
    JS_VALUE_CODER.encode(work.watermarkState as never, w);
    w.writeVarint(Math.max(0, Math.ceil(resumeAt - now)));
  }
  return w.finish();
}

/** Decodes what {@link encodePendingWork} wrote; delays count from `now`. */
export function decodePendingWork(bytes: Uint8Array, coders: SplittableWorkCoders, now: number): PendingWork[] {
  const r = new ByteReader(bytes);
  const n = r.readVarint();
  const out: PendingWork[] = [];
  for (let i = 0; i < n; i++) {
    const element = coders.element.decode(r, "nested");
    const timestamp = readTimestamp(r);
    const restriction = coders.restriction.decode(r, "nested");
    const watermarkState = JS_VALUE_CODER.decode(r);
    const delay = r.readVarint();
    out.push({ work: { element, timestamp, windows: IN_GLOBAL_WINDOW, restriction, watermarkState }, resumeAt: now + Number(delay) });
  }
  return out;
}
