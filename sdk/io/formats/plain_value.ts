/**
 * Values decoded by a format library as the plain values a PCollection
 * carries everywhere (see the JS value coder): avsc's records are instances
 * of generated classes and Parquet timestamps are `Date`s, which no coder
 * takes. Records become plain objects, `Date`s their milliseconds since the
 * epoch, typed arrays other than bytes plain arrays.
 */
export function plainValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, plainValue);
  if (Array.isArray(value)) return value.map(plainValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plainValue(v);
  return out;
}
