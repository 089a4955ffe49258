/**
 * `node dist/runners/portable/engines/job_server_main.js flink|spark [--flinkMaster=..|--sparkMaster=..] --runDir=DIR`:
 * what `scripts/engines.sh start` runs. Starts a job server that outlives
 * this process, writes its pid and endpoint into the run folder (so `stop`
 * ends only what `start` started) and prints the endpoint.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineName } from "./engine_classpath";
import { startJobServer } from "./job_server";

async function main(argv: readonly string[]): Promise<void> {
  const engine = argv[0];
  if (engine !== "flink" && engine !== "spark") throw new Error(`start which engine? flink or spark (got ${engine ?? "nothing"})`);
  const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const runDir = flag("runDir");
  if (runDir === undefined) throw new Error("--runDir=DIR is required");
  fs.mkdirSync(runDir, { recursive: true });
  const started = Date.now();
  const server = await startJobServer(engine as EngineName, {
    flinkMaster: flag("flinkMaster"),
    sparkMaster: flag("sparkMaster"),
    logDir: runDir,
    outliveParent: true,
  });
  fs.writeFileSync(path.join(runDir, `${engine}.pid`), `${server.pid}\n`);
  fs.writeFileSync(path.join(runDir, `${engine}.endpoint`), `${server.endpoint}\n`);
  console.log(
    `${engine} job server ready at ${server.endpoint} (pid ${server.pid}, log ${server.logFile}); took ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`engines: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
