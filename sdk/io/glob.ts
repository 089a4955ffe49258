/**
 * @internal Synchronous file pattern matching for the file IOs, without
 * dependencies (Node 20 has no `fs.glob`).
 *
 * Supported syntax, per path segment: `*` (any run of characters but `/`),
 * `?` (one character but `/`), `[abc]`, `[a-z]`, `[!abc]` / `[^abc]`
 * (character classes), `{a,b}` (alternatives, may contain `/` and nest) and
 * `\x` (the character `x` literally). A segment that is exactly `**` matches
 * zero or more directories. As in POSIX shells, wildcards do not match a
 * name that starts with `.` unless the pattern segment itself starts with
 * `.`; hidden files and directories (such as the temporary directories of
 * `writeText`) are therefore only matched on purpose.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** True when `pattern` contains glob syntax (an unescaped `*`, `?`, `[` or `{`). */
export function hasGlobSyntax(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "*" || c === "?" || c === "[" || c === "{") return true;
  }
  return false;
}

/** Removes backslash escapes from a literal segment. */
function unescapeLiteral(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}

/** Expands `{a,b}` alternatives (nested too) into plain patterns; an unbalanced brace is literal. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "{") {
      if (depth === 0) {
        open = i;
        commas.length = 0;
      }
      depth++;
    } else if (c === "}" && depth > 0) {
      depth--;
      if (depth === 0) {
        // `{x}` with no comma is not an alternative: it stays literal.
        if (commas.length === 0) continue;
        const before = pattern.slice(0, open);
        const after = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) {
          const alt = pattern.slice(bounds[k]! + 1, bounds[k + 1]!);
          out.push(...expandBraces(before + alt + after));
        }
        return out;
      }
    } else if (c === "," && depth === 1) {
      commas.push(i);
    }
  }
  return [pattern];
}

/** The regular expression of one glob segment (no `/` inside). */
export function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "\\" && i + 1 < segment.length) {
      re += escapeRegExp(segment[++i]!);
    } else if (c === "*") {
      re += "[^/]*";
    } else if (c === "?") {
      re += "[^/]";
    } else if (c === "[") {
      const end = classEnd(segment, i);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      let negate = false;
      if (body[0] === "!" || body[0] === "^") {
        negate = true;
        body = body.slice(1);
      }
      const cls = body.replace(/\\(.)/g, "$1").replace(/[\\\]^]/g, (m) => `\\${m}`);
      re += negate ? `[^/${cls}]` : `[${cls}]`;
      i = end;
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(`^${re}$`, "s");
}

/** The index of the `]` that closes the class opened at `open`, or -1. A `]` right after `[` or `[!` is literal. */
function classEnd(segment: string, open: number): number {
  let i = open + 1;
  if (segment[i] === "!" || segment[i] === "^") i++;
  if (segment[i] === "]") i++;
  for (; i < segment.length; i++) {
    if (segment[i] === "\\") {
      i++;
      continue;
    }
    if (segment[i] === "]") return i;
  }
  return -1;
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Paths the walk could not look into, with the error code: reported, never taken for "no match". */
type Unreadable = Map<string, string>;

/** Missing paths are simply not matches; any other failure (EACCES, EIO...) is recorded. */
function noteFailure(unreadable: Unreadable | undefined, p: string, e: unknown): void {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  if (code !== "ENOENT" && code !== "ENOTDIR" && unreadable && !unreadable.has(p)) unreadable.set(p, code);
}

function statOrNull(p: string, unreadable?: Unreadable): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (e) {
    noteFailure(unreadable, p, e);
    return null;
  }
}

function listDir(dir: string, unreadable: Unreadable): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    noteFailure(unreadable, dir, e);
    return [];
  }
}

function isDirectory(dir: string, entry: fs.Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (entry.isSymbolicLink()) return statOrNull(path.join(dir, entry.name))?.isDirectory() ?? false;
  return false;
}

/**
 * The regular files that an absolute `pattern` matches, as absolute paths,
 * sorted and without duplicates. A pattern without glob syntax matches the
 * file it names, when it exists. Directories are never matched.
 */
export function matchFiles(pattern: string): string[] {
  return matchFilesReporting(pattern).files;
}

/**
 * {@link matchFiles}, also returning the directories and files that could
 * not be read on the way (path -> error code, e.g. `EACCES`): a match there
 * may have been missed.
 */
export function matchFilesReporting(pattern: string): { files: string[]; unreadable: ReadonlyMap<string, string> } {
  const found = new Set<string>();
  const unreadable: Unreadable = new Map();
  for (const alternative of expandBraces(pattern)) {
    // A pattern ending with a separator names directories, which are never matched.
    if (alternative.endsWith("/") || alternative.endsWith(path.sep)) continue;
    const abs = path.resolve(alternative);
    const root = path.parse(abs).root;
    const segments = abs
      .slice(root.length)
      .split("/")
      .filter((s) => s.length > 0);
    walk(root, segments, 0, found, new Set(), unreadable);
  }
  return { files: [...found].sort(), unreadable };
}

function walk(
  dir: string,
  segments: readonly string[],
  i: number,
  found: Set<string>,
  visiting: Set<string>,
  unreadable: Unreadable,
): void {
  if (i === segments.length) {
    if (statOrNull(dir, unreadable)?.isFile()) found.add(dir);
    return;
  }
  const seg = segments[i]!;
  if (seg === "**") {
    // Zero directories, then each subdirectory (following links, never in a cycle).
    let real: string;
    try {
      real = `${i}\0${fs.realpathSync(dir)}`;
    } catch (e) {
      noteFailure(unreadable, dir, e);
      return;
    }
    if (visiting.has(real)) return;
    visiting.add(real);
    walk(dir, segments, i + 1, found, visiting, unreadable);
    for (const entry of listDir(dir, unreadable)) {
      if (entry.name.startsWith(".")) continue;
      if (isDirectory(dir, entry)) walk(path.join(dir, entry.name), segments, i, found, visiting, unreadable);
      // A final `**` also matches the files at every level.
      else if (i + 1 === segments.length) walk(path.join(dir, entry.name), segments, i + 1, found, visiting, unreadable);
    }
    visiting.delete(real);
    return;
  }
  if (!hasGlobSyntax(seg)) {
    const next = path.join(dir, unescapeLiteral(seg));
    if (i + 1 === segments.length || statOrNull(next, unreadable)?.isDirectory()) walk(next, segments, i + 1, found, visiting, unreadable);
    return;
  }
  const re = segmentRegExp(seg);
  const allowHidden = seg.startsWith(".");
  const last = i + 1 === segments.length;
  for (const entry of listDir(dir, unreadable)) {
    if (!allowHidden && entry.name.startsWith(".")) continue;
    if (!re.test(entry.name)) continue;
    if (!last && !isDirectory(dir, entry)) continue;
    walk(path.join(dir, entry.name), segments, i + 1, found, visiting, unreadable);
  }
}
