/**
 * The file sink (`io.writeText`) seen as a reader sees it: every file in
 * the prefix's directory whose name starts with the prefix's base name,
 * hidden files (a leading ".") excluded. Reading by prefix, not by an exact
 * shard naming scheme, keeps the check valid whatever the runners name
 * their shards.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { SinkKind } from "./sink_kind";

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The `io.writeText` sink. */
export const fileSinkKind: SinkKind = {
  name: "file",
  publishedRecords(prefix) {
    const dir = path.dirname(prefix);
    const base = path.basename(prefix);
    const lines: string[] = [];
    for (const name of listDir(dir)) {
      if (name.startsWith(".") || !name.startsWith(base)) continue;
      const file = path.join(dir, name);
      if (!fs.statSync(file).isFile()) continue;
      const text = fs.readFileSync(file, "utf8");
      lines.push(...text.split("\n").filter((l) => l.length > 0));
    }
    return lines;
  },
  visibleLeftovers(prefix) {
    const dir = path.dirname(prefix);
    const base = path.basename(prefix);
    // Files in progress are hidden (a leading "."), and none should remain once the job is done.
    return listDir(dir).filter((n) => n.startsWith(".") && n.includes(base));
  },
};
