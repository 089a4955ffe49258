#!/usr/bin/env node
/**
 * The `millrace` command:
 *
 *   millrace run <pipeline.ts|.js> [--runner=direct|microbatch|stream] [--pipeline=<name>] [runner flags] [pipeline flags]
 *   millrace inspect <pipeline file> [--format=text|json|dot] [--pipeline=<definePipeline name>] [pipeline flags]
 *   millrace job-server [--host=127.0.0.1] [--port=8099] [--tokenFile=<file>] [--jobEnv=<NAMES>] [--maxMessageBytes=<n>] [--maxPipelineBytes=<n>]
 *   millrace harness --pool [--host=127.0.0.1] [--port=50000]
 *
 * `run` runs the file as a script (TypeScript through tsx), so its own flags
 * and `--help` work as when it is run directly, and executor threads can load
 * it. `inspect` loads the file without running anything and prints the
 * portable pipeline and the plan every runner executes. `job-server` starts
 * a job service (Job API over WebSocket, and the dashboard) that pipelines
 * run with `--jobEndpoint` are submitted to.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import "../index";
import { toProto } from "../portability/to_proto";
import { fromProto } from "../portability/from_proto";
import { NATIVE_COMPOSITES, planExecution } from "../runners/core/fusion";
import { findRunner } from "../sdk/options/runner_registry";
import { loadPipelines } from "./load_pipelines";
import { REGISTER_TYPESCRIPT_FORMAT_ENTRY } from "../portability/user_code/register_typescript_format";
import { formatInspection, type InspectFormat } from "./inspect_format";
import { RUN_FILE_ENV, RUN_PIPELINE_ENV } from "./run_defined_pipeline";
import { DEFAULT_JOB_SERVICE_PORT, DEFAULT_MAX_MESSAGE_BYTES, JobService } from "../runners/job_service/job_service";
import { DEFAULT_MAX_PIPELINE_BYTES } from "../runners/job_service/pipeline_planner";
import { parseJobEnv } from "../runners/job_service/job_environment";
import { serviceToken } from "./service_token";
import { startWorkerPool } from "../portability/fn_harness/worker_pool";

/** The port `millrace harness --pool` listens on by default (Beam's Python worker pool uses 50000 too). */
const DEFAULT_WORKER_POOL_PORT = 50000;

const USAGE = `usage:
  millrace run <pipeline.ts|.js> [--runner=<name>] [--pipeline=<name>] [runner flags] [pipeline flags]
      runs the pipeline file; add --help to list the runner flags with their defaults.
      A file that only defines pipelines (mr.definePipeline) runs its single definition,
      or the one --pipeline=<name> chooses
  millrace inspect <pipeline file> [--format=text|json|dot] [--pipeline=<name>] [pipeline flags]
      prints the portable pipeline: transforms, PCollections with coders and windowing,
      and the fused stages and shuffles the runners execute
  millrace job-server [--host=127.0.0.1] [--port=${DEFAULT_JOB_SERVICE_PORT}] [--tokenFile=<file>] [--jobEnv=NAME,PREFIX_*]
                     [--maxMessageBytes=${DEFAULT_MAX_MESSAGE_BYTES}] [--maxPipelineBytes=${DEFAULT_MAX_PIPELINE_BYTES}]
      runs a job service: pipelines run with --jobEndpoint=ws://<host>:<port> --jobToken=<secret>
      are submitted to it; its dashboard is at http://<host>:<port>/?token=<secret>.
      The token comes from --tokenFile (its first line), else from MILLRACE_JOB_TOKEN, else a random
      one is made and printed (--token=<secret> works but shows the secret to every local user in ps).
      Whoever holds the token runs code as this user: jobs see only PATH, HOME, TMPDIR, locale and TZ
      of this environment, plus the variables --jobEnv names. Binds to loopback unless --host says otherwise.
  millrace harness --pool [--host=127.0.0.1] [--port=${DEFAULT_WORKER_POOL_PORT}]
      runs an SDK harness worker pool (Beam's BeamFnExternalWorkerPool) for engines started with
      --environmentType=EXTERNAL --environmentConfig=<host>:<port>; each worker rebuilds the job's code
      from the bundle the job staged. Run one beside each Flink TaskManager or Spark executor.`;

class UsageError extends Error {}

function pipelineFile(arg: string | undefined): string {
  if (!arg || arg.startsWith("--")) throw new UsageError("missing the pipeline file");
  if (!fs.existsSync(arg)) throw new UsageError(`no such file: ${arg}`);
  return path.resolve(arg);
}

async function run(args: string[]): Promise<number> {
  const file = pipelineFile(args[0]);
  // tsx, then hooks that run a .ts file with top-level await as an ES module even in a CommonJS project.
  const loader = /\.(c|m)?ts$/.test(file)
    ? ["--import", require.resolve("tsx"), "--import", pathToFileURL(REGISTER_TYPESCRIPT_FORMAT_ENTRY).href]
    : [];
  const chosen = args
    .slice(1)
    .find((a) => a.startsWith("--pipeline="))
    ?.slice("--pipeline=".length);
  const fileArgs = args.slice(1).filter((a) => !a.startsWith("--pipeline="));
  // A file that only defines pipelines runs one once it has loaded (see run_defined_pipeline).
  const runDefinition = ["--require", path.join(__dirname, "run_defined_pipeline.js")];
  const env = { ...process.env, MILLRACE_PROGRESS: "1", [RUN_FILE_ENV]: file, [RUN_PIPELINE_ENV]: chosen ?? "" };
  // The runners report progress on stderr: a live line on a terminal, log lines otherwise.
  const child = spawn(process.execPath, [...loader, ...runDefinition, file, ...fileArgs], { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1))));
}

async function inspect(args: string[]): Promise<number> {
  const file = pipelineFile(args[0]);
  let format: InspectFormat = "text";
  let name: string | undefined;
  const pipelineArgs: string[] = [];
  for (const a of args.slice(1)) {
    const m = /^--(format|pipeline)=(.*)$/.exec(a);
    if (m?.[1] === "format") {
      if (!["text", "json", "dot"].includes(m[2]!)) throw new UsageError(`--format takes text, json or dot, not '${m[2]}'`);
      format = m[2] as InspectFormat;
    } else if (m?.[1] === "pipeline") name = m[2];
    else pipelineArgs.push(a);
  }
  const loaded = await loadPipelines(file, pipelineArgs);
  let pipeline = name === undefined ? loaded.scripts[0] : undefined;
  if (!pipeline) {
    const names = [...loaded.definitions.keys()];
    const chosen = name ?? (names.length === 1 ? names[0] : undefined);
    const def = chosen !== undefined ? loaded.definitions.get(chosen) : undefined;
    if (!def) {
      throw new UsageError(
        names.length === 0
          ? `${file} neither runs a pipeline nor defines one with mr.definePipeline`
          : `choose a pipeline with --pipeline=<name>; ${file} defines: ${names.join(", ")}`,
      );
    }
    pipeline = def.create(pipelineArgs);
  }
  // The stages the chosen runner would execute (it may write some composites, such as io.writeText, itself).
  const proto = toProto(pipeline);
  const nativeComposites = findRunner(pipeline.options.runner)?.nativeComposites?.(proto) ?? NATIVE_COMPOSITES;
  const model = fromProto(proto, { nativeComposites, supportedRequirements: ["beam:requirement:pardo:stateful:v1"] });
  process.stdout.write(formatInspection(model, planExecution(model), format) + "\n");
  return 0;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

async function jobServer(args: string[]): Promise<number> {
  const settings: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(host|port|token|tokenFile|jobEnv|maxMessageBytes|maxPipelineBytes)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new UsageError(`job-server does not take '${args[i]}'`);
    const value = m[2] ?? args[++i];
    if (value === undefined || value === "") throw new UsageError(`--${m[1]} needs a value`);
    settings[m[1]!] = value;
  }
  const port = settings.port === undefined ? DEFAULT_JOB_SERVICE_PORT : Number(settings.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, not '${settings.port}'`);
  const maxMessageBytes = settings.maxMessageBytes === undefined ? undefined : Number(settings.maxMessageBytes);
  if (maxMessageBytes !== undefined && (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024))
    throw new UsageError("--maxMessageBytes takes a whole number of at least 1024");
  const maxPipelineBytes = settings.maxPipelineBytes === undefined ? undefined : Number(settings.maxPipelineBytes);
  if (maxPipelineBytes !== undefined && (!Number.isInteger(maxPipelineBytes) || maxPipelineBytes < 1024))
    throw new UsageError("--maxPipelineBytes takes a whole number of at least 1024");
  let jobEnv: string[] | undefined;
  try {
    jobEnv = settings.jobEnv === undefined ? undefined : parseJobEnv(settings.jobEnv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const host = settings.host ?? "127.0.0.1";
  const token = serviceToken(settings, process.env);
  if (token.warning) process.stderr.write(`warning: ${token.warning}\n`);
  const service = await JobService.start({
    host,
    port,
    ...(token.token !== undefined ? { token: token.token } : {}),
    ...(maxMessageBytes ? { maxMessageBytes } : {}),
    ...(maxPipelineBytes ? { maxPipelineBytes } : {}),
    ...(jobEnv ? { jobEnv } : {}),
  });
  const out = process.stdout;
  out.write(`millrace job service listening on ${service.endpoint}\n`);
  out.write(`  token:     ${service.token} (${token.source})\n`);
  out.write(`  submit:    millrace run <pipeline.ts> --jobEndpoint=${service.endpoint} --jobToken=${service.token}\n`);
  out.write(`  dashboard: ${service.dashboardUrl}\n`);
  if (!LOOPBACK.test(host))
    process.stderr.write(
      `warning: listening on ${host}, not loopback: anyone who can reach it and has the token can run code on this machine\n`,
    );
  return new Promise((resolve) => {
    const stop = (): void => {
      process.stdout.write("millrace job service stopping\n");
      void service.close().then(() => resolve(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function harness(args: string[]): Promise<number> {
  const settings: Record<string, string> = {};
  let pool = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--pool") {
      pool = true;
      continue;
    }
    const m = /^--(host|port)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new UsageError(`harness does not take '${args[i]}'`);
    const value = m[2] ?? args[++i];
    if (value === undefined || value === "") throw new UsageError(`--${m[1]} needs a value`);
    settings[m[1]!] = value;
  }
  if (!pool)
    throw new UsageError("harness runs a worker pool: millrace harness --pool (engines start single harnesses with millrace-harness)");
  const port = settings.port === undefined ? DEFAULT_WORKER_POOL_PORT : Number(settings.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, not '${settings.port}'`);
  const host = settings.host ?? "127.0.0.1";
  const running = await startWorkerPool({ host, port });
  process.stdout.write(`millrace SDK harness worker pool listening on ${running.endpoint}\n`);
  process.stdout.write(`  use: --environmentType=EXTERNAL --environmentConfig=${running.endpoint}\n`);
  if (!LOOPBACK.test(host))
    process.stderr.write(`warning: listening on ${host}, not loopback: whoever reaches it can make it run staged code on this machine\n`);
  return new Promise((resolve) => {
    const stop = (): void => {
      process.stdout.write("millrace worker pool stopping\n");
      void running.close().then(() => resolve(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return run(rest);
    case "inspect":
      return inspect(rest);
    case "job-server":
      return jobServer(rest);
    case "harness":
      return harness(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 1 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(
      e instanceof UsageError ? `millrace: ${e.message}\n${USAGE}\n` : `millrace: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
