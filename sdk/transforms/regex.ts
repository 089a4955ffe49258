/**
 * Beam's `Regex` transforms on strings: match, find, replace and split.
 * A pattern is a `RegExp` or a string (compiled with no flags); groups are
 * numbered or named, as in Beam.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { kv, type KV } from "../../model/kv";
import { ParDoTransform } from "./pardo";

/** A pattern: a RegExp (its flags are kept) or its source. */
export type Pattern = RegExp | string;
/** A capture group: its number (0 for the whole match) or its name. */
export type Group = number | string;

function compile(what: string, pattern: Pattern, extraFlags: string, anchored: boolean): RegExp {
  if (!(pattern instanceof RegExp) && typeof pattern !== "string") {
    throw new TypeError(`regex.${what}: the pattern must be a RegExp or a string, got ${typeof pattern}`);
  }
  const source = pattern instanceof RegExp ? pattern.source : pattern;
  // The transform decides global/sticky matching itself; the other flags (i, m, s, u) are the user's.
  const flags = (pattern instanceof RegExp ? pattern.flags : "").replace(/[gy]/g, "") + extraFlags;
  try {
    return new RegExp(anchored ? `^(?:${source})$` : source, flags);
  } catch (e) {
    throw new SyntaxError(`regex.${what}: bad pattern ${JSON.stringify(source)}: ${(e as Error).message}`, { cause: e });
  }
}

function groupOf(m: RegExpExecArray, group: Group): string | undefined {
  return typeof group === "number" ? m[group] : m.groups?.[group];
}

function checkString(what: string, el: unknown): string {
  if (typeof el !== "string") throw new TypeError(`regex.${what} expects strings, got ${typeof el}: ${String(el)}`);
  return el;
}

function flatMapStrings<Out>(name: string, fn: (s: string) => Iterable<Out>): PTransform<PCollection<string>, PCollection<Out>> {
  return new ParDoTransform<string, Out>(name, { fn: (s: string) => fn(checkString(name, s)), shape: "flatMap" });
}

function mapStrings(name: string, fn: (s: string) => string): PTransform<PCollection<string>, PCollection<string>> {
  return new ParDoTransform<string, string>(name, { fn: (s: string) => fn(checkString(name, s)), shape: "map" });
}

/**
 * The regular-expression transforms (Beam's `Regex`), on `PCollection<string>`.
 * `matches*` need the whole string to match; `find*` look for a match
 * anywhere. Strings that do not match are dropped.
 *
 * @example
 * ```ts
 * lines.apply(mr.regex.matches(/(\w+)@example\.com/, 1));          // the user part of whole-line addresses
 * lines.apply(mr.regex.findKV(/(\w+)=(\d+)/, 1, 2));              // KV<name, digits> of the first pair
 * lines.apply(mr.regex.replaceAll(/\s+/, " "));
 * lines.apply(mr.regex.split(","));
 * ```
 */
export const regex = {
  /** The `group` (default 0, the whole string) of strings the pattern matches entirely. */
  matches(pattern: Pattern, group: Group = 0): PTransform<PCollection<string>, PCollection<string>> {
    const re = compile("matches", pattern, "", true);
    return flatMapStrings("Regex.Matches", (s) => {
      const m = re.exec(s);
      const g = m ? groupOf(m, group) : undefined;
      return g === undefined ? [] : [g];
    });
  },
  /** For strings the pattern matches entirely: KV of the key group and the value group. */
  matchesKV(pattern: Pattern, keyGroup: Group, valueGroup: Group): PTransform<PCollection<string>, PCollection<KV<string, string>>> {
    const re = compile("matchesKV", pattern, "", true);
    return flatMapStrings("Regex.MatchesKV", (s) => {
      const m = re.exec(s);
      if (!m) return [];
      const k = groupOf(m, keyGroup);
      const v = groupOf(m, valueGroup);
      return k === undefined || v === undefined ? [] : [kv(k, v)];
    });
  },
  /** The `group` (default 0) of the first match anywhere in the string. */
  find(pattern: Pattern, group: Group = 0): PTransform<PCollection<string>, PCollection<string>> {
    const re = compile("find", pattern, "", false);
    return flatMapStrings("Regex.Find", (s) => {
      const m = re.exec(s);
      const g = m ? groupOf(m, group) : undefined;
      return g === undefined ? [] : [g];
    });
  },
  /**
   * Per string, one array of the `group` (default 0) of every match (empty
   * when none matches), as Beam's `Regex.find_all`; empty matched groups
   * are left out when `outputEmpty` is false.
   */
  findAll(pattern: Pattern, group: Group = 0, outputEmpty = true): PTransform<PCollection<string>, PCollection<string[]>> {
    const re = compile("findAll", pattern, "g", false);
    return flatMapStrings("Regex.FindAll", (s) => {
      const out: string[] = [];
      for (const m of s.matchAll(re)) {
        const g = groupOf(m as RegExpExecArray, group);
        if (g !== undefined && (outputEmpty || g !== "")) out.push(g);
      }
      return [out];
    });
  },
  /** KV of the key group and value group of the first match anywhere. */
  findKV(pattern: Pattern, keyGroup: Group, valueGroup: Group): PTransform<PCollection<string>, PCollection<KV<string, string>>> {
    const re = compile("findKV", pattern, "", false);
    return flatMapStrings("Regex.FindKV", (s) => {
      const m = re.exec(s);
      if (!m) return [];
      const k = groupOf(m, keyGroup);
      const v = groupOf(m, valueGroup);
      return k === undefined || v === undefined ? [] : [kv(k, v)];
    });
  },
  /** Replaces every match with `replacement` (`$1`, `$<name>` refer to groups). */
  replaceAll(pattern: Pattern, replacement: string): PTransform<PCollection<string>, PCollection<string>> {
    const re = compile("replaceAll", pattern, "g", false);
    return mapStrings("Regex.ReplaceAll", (s) => s.replace(re, replacement));
  },
  /** Replaces the first match with `replacement`. */
  replaceFirst(pattern: Pattern, replacement: string): PTransform<PCollection<string>, PCollection<string>> {
    const re = compile("replaceFirst", pattern, "", false);
    return mapStrings("Regex.ReplaceFirst", (s) => s.replace(re, replacement));
  },
  /** The pieces between matches, one output each; empty pieces only when `outputEmpty` (default false, as Beam). */
  split(pattern: Pattern, outputEmpty = false): PTransform<PCollection<string>, PCollection<string>> {
    const re = compile("split", pattern, "g", false);
    return flatMapStrings("Regex.Split", (s) => {
      // Not String.split: that also outputs the pattern's capture groups, which Java's split does not.
      const pieces: string[] = [];
      let from = 0;
      for (const m of s.matchAll(re)) {
        if (m[0] === "" && (m.index === 0 || m.index === s.length)) continue;
        pieces.push(s.slice(from, m.index));
        from = m.index + m[0].length;
      }
      pieces.push(s.slice(from));
      return outputEmpty ? pieces : pieces.filter((piece) => piece !== "");
    });
  },
};
