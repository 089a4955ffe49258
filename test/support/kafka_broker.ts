/**
 * The Kafka broker of a test run: `kafkaBootstrap()` starts one single-node
 * broker with `scripts/kafka-broker.sh` the first time a Kafka test file
 * asks for it, and every later caller in the process shares it. The broker
 * is stopped when the process exits; if the process is killed, the
 * script's watcher stops it (it was started with `--owner-pid`). A broker
 * given by `MILLRACE_KAFKA_BOOTSTRAP` is used instead, and left running.
 *
 * Tests isolate themselves by topic name ({@link uniqueTopic}), never by
 * broker.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Admin, Connection } from "@platformatic/kafka";
import { repoRoot } from "./shared_dir";
import { endOffset } from "./kafka_topic_reader";

const SCRIPT = path.join(repoRoot(__dirname), "scripts", "kafka-broker.sh");

let started: Promise<string> | undefined;
let stateDir: string | undefined;

/** The bootstrap address of the test run's broker, starting it on first use. */
export function kafkaBootstrap(): Promise<string> {
  started ??= start();
  return started;
}

async function start(): Promise<string> {
  const given = process.env.MILLRACE_KAFKA_BOOTSTRAP;
  if (given !== undefined && given.trim() !== "") return given.trim();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-kafka-test-"));
  process.once("exit", stopBroker);
  // The start takes ~10 s with the jars cached (a first run also fetches them); it runs while mocha waits in a hook.
  const out = execFileSync("bash", [SCRIPT, "start", "--dir", stateDir, "--owner-pid", String(process.pid)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim().split("\n").pop()!;
}

/** Stops the broker this process started (a no-op for a given one). */
export function stopBroker(): void {
  if (stateDir === undefined) return;
  spawnSync("bash", [SCRIPT, "stop", "--dir", stateDir], { stdio: "ignore" });
  fs.rmSync(stateDir, { recursive: true, force: true });
  stateDir = undefined;
  started = undefined;
}

/** A topic name no other test uses: `<base>-<random>`. */
export function uniqueTopic(base: string): string {
  return `${base}-${crypto.randomBytes(5).toString("hex")}`;
}

/** Creates topics with `partitions` partitions each on the test broker. */
export async function createTopics(
  bootstrap: string,
  topics: readonly string[],
  partitions = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  const admin = new Admin({ clientId: "millrace-test-admin", bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({
      topics: [...topics],
      partitions,
      replicas: 1,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    });
  } finally {
    await admin.close();
  }
  await untilEveryPartitionAnswers(bootstrap, topics, partitions);
}

/**
 * Waits until every partition of the new `topics` answers ListOffsets: a
 * partition gets its leader a moment after CreateTopics returns, and a test
 * that read at once failed with "Received response with error while executing
 * API ListOffsets(v9)" on a busy machine.
 */
async function untilEveryPartitionAnswers(bootstrap: string, topics: readonly string[], partitions: number): Promise<void> {
  const [host, port] = bootstrap.split(":");
  const deadline = Date.now() + 60_000;
  for (const topic of topics) {
    for (let partition = 0; partition < partitions; partition++) {
      for (;;) {
        const connection = new Connection("millrace-test-admin");
        try {
          await connection.connect(host!, Number(port));
          await endOffset(connection, topic, partition);
          break;
        } catch (e) {
          if (Date.now() > deadline)
            throw new Error(`partition ${partition} of new topic '${topic}' never answered ListOffsets`, { cause: e });
          await new Promise((r) => setTimeout(r, 50));
        } finally {
          await connection.close().catch(() => undefined);
        }
      }
    }
  }
}

/** A broker of one test's own, for tests that stop it mid-run (the shared one must stay up). */
export interface OwnBroker {
  readonly bootstrap: string;
  /** Stops the broker and deletes its data; a second call does nothing. */
  readonly stop: () => void;
}

/** Starts a broker for one test (~10 s with the jars cached); it is stopped with this process at the latest. */
export function startOwnBroker(): OwnBroker {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-kafka-own-"));
  const out = execFileSync("bash", [SCRIPT, "start", "--dir", dir, "--owner-pid", String(process.pid)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync("bash", [SCRIPT, "stop", "--dir", dir], { stdio: "ignore" });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stop);
  return { bootstrap: out.trim().split("\n").pop()!, stop };
}
