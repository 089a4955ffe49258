/** What a pipeline's file sinks published, read back for assertions (pending, hidden files are not published). */
import * as fs from "node:fs";
import * as path from "node:path";

/** Every line of the published files named `<base>-...` beside `prefix` (`<dir>/<base>`), sorted; none when the folder is missing. */
export function publishedLines(prefix: string): string[] {
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  if (!fs.existsSync(dir)) return [];
  const lines: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(`${base}-`)) continue;
    const text = fs.readFileSync(path.join(dir, name), "utf8");
    if (text.length > 0) lines.push(...text.slice(0, -1).split("\n"));
  }
  return lines.sort();
}

/** The files in `dir` that a two-phase sink wrote and has not published (yet). */
export function pendingFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith(".millrace-pending"));
}

/** Every non-empty line of the `.txt` files anywhere under `dir`, sorted; none when it is missing. */
export function textLinesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".txt"))
    .flatMap((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8").split("\n"))
    .filter((l) => l !== "")
    .sort();
}
