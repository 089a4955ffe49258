/**
 * Comparisons the scenarios' checkers share, reporting what differs
 * (a few examples, not thousands of lines) instead of throwing.
 */

const EXAMPLES = 5;

/** Records seen more than once, with their counts. */
export function duplicates(records: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const r of records) seen.set(r, (seen.get(r) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([r, n]) => `'${r}' x${n}`);
}

/** The differences between two multisets of records, described for a report (empty when equal). */
export function multisetDifferences(what: string, actual: readonly string[], expected: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const r of expected) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const r of actual) counts.set(r, (counts.get(r) ?? 0) - 1);
  const missing = [...counts].filter(([, n]) => n > 0).map(([r]) => r);
  const extra = [...counts].filter(([, n]) => n < 0).map(([r, n]) => (n < -1 ? `${r} (x${1 - n})` : r));
  const out: string[] = [];
  if (missing.length > 0) out.push(`${what}: ${missing.length} missing, e.g. ${missing.slice(0, EXAMPLES).join(", ")}`);
  if (extra.length > 0) out.push(`${what}: ${extra.length} unexpected or doubled, e.g. ${extra.slice(0, EXAMPLES).join(", ")}`);
  return out;
}

/** A note about leftovers a reader could see, if any. */
export function leftoverNote(what: string, leftovers: readonly string[]): string[] {
  return leftovers.length === 0
    ? []
    : [`${what}: ${leftovers.length} unpublished file(s) left visible, e.g. ${leftovers.slice(0, EXAMPLES).join(", ")}`];
}
