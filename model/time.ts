/**
 * Event-time bounds. Time in millrace is always a `number` of milliseconds
 * since the epoch; these are Beam's bounds.
 *
 * Beam's bounds are not exactly representable as doubles (they lie above
 * 2^53), so the constants below are the nearest JavaScript numbers; the
 * timestamp coder maps them back to the exact int64 values on the wire
 * (see {@link timestampToInt64}).
 */

// Beam's exact values; JavaScript keeps the nearest double, the same on every runner.
/* eslint-disable no-loss-of-precision */
/** The smallest event time Beam represents: `-9223372036854775` ms. */
export const MIN_TIMESTAMP: number = -9223372036854775;
/** The largest event time Beam represents: `9223372036854775` ms. */
export const MAX_TIMESTAMP: number = 9223372036854775;
/** The max timestamp of the global window (one day before {@link MAX_TIMESTAMP}): `9223371950454775` ms. */
export const GLOBAL_WINDOW_MAX_TIMESTAMP: number = 9223371950454775;
/* eslint-enable no-loss-of-precision */

const EXACT_MIN = -9223372036854775n;
const EXACT_MAX = 9223372036854775n;
const EXACT_GLOBAL_MAX = 9223371950454775n;

/**
 * The exact int64 millisecond value of a timestamp, as written on the wire.
 * The three named bounds map to Beam's exact values; anything else is
 * truncated to whole milliseconds.
 */
export function timestampToInt64(ms: number): bigint {
  if (ms <= MIN_TIMESTAMP) return EXACT_MIN;
  if (ms >= MAX_TIMESTAMP) return EXACT_MAX;
  if (ms === GLOBAL_WINDOW_MAX_TIMESTAMP) return EXACT_GLOBAL_MAX;
  return BigInt(Math.trunc(ms));
}

/** The inverse of {@link timestampToInt64}: the nearest JavaScript number. */
export function int64ToTimestamp(value: bigint): number {
  return Number(value);
}
