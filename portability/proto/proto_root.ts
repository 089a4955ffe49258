/**
 * Loads millrace's Beam Runner API `.proto` files with protobufjs, once,
 * synchronously, at module load.
 *
 * The `.proto` files are not copied by `tsc`, so they are looked up at
 * runtime: first next to this module (running from source, e.g. via tsx),
 * then under `<package root>/portability/proto/` where the package root is
 * the nearest ancestor folder whose `package.json` is named "millrace"
 * (running compiled from `dist/portability/proto/`, or installed as a
 * dependency, where `package.json#files` ships the `.proto` files).
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as protobuf from "protobufjs";

/** Protobuf package of every millrace/Beam message. */
export const BEAM_PROTO_PACKAGE = "org.apache.beam.model.pipeline.v1";

/** The Runner API `.proto` files (the pipeline model), in load order (imports are resolved too). */
export const BEAM_PROTO_FILES = ["endpoints.proto", "standard_window_fns.proto", "beam_runner_api.proto"] as const;

/**
 * The `.proto` files of Beam's gRPC services a job client and an SDK harness
 * speak (Job, Artifact, Provision APIs and the MonitoringInfo they report)
 * and the payloads of Beam's standard environments and artifacts,
 * loaded into the same root so their messages can embed Runner API ones.
 */
export const BEAM_SERVICE_PROTO_FILES = [
  "environments.proto",
  "metrics.proto",
  "beam_job_api.proto",
  "beam_artifact_api.proto",
  "beam_provision_api.proto",
  "beam_fn_api.proto",
] as const;

/** Every `.proto` file of the shared root. */
const ALL_PROTO_FILES: readonly string[] = [...BEAM_PROTO_FILES, ...BEAM_SERVICE_PROTO_FILES];

const PACKAGE_NAME = "millrace";

function hasAllProtoFiles(dir: string): boolean {
  return ALL_PROTO_FILES.every((f) => fs.existsSync(path.join(dir, f)));
}

function isMillracePackageRoot(dir: string): boolean {
  const pkg = path.join(dir, "package.json");
  if (!fs.existsSync(pkg)) return false;
  try {
    const parsed = JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: unknown };
    return parsed.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/**
 * Finds the folder holding the `.proto` files, starting at `startDir`
 * (defaults to this module's folder). Throws a descriptive error listing
 * every place tried when they cannot be found.
 */
export function findProtoDir(startDir: string = __dirname): string {
  const tried: string[] = [];
  if (hasAllProtoFiles(startDir)) return startDir;
  tried.push(startDir);
  let dir = path.resolve(startDir);
  for (;;) {
    if (isMillracePackageRoot(dir)) {
      const candidate = path.join(dir, "portability", "proto");
      if (hasAllProtoFiles(candidate)) return candidate;
      tried.push(candidate);
      break; // Do not wander outside our own package.
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`millrace: cannot find the Beam .proto files (${ALL_PROTO_FILES.join(", ")}); ` + `looked in: ${tried.join(", ")}`);
}

/** Options for {@link loadBeamProtoRoot}. */
export interface LoadBeamProtoOptions {
  /** Keep snake_case field names instead of protobufjs's camelCase. Default false. */
  keepCase?: boolean;
  /** Folder with the `.proto` files; default {@link findProtoDir}(). */
  protoDir?: string;
}

/**
 * Loads a fresh, resolved protobufjs `Root` with the Beam messages. Most code
 * should use the shared {@link protoRoot} instead; this exists for tests and
 * tools that want e.g. `keepCase: true` to see the `.proto` field names.
 */
export function loadBeamProtoRoot(options: LoadBeamProtoOptions = {}): protobuf.Root {
  const dir = options.protoDir ?? findProtoDir();
  const root = new protobuf.Root();
  root.loadSync(
    ALL_PROTO_FILES.map((f) => path.join(dir, f)),
    { keepCase: options.keepCase ?? false },
  );
  // Fail now (not on first encode) if any type reference is dangling.
  root.resolveAll();
  return root;
}

/** The shared root, camelCase field names, loaded once. */
export const protoRoot: protobuf.Root = loadBeamProtoRoot();

function lookup(name: string): protobuf.Type {
  return protoRoot.lookupType(`${BEAM_PROTO_PACKAGE}.${name}`);
}

/**
 * The message types millrace uses, by their name relative to the Beam
 * package (nested types use a dot: `"Trigger.AfterAll"` is not listed here but
 * can be found with `lookupBeamType`).
 */
export const BeamTypes = {
  Pipeline: lookup("Pipeline"),
  Components: lookup("Components"),
  PTransform: lookup("PTransform"),
  PCollection: lookup("PCollection"),
  FunctionSpec: lookup("FunctionSpec"),
  Coder: lookup("Coder"),
  Environment: lookup("Environment"),
  ArtifactInformation: lookup("ArtifactInformation"),
  DisplayData: lookup("DisplayData"),
  WindowingStrategy: lookup("WindowingStrategy"),
  ParDoPayload: lookup("ParDoPayload"),
  SideInput: lookup("SideInput"),
  StateSpec: lookup("StateSpec"),
  TimerFamilySpec: lookup("TimerFamilySpec"),
  CombinePayload: lookup("CombinePayload"),
  ReadPayload: lookup("ReadPayload"),
  WriteFilesPayload: lookup("WriteFilesPayload"),
  WindowIntoPayload: lookup("WindowIntoPayload"),
  TestStreamPayload: lookup("TestStreamPayload"),
  Trigger: lookup("Trigger"),
  TimestampTransform: lookup("TimestampTransform"),
  ApiServiceDescriptor: lookup("ApiServiceDescriptor"),
  GlobalWindowsPayload: lookup("GlobalWindowsPayload"),
  FixedWindowsPayload: lookup("FixedWindowsPayload"),
  SlidingWindowsPayload: lookup("SlidingWindowsPayload"),
  SessionWindowsPayload: lookup("SessionWindowsPayload"),
} as const satisfies Record<string, protobuf.Type>;

/** Names accepted by `encodeMessage` / `decodeMessage`. */
export type BeamTypeName = keyof typeof BeamTypes;

/** Looks up any Beam message type (nested ones with dots, e.g. `"Trigger.AfterAll"`). */
export function lookupBeamType(name: string): protobuf.Type {
  return lookup(name);
}

/** Looks up a Beam enum, e.g. `lookupBeamEnum("IsBounded.Enum")`. */
export function lookupBeamEnum(name: string): protobuf.Enum {
  return protoRoot.lookupEnum(`${BEAM_PROTO_PACKAGE}.${name}`);
}
