/** The machine a comparison ran on, for the report: cores, CPU, memory, versions, load. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** What the report says about the machine. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly java: string;
  readonly flink: string;
  readonly spark: string;
}

function pomProperty(pom: string, name: string): string {
  try {
    return new RegExp(`<${name}>([^<]+)</${name}>`).exec(fs.readFileSync(pom, "utf8"))?.[1] ?? "?";
  } catch {
    return "?";
  }
}

/** The machine's description; the peers' versions come from their poms. */
export function machineInfo(root: string): MachineInfo {
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "?",
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    java: (java.stderr ?? "").split("\n")[0]?.trim() || "not found",
    flink: pomProperty(path.join(root, "bench", "peers", "flink", "pom.xml"), "flink.version"),
    spark: pomProperty(path.join(root, "bench", "peers", "spark", "pom.xml"), "spark.version"),
  };
}

/** The 1-, 5- and 15-minute load averages, as "1.23 / 1.10 / 0.98". */
export function loadAverages(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
}
