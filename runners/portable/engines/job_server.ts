/**
 * Beam's Flink and Spark job servers, started and stopped from Node: the
 * driver class from Beam's runner library on the prepared classpath, on free
 * loopback ports, ready when its job port accepts.
 *
 * @module
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineCacheDir, engineClasspathDir, type EngineName } from "./engine_classpath";
import { freeLoopbackPorts } from "./free_port";
import { JAVA_17_OPENS, JOB_SERVER_MAIN, javaBinary, jobServerArgs } from "./java_command";
import { startJavaProcess } from "./java_process";

/** Options of {@link startJobServer}. */
export interface JobServerOptions {
  /** Flink: `[local]` (an embedded mini cluster, the default) or a session cluster's `host:restPort`. */
  readonly flinkMaster?: string;
  /** Spark: `local[N]` (default `local[2]`) or `spark://host:port`. */
  readonly sparkMaster?: string;
  /** Where the prepared classpaths are (default: {@link engineCacheDir}). */
  readonly cacheDir?: string;
  /** Folder for the server's log file (default: a new temporary folder). */
  readonly logDir?: string;
  /** How long to wait for the job port to accept (default 5 minutes: a busy 2-core machine starts Flink in 15 to 60 s). */
  readonly startTimeoutMs?: number;
  /** Extra JVM options, before the main class (e.g. `-Xmx2g`). */
  readonly jvmOptions?: readonly string[];
  /** Extra driver arguments, after the defaults (a later flag of the same name wins in Beam's parser). */
  readonly driverArgs?: readonly string[];
  /** Aborting while the server starts stops it and rejects. */
  readonly signal?: AbortSignal;
  /** Keep the server running after this Node process exits (for scripts/engines.sh start). */
  readonly outliveParent?: boolean;
}

/** A running job server. */
export interface RunningJobServer {
  readonly engine: EngineName;
  /** The Job API endpoint, `127.0.0.1:port`, for `--jobEndpoint`. */
  readonly endpoint: string;
  readonly pid: number;
  readonly logFile: string;
  /** The server's last output lines, for error messages. */
  log(): string;
  /** How the server ended ("exited with code 1"), if it has; undefined while it runs. */
  exit(): string | undefined;
  /** Stops the server and whatever it forked; resolves when it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Beam's job server for `engine` and resolves once it accepts Job API
 * connections. It is stopped by `stop()`, when `signal` aborts during start,
 * when it fails to start (the error quotes its last output), and when this
 * Node process exits (unless `outliveParent`).
 */
export async function startJobServer(engine: EngineName, options: JobServerOptions = {}): Promise<RunningJobServer> {
  const classpath = engineClasspathDir(engine, options.cacheDir ?? engineCacheDir());
  const [job, artifact, expansion] = await freeLoopbackPorts(3);
  const logDir = options.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `millrace-${engine}-job-server-`));
  fs.mkdirSync(logDir, { recursive: true });
  const master = engine === "flink" ? options.flinkMaster : options.sparkMaster;
  const proc = startJavaProcess({
    name: `${engine} job server`,
    java: javaBinary(),
    args: [
      ...JAVA_17_OPENS,
      ...(options.jvmOptions ?? []),
      "-cp",
      `${classpath}/*`,
      JOB_SERVER_MAIN[engine],
      ...jobServerArgs(engine, { job, artifact, expansion }, master),
      ...(options.driverArgs ?? []),
    ],
    logFile: path.join(logDir, `${engine}-job-server.log`),
    // Spark names its driver by the machine's address: keep the local engine on loopback, like everything else here.
    env: engine === "spark" ? { ...process.env, SPARK_LOCAL_IP: process.env.SPARK_LOCAL_IP ?? "127.0.0.1" } : process.env,
    outliveParent: options.outliveParent,
  });
  await proc.waitForPort(job, options.startTimeoutMs ?? 300_000, options.signal);
  return {
    engine,
    endpoint: `127.0.0.1:${job}`,
    pid: proc.pid,
    logFile: proc.logFile,
    log: () => proc.tail(),
    exit: () => {
      const e = proc.exited();
      return e === undefined ? undefined : e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    },
    stop: () => proc.stop(),
  };
}
