/**
 * A Flink session cluster on loopback, one JobManager and N TaskManagers as
 * separate JVMs, started straight from the Maven artifacts (the registry does
 * not serve `flink-dist`, but `flink-runtime` holds both entry points and
 * Beam's Flink runner classpath already carries it): the "more than one
 * machine" of a real deployment, simulated on one. Point a Flink job server
 * at {@link FlinkSessionCluster.restAddress} with `--flinkMaster`.
 *
 * @module
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineCacheDir, engineClasspathDir } from "./engine_classpath";
import { freeLoopbackPorts } from "./free_port";
import { JAVA_17_OPENS, javaBinary } from "./java_command";
import { startJavaProcess, type JavaProcess } from "./java_process";

const JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
const TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

/**
 * A TaskManager's resources spelled out, as flink-dist's start scripts would
 * compute them (BashJavaUtils) and pass them: TaskManagerRunner started
 * without those scripts refuses to guess. 1280 MB in all per TaskManager.
 */
const TASK_MANAGER_RESOURCES = {
  "taskmanager.cpu.cores": 1,
  "taskmanager.memory.framework.heap.size": "128m",
  "taskmanager.memory.task.heap.size": "384m",
  "taskmanager.memory.framework.off-heap.size": "128m",
  "taskmanager.memory.task.off-heap.size": "0m",
  "taskmanager.memory.network.min": "64m",
  "taskmanager.memory.network.max": "64m",
  "taskmanager.memory.managed.size": "128m",
  "taskmanager.memory.jvm-metaspace.size": "256m",
  "taskmanager.memory.jvm-overhead.min": "192m",
  "taskmanager.memory.jvm-overhead.max": "192m",
};
/** The JVM limits that match {@link TASK_MANAGER_RESOURCES}: heap = framework + task heap; direct = off-heap + network. */
const TASK_MANAGER_JVM = ["-Xmx512m", "-Xms512m", "-XX:MaxDirectMemorySize=192m", "-XX:MaxMetaspaceSize=256m"];

/** Options of {@link startFlinkSessionCluster}. */
export interface FlinkSessionClusterOptions {
  /** How many TaskManager processes (default 2). */
  readonly taskManagers?: number;
  /** Task slots per TaskManager (default 1, so a job of parallelism 2 must use both TaskManagers). */
  readonly slotsPerTaskManager?: number;
  /** Folder for configuration, logs and Flink's working files (default: a new temporary folder). */
  readonly workDir?: string;
  readonly cacheDir?: string;
  /** How long to wait for the JobManager's REST port and every TaskManager's registration (default 5 minutes). */
  readonly startTimeoutMs?: number;
  /** Extra `key: value` lines of Flink configuration. */
  readonly flinkConf?: Readonly<Record<string, string>>;
}

/** A running session cluster. */
export interface FlinkSessionCluster {
  /** `localhost:restPort`: what `--flinkMaster` (and Flink's own clients) take. */
  readonly restAddress: string;
  readonly workDir: string;
  readonly jobManager: JavaProcess;
  readonly taskManagers: readonly JavaProcess[];
  /** The resource ids of the TaskManagers, as Flink's REST API names them. */
  readonly taskManagerIds: readonly string[];
  /** Stops every process of the cluster; resolves when all have exited. */
  stop(): Promise<void>;
}

function flinkConfYaml(entries: Record<string, string | number>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}

async function restGet<T>(restAddress: string, route: string): Promise<T> {
  const res = await fetch(`http://${restAddress}${route}`);
  if (!res.ok) throw new Error(`GET ${route} on the Flink REST API answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Starts a JobManager and its TaskManagers; resolves when every TaskManager has registered. On failure nothing is left running. */
export async function startFlinkSessionCluster(options: FlinkSessionClusterOptions = {}): Promise<FlinkSessionCluster> {
  const classpath = engineClasspathDir("flink", options.cacheDir ?? engineCacheDir());
  const taskManagerCount = options.taskManagers ?? 2;
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "millrace-flink-cluster-"));
  const timeoutMs = options.startTimeoutMs ?? 300_000;
  const [rpcPort, restPort, blobPort] = await freeLoopbackPorts(3);
  const restAddress = `localhost:${restPort}`;
  const started: JavaProcess[] = [];
  const stopAll = () => Promise.all(started.map((p) => p.stop())).then(() => undefined);

  const start = (role: string, main: string, conf: Record<string, string | number>, jvm: readonly string[]): JavaProcess => {
    const confDir = path.join(workDir, role, "conf");
    fs.mkdirSync(confDir, { recursive: true });
    // Flink 1.19 still reads the legacy flat flink-conf.yaml, which is what a flat key list is.
    fs.writeFileSync(path.join(confDir, "flink-conf.yaml"), flinkConfYaml(conf) + "\n");
    const proc = startJavaProcess({
      name: `Flink ${role}`,
      java: javaBinary(),
      args: [...JAVA_17_OPENS, ...jvm, "-cp", `${classpath}/*`, main, "--configDir", confDir],
      logFile: path.join(workDir, role, `${role}.log`),
      cwd: path.join(workDir, role),
    });
    started.push(proc);
    return proc;
  };

  const common = {
    "jobmanager.rpc.address": "localhost",
    "jobmanager.rpc.port": rpcPort,
    "jobmanager.bind-host": "localhost",
    "rest.address": "localhost",
    "rest.bind-address": "localhost",
    "rest.port": restPort,
    "blob.server.port": blobPort,
    "taskmanager.numberOfTaskSlots": options.slotsPerTaskManager ?? 1,
    "parallelism.default": 2,
    // Every process runs Beam's Flink runner classpath already: load job classes from it, not from a second copy shipped with the job.
    "classloader.resolve-order": "parent-first",
    "jobmanager.memory.process.size": "1024m",
    "io.tmp.dirs": path.join(workDir, "tmp"),
    ...(options.flinkConf ?? {}),
  };
  fs.mkdirSync(path.join(workDir, "tmp"), { recursive: true });
  try {
    const jobManager = start("jobmanager", JOB_MANAGER_MAIN, common, ["-Xmx512m"]);
    await jobManager.waitForPort(restPort, timeoutMs);
    const taskManagerIds = Array.from({ length: taskManagerCount }, (_, i) => `taskmanager-${i + 1}`);
    const taskManagers = taskManagerIds.map((id) =>
      start(
        id,
        TASK_MANAGER_MAIN,
        {
          ...common,
          "taskmanager.resource-id": id,
          "taskmanager.host": "localhost",
          "taskmanager.bind-host": "localhost",
          "taskmanager.rpc.port": 0,
          "taskmanager.data.port": 0,
          ...TASK_MANAGER_RESOURCES,
        },
        TASK_MANAGER_JVM,
      ),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = started.find((p) => p.exited());
      if (dead) throw new Error(`the ${dead.name} exited while the cluster started; its last output (${dead.logFile}):\n${dead.tail()}`);
      const registered = await restGet<{ taskmanagers: { id: string }[] }>(restAddress, "/taskmanagers").catch(() => ({
        taskmanagers: [],
      }));
      if (taskManagerIds.every((id) => registered.taskmanagers.some((t) => t.id === id))) break;
      if (Date.now() > deadline)
        throw new Error(`not every TaskManager registered with the JobManager within ${timeoutMs / 1000} s (logs in ${workDir})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return { restAddress, workDir, jobManager, taskManagers, taskManagerIds, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
