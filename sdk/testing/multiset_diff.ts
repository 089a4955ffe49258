import { canonicalKey } from "../../portability/values/canonical_key";
import { previewValue } from "../../portability/values/preview";

/** The outcome of comparing two multisets of values by value. */
export interface MultisetDiff {
  readonly equal: boolean;
  /** Expected but not (or not as often) present. */
  readonly missing: unknown[];
  /** Present but not (or not as often) expected. */
  readonly unexpected: unknown[];
}

/** Compares `expected` and `actual` as multisets, by value (deterministic encoding). */
export function compareMultisets(expected: readonly unknown[], actual: readonly unknown[]): MultisetDiff {
  const counts = new Map<string, { value: unknown; n: number }>();
  for (const e of expected) {
    const k = canonicalKey(e);
    const entry = counts.get(k);
    if (entry) entry.n++;
    else counts.set(k, { value: e, n: 1 });
  }
  const unexpected: unknown[] = [];
  for (const a of actual) {
    const entry = counts.get(canonicalKey(a));
    if (entry && entry.n > 0) entry.n--;
    else unexpected.push(a);
  }
  const missing: unknown[] = [];
  for (const { value, n } of counts.values()) for (let i = 0; i < n; i++) missing.push(value);
  return { equal: missing.length === 0 && unexpected.length === 0, missing, unexpected };
}

/** A readable diff for an assertion message. */
export function formatMultisetDiff(expected: readonly unknown[], actual: readonly unknown[], diff: MultisetDiff): string {
  const lines: string[] = [];
  if (diff.missing.length > 0) lines.push(`  missing (${diff.missing.length}): ${previewValue(diff.missing, 400)}`);
  if (diff.unexpected.length > 0) lines.push(`  unexpected (${diff.unexpected.length}): ${previewValue(diff.unexpected, 400)}`);
  lines.push(`  expected (${expected.length}): ${previewValue(expected, 400)}`);
  lines.push(`  actual (${actual.length}): ${previewValue(actual, 400)}`);
  return lines.join("\n");
}
