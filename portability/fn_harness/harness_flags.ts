/**
 * The flags and environment variables Beam's engines start an SDK harness
 * with (PROCESS environments; Beam's `boot` programs read the same):
 * `--id`, `--control_endpoint`, `--logging_endpoint`, `--provision_endpoint`,
 * `--artifact_endpoint`, or the `WORKER_ID`, `CONTROL_API_SERVICE_DESCRIPTOR`,
 * `LOGGING_API_SERVICE_DESCRIPTOR`, `PROVISION_API_SERVICE_DESCRIPTOR`,
 * `ARTIFACT_API_SERVICE_DESCRIPTOR` variables (an endpoint, or the text form
 * of an ApiServiceDescriptor, `url: "host:port"`).
 */

/** Where a harness started by an engine connects. */
export interface HarnessFlags {
  readonly workerId: string;
  /** Empty when only the provision endpoint was given: the provision info names it then. */
  readonly controlEndpoint: string;
  readonly loggingEndpoint: string;
  readonly provisionEndpoint: string;
  readonly artifactEndpoint: string;
}

/** Thrown for flags the harness cannot start with; the message says which. */
export class HarnessFlagsError extends Error {
  override readonly name = "HarnessFlagsError";
}

const FLAGS: Record<string, keyof HarnessFlags> = {
  id: "workerId",
  worker_id: "workerId",
  control_endpoint: "controlEndpoint",
  logging_endpoint: "loggingEndpoint",
  provision_endpoint: "provisionEndpoint",
  artifact_endpoint: "artifactEndpoint",
};

const ENV: Record<string, keyof HarnessFlags> = {
  WORKER_ID: "workerId",
  CONTROL_API_SERVICE_DESCRIPTOR: "controlEndpoint",
  LOGGING_API_SERVICE_DESCRIPTOR: "loggingEndpoint",
  PROVISION_API_SERVICE_DESCRIPTOR: "provisionEndpoint",
  ARTIFACT_API_SERVICE_DESCRIPTOR: "artifactEndpoint",
};

/** An endpoint from a plain `host:port` or an ApiServiceDescriptor's text form. */
function endpointOf(value: string): string {
  const m = /url\s*:\s*"([^"]*)"/.exec(value);
  return (m ? m[1]! : value).trim();
}

/** Reads the harness's flags (`--name=value` or `--name value`), falling back to the environment. */
export function parseHarnessFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): HarnessFlags {
  const out: Record<keyof HarnessFlags, string> = {
    workerId: "",
    controlEndpoint: "",
    loggingEndpoint: "",
    provisionEndpoint: "",
    artifactEndpoint: "",
  };
  for (const [name, key] of Object.entries(ENV)) if (env[name]) out[key] = key === "workerId" ? env[name]! : endpointOf(env[name]!);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([a-z_]+)(?:=(.*))?$/.exec(argv[i]!);
    const key = m ? FLAGS[m[1]!] : undefined;
    if (!m || !key) continue; // Engines pass flags of their own (e.g. --semi_persist_dir): not ours to refuse.
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new HarnessFlagsError(`--${m[1]} needs a value`);
    out[key] = key === "workerId" ? value : endpointOf(value);
  }
  if (!out.workerId) throw new HarnessFlagsError("the harness needs its worker id (--id=<id> or WORKER_ID)");
  if (!out.controlEndpoint && !out.provisionEndpoint) {
    throw new HarnessFlagsError("the harness needs --control_endpoint or --provision_endpoint (or CONTROL_API_SERVICE_DESCRIPTOR)");
  }
  return out;
}
