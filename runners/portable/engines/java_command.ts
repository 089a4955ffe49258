/**
 * The `java` command lines for Beam's job servers and Flink's cluster
 * processes: which binary, which JDK internals to open, which main class.
 *
 * @module
 */
import * as path from "node:path";
import type { EngineName } from "./engine_classpath";

/**
 * Java 17 closes the JDK internals that Spark, Kryo and Beam's Flink runner
 * reach into by reflection; without these they fail at the first job.
 */
export const JAVA_17_OPENS: readonly string[] = [
  "java.base/java.lang",
  "java.base/java.lang.invoke",
  "java.base/java.lang.reflect",
  "java.base/java.io",
  "java.base/java.net",
  "java.base/java.nio",
  "java.base/java.util",
  "java.base/java.util.concurrent",
  "java.base/java.util.concurrent.atomic",
  "java.base/sun.nio.ch",
  "java.base/sun.nio.cs",
  "java.base/sun.security.action",
  "java.base/sun.util.calendar",
  "java.base/java.text",
  "java.base/java.time",
  "java.sql/java.sql",
].map((pkg) => `--add-opens=${pkg}=ALL-UNNAMED`);

/** The `java` to run: `$JAVA_HOME/bin/java` when set, else the one on PATH. */
export function javaBinary(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";
}

/** The main class of Beam's job server for `engine`, found in its runner library. */
export const JOB_SERVER_MAIN: Readonly<Record<EngineName, string>> = {
  flink: "org.apache.beam.runners.flink.FlinkJobServerDriver",
  spark: "org.apache.beam.runners.spark.SparkJobServerDriver",
};

/** The ports a Beam job server listens on. */
export interface JobServerPorts {
  readonly job: number;
  readonly artifact: number;
  readonly expansion: number;
}

/**
 * The driver's arguments: loopback ports, and where the engine runs
 * (`flinkMaster`: `[local]` for an embedded mini cluster or a session
 * cluster's `host:restPort`; `sparkMaster`: `local[N]` or `spark://host:port`).
 */
export function jobServerArgs(engine: EngineName, ports: JobServerPorts, master: string | undefined): string[] {
  // Every port is given, the expansion one too: their defaults (8099, 8098, 8097) would collide between two servers.
  const ports_ = [
    "--job-host=127.0.0.1",
    `--job-port=${ports.job}`,
    `--artifact-port=${ports.artifact}`,
    `--expansion-port=${ports.expansion}`,
  ];
  if (engine === "flink") return [...ports_, `--flink-master=${master ?? "[local]"}`];
  return [...ports_, `--spark-master-url=${master ?? "local[2]"}`];
}
