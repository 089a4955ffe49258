/**
 * A log of micro-batches in a directory, one JSON file per batch id, after
 * Spark's HDFSMetadataLog: the offset log (written before a batch runs: the
 * write-ahead log) and the commit log (written after its sinks wrote it) are
 * two of these. An entry is written to a temporary name, fsynced and renamed,
 * so a file under a final name is always complete and a crash leaves either
 * the whole entry or none.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ENTRY_NAME = /^(\d+)$/;
const TEMP_MARK = ".tmp-";

/** One directory of JSON entries keyed by batch id. */
export class BatchLog<Entry> {
  /** Opens (or creates) the log in `dir`, deleting temporary files a crash left behind. */
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir)) if (name.includes(TEMP_MARK)) fs.rmSync(path.join(dir, name), { force: true });
  }

  /** Writes the entry of `batchId` durably, replacing an earlier one. */
  write(batchId: number, entry: Entry): void {
    const final = path.join(this.dir, String(batchId));
    const tmp = `${final}${TEMP_MARK}${process.pid}`;
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, JSON.stringify(entry, replaceNonFinite));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, final);
    syncDir(this.dir);
  }

  /** The entry of `batchId`, or undefined when there is none. */
  read(batchId: number): Entry | undefined {
    const file = path.join(this.dir, String(batchId));
    if (!fs.existsSync(file)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(file, "utf8"), reviveNonFinite) as Entry;
    } catch (e) {
      throw new Error(`${file} cannot be read: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The highest batch id logged, or undefined for an empty log. */
  latestId(): number | undefined {
    let latest: number | undefined;
    for (const name of fs.readdirSync(this.dir)) {
      const m = ENTRY_NAME.exec(name);
      if (m) latest = Math.max(latest ?? -1, Number(m[1]));
    }
    return latest;
  }

  /** Deletes entries before `batchId` (they will never be replayed). */
  pruneBefore(batchId: number): void {
    for (const name of fs.readdirSync(this.dir)) {
      const m = ENTRY_NAME.exec(name);
      if (m && Number(m[1]) < batchId) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }
}

/** JSON has no infinities: watermarks of ±Infinity travel as strings. */
function replaceNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  return value;
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  if (value === "NaN") return NaN;
  return value;
}

/** Makes a rename durable; skipped where directories cannot be fsynced. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Best effort.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
