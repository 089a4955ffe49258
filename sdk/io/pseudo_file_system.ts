/**
 * @internal Output under a kernel pseudo file system (`/proc`, `/sys`,
 * cgroups...) can never work, and Node's recursive `mkdir` loops forever on
 * some of them (a job writing under `/proc` hung on the direct and micro-batch
 * runners). Such prefixes are refused when the transform is created, by the
 * file system type of the nearest existing ancestor (`statfs`), so a bind
 * mount or symlink is judged by where it really points.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** `statfs` magic numbers of Linux pseudo file systems (linux/magic.h). */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x1cd1, "devpts"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0xcafe4a11, "bpf"],
  [0x62656570, "configfs"],
  [0x6165676c, "pstore"],
  [0x19800202, "mqueue"],
  [0x65735543, "fusectl"],
]);

/** The pseudo file system `file` would be created on, or undefined for a real one (or when it cannot be told). */
export function pseudoFileSystemOf(file: string): string | undefined {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    try {
      return PSEUDO_FILE_SYSTEMS.get(Number(fs.statfsSync(dir).type));
    } catch {
      // Missing (it would be created) or not statable: judge by its parent.
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Throws a clear error when output `prefix` lies on a pseudo file system; `what` names the transform. */
export function refusePseudoFileSystem(what: string, prefix: string): void {
  const kind = pseudoFileSystemOf(prefix);
  if (kind) {
    throw new Error(
      `${what}: '${prefix}' is on the ${kind} pseudo file system, which cannot hold output files; write under a real directory`,
    );
  }
}
