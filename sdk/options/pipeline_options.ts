/**
 * Pipeline options: which runner, and the flags of that runner and of the
 * pipeline itself, parsed from the command line and validated.
 */
import { describeFlags, parseFlagValue, type FlagSpecs } from "./flag_spec";
import { findRunner, registeredRunners } from "./runner_registry";

/** The runner used when `--runner` is absent. */
export const DEFAULT_RUNNER = "direct";

/** Flags every pipeline accepts, whatever the runner. */
export const COMMON_FLAGS: FlagSpecs = {
  runner: { type: "string", description: "where the pipeline runs", default: DEFAULT_RUNNER },
  jobName: {
    type: "string",
    description:
      "a name for the job, shown in logs, errors and the job service's dashboard (default: the definePipeline name, or the pipeline file's name)",
  },
  help: { type: "boolean", description: "print the flags and exit" },
  jobEndpoint: {
    type: "string",
    description:
      "submit the job to a job service (millrace job-server) at ws://host:port instead of running it here; with --runner=portable, the host:port of a Beam job service",
  },
  jobToken: { type: "string", description: "the job service's token (or put ?token=... in --jobEndpoint, or set MILLRACE_JOB_TOKEN)" },
};

/** Thrown for an unknown flag or a bad value; the message lists the valid flags. */
export class InvalidOptionsError extends Error {
  /** Always `"InvalidOptionsError"`. */
  override readonly name = "InvalidOptionsError";
}

/** Extra flags a pipeline declares for itself, e.g. `{ input: { type: "string", ... } }`. */
export interface FromArgsConfig {
  /** The pipeline's own flags, accepted next to the runner's. */
  readonly flags?: FlagSpecs;
  /** What `--help` does: by default print and exit the process with code 0. */
  readonly onHelp?: (helpText: string) => void;
  /**
   * What an unknown flag or a bad value does. By default, when the arguments
   * are the process's own command line (`process.argv.slice(2)`, as at the
   * top of a script), the message and the valid flags are printed on stderr
   * and the process exits with code 2, as command-line tools do; arguments
   * given any other way throw the {@link InvalidOptionsError}.
   */
  readonly onInvalid?: (error: InvalidOptionsError) => void;
}

/**
 * Parsed, validated options. Build them with {@link PipelineOptions.fromArgs}.
 *
 * @example
 * ```ts
 * const options = mr.PipelineOptions.fromArgs(process.argv.slice(2));
 * const p = mr.Pipeline.create(options);
 * ```
 */
export class PipelineOptions {
  private constructor(
    private readonly values: Readonly<Record<string, string | number | boolean>>,
    /** The arguments the options were parsed from, so that workers can parse them again. */
    readonly args: readonly string[],
  ) {}

  /**
   * Parses `--name=value` (or `--name value`, or a bare `--flag` for true)
   * arguments. Unknown flags and bad values throw an {@link InvalidOptionsError}
   * that lists the valid ones; `--help` prints them.
   */
  static fromArgs(args: readonly string[] = [], config: FromArgsConfig = {}): PipelineOptions {
    try {
      return PipelineOptions.parse(args, config);
    } catch (e) {
      if (!(e instanceof InvalidOptionsError)) throw e;
      if (config.onInvalid) config.onInvalid(e);
      else if (isProcessCommandLine(args)) printErrorAndExit(e);
      throw e;
    }
  }

  private static parse(args: readonly string[], config: FromArgsConfig): PipelineOptions {
    const raw = splitArgs(args);
    const runnerName = raw.get("runner") ?? DEFAULT_RUNNER;
    const runner = findRunner(runnerName);
    if (raw.has("help")) {
      const text = helpText(runner ? runnerName : DEFAULT_RUNNER, config.flags ?? {});
      (config.onHelp ?? printHelpAndExit)(text);
    }
    if (!runner) {
      const valid = registeredRunners()
        .map((r) => r.name)
        .join(", ");
      throw new InvalidOptionsError(`unknown runner '${runnerName}'; valid runners: ${valid}`);
    }
    const specs: FlagSpecs = { ...COMMON_FLAGS, ...runner.flags, ...(config.flags ?? {}) };
    const values: Record<string, string | number | boolean> = {};
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.default !== undefined) values[name] = spec.default;
    }
    for (const [name, text] of raw) {
      const spec = specs[name];
      if (!spec) {
        throw new InvalidOptionsError(`unknown flag --${name} for runner '${runnerName}'; valid flags:\n${describeFlags(specs)}`);
      }
      try {
        values[name] = parseFlagValue(name, spec, text);
      } catch (e) {
        throw new InvalidOptionsError(`${(e as Error).message}\nvalid flags:\n${describeFlags(specs)}`);
      }
    }
    return new PipelineOptions(Object.freeze(values), Object.freeze([...args]));
  }

  /** The selected runner's name. */
  get runner(): string {
    return this.values.runner as string;
  }

  /** The value of a flag (its default when absent), or undefined for a flag without one. */
  get<T extends string | number | boolean>(name: string): T | undefined {
    return this.values[name] as T | undefined;
  }

  /** All flag values, defaults included. */
  toRecord(): Readonly<Record<string, string | number | boolean>> {
    return this.values;
  }
}

/** The `--help` text for a runner and a pipeline's own flags. */
export function helpText(runnerName: string, pipelineFlags: FlagSpecs): string {
  const parts = [
    "millrace pipeline options",
    "",
    "Common flags:",
    describeFlags(COMMON_FLAGS),
    "",
    `Runners: ${registeredRunners()
      .map((r) => `${r.name} (${r.description})`)
      .join("; ")}`,
  ];
  for (const runner of registeredRunners()) {
    if (Object.keys(runner.flags).length === 0) continue;
    parts.push("", `Flags of --runner=${runner.name}${runner.name === runnerName ? " (selected)" : ""}:`);
    parts.push(describeFlags(runner.flags));
  }
  if (Object.keys(pipelineFlags).length > 0) parts.push("", "Pipeline flags:", describeFlags(pipelineFlags));
  return parts.join("\n");
}

/** Whether `args` are this process's command-line arguments (a copy of them counts). */
function isProcessCommandLine(args: readonly string[]): boolean {
  const own = process.argv.slice(2);
  return args.length > 0 && args.length === own.length && args.every((a, i) => a === own[i]);
}

function printErrorAndExit(error: InvalidOptionsError): never {
  const hint = /valid (flags|runners)/.test(error.message) ? "" : "\n(--help lists every flag)";
  process.stderr.write(`error: ${error.message}${hint}\n`);
  process.exit(2);
}

function printHelpAndExit(text: string): never {
  process.stdout.write(text + "\n");
  process.exit(0);
}

function splitArgs(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      throw new InvalidOptionsError(`unexpected argument '${arg}': options are written --name=value`);
    }
    const eq = arg.indexOf("=");
    if (eq >= 0) {
      out.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < args.length && !args[i + 1]!.startsWith("--")) {
      out.set(arg.slice(2), args[++i]!);
    } else {
      out.set(arg.slice(2), "");
    }
  }
  return out;
}
