/**
 * The `RESULT` line every workload program prints, millrace's
 * (bench/workloads) and the peers' (bench/peers/common RunReport.java): tab-
 * separated `key=value` fields after the word RESULT.
 */

/** What one run reported about itself. */
export interface ReportedRun {
  /** The flags the run was given, as it printed them. */
  readonly flags: string;
  /** How many results the job produced. */
  readonly results: number;
  /** The order-independent digest of the results (bench/workloads/result_digest.ts), in decimal. */
  readonly digest: string;
  /** The job's own time: millrace `run()` to `waitUntilFinish()`, Flink's net runtime, Spark's query to results. */
  readonly jobMs: number;
  /** The process's CPU time during the job, all threads. */
  readonly jobCpuMs: number;
  /** The process's peak resident set when the job ended. */
  readonly peakRssMiB: number;
}

/** The RESULT lines in a program's output, parsed; a line that is malformed throws, naming it. */
export function parseResultLines(output: string): ReportedRun[] {
  const runs: ReportedRun[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("RESULT\t")) continue;
    const fields = new Map<string, string>();
    for (const part of line.slice("RESULT\t".length).split("\t")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
    }
    const number = (name: string): number => {
      const raw = fields.get(name);
      const value = Number(raw);
      if (raw === undefined || raw === "" || Number.isNaN(value)) throw new Error(`RESULT line without a number for ${name}: ${line}`);
      return value;
    };
    const digest = fields.get("digest");
    if (digest === undefined || !/^\d+$/.test(digest)) throw new Error(`RESULT line without a decimal digest: ${line}`);
    runs.push({
      flags: fields.get("flags") ?? "",
      results: number("results"),
      digest,
      jobMs: number("jobMs"),
      jobCpuMs: number("cpuMs"),
      peakRssMiB: number("peakRssMiB"),
    });
  }
  return runs;
}
