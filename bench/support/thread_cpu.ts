/**
 * CPU time of each thread of this process, from Linux's
 * `/proc/self/task/<tid>/stat` (user + system, in ms; the kernel counts in
 * clock ticks, 10 ms each). A benchmark on a loaded machine compares CPU
 * time, not wall time, and per thread it shows where a parallel run's extra
 * CPU goes (the main thread, or the workers). Elsewhere than Linux the
 * figures are empty.
 */
import * as fs from "node:fs";

/** Clock ticks per second of `/proc` figures (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU ms of each live thread, by thread id. */
export function threadCpuMs(): Map<number, number> {
  const byThread = new Map<number, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync("/proc/self/task");
  } catch {
    return byThread;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "latin1");
    } catch {
      continue; // the thread ended since the listing
    }
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
    byThread.set(Number(tid), (ticks * 1000) / TICKS_PER_SECOND);
  }
  return byThread;
}

/** The CPU ms each thread used between two readings (threads started since count from zero). */
export function threadCpuSince(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): Map<number, number> {
  const used = new Map<number, number>();
  for (const [tid, ms] of after) used.set(tid, ms - (before.get(tid) ?? 0));
  return used;
}
