import { createHash } from "node:crypto";
import { PCollection } from "./pcollection";
import { PBegin } from "./graph/pvalue";
import { TransformNode } from "./graph/transform_node";
import type { PrimitiveSpec } from "./graph/primitive_spec";
import type { PTransform } from "./ptransform";
import { PipelineOptions } from "./options/pipeline_options";
import { findRunner } from "./options/runner_registry";
import type { PipelineResult } from "../model/pipeline_result";
import type { WindowingStrategy } from "./windowing/windowing_strategy";
import type { Coder } from "../portability/coders/coder";
import { UserCodeRegistry } from "./user_code/user_code_registry";
import type { PipelineOrigin } from "./user_code/user_code_source";
import { callerModule } from "./user_code/caller_module";
import { nextRunIndex, rebuildState } from "./user_code/rebuild_mode";
import { pipelineLaunch } from "./pipeline_launch";

/** How a new output collection of a primitive is described. */
export interface OutputDeclaration {
  readonly coder: Coder<unknown>;
  readonly windowing: WindowingStrategy;
  readonly isBounded: boolean;
}

/**
 * The name a job gets without `--jobName`: its `definePipeline` name, or
 * the name of the file that builds it (`wordcount` for `wordcount.ts`), so
 * that jobs are told apart in logs and on a job service's dashboard.
 */
export function defaultJobName(definition: string | null, module: string | null): string {
  if (definition) return definition;
  if (module) {
    const base = (module.startsWith("file:") ? decodeURIComponent(new URL(module).pathname) : module).split(/[\\/]/).pop() ?? "";
    const name = base.replace(/\.(c|m)?(t|j)sx?$/, "");
    if (name) return name;
  }
  return "millrace-job";
}

/**
 * A pipeline: a graph of transforms and the collections between them, built
 * by applying transforms, then run on the runner its options select.
 *
 * @example
 * ```ts
 * const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(process.argv.slice(2)));
 * p.apply(mr.create(["a", "b", "a"])).apply(mr.countPerElement());
 * await p.run().waitUntilFinish();
 * ```
 */
export class Pipeline {
  /** The options the pipeline runs with. */
  readonly options: PipelineOptions;
  /** @internal The user functions and values the proto refers to. */
  readonly _userCode = new UserCodeRegistry();
  /** @internal The invisible root node. */
  readonly _root = new TransformNode("", "", undefined);
  /** @internal Where the pipeline was built, for workers. */
  _originModule: string | null;
  /** @internal The `definePipeline` name, when built by a definition. */
  _definition: string | null = null;

  private current: TransformNode = this._root;
  private readonly uniqueNames = new Set<string>();
  private readonly begin = new PBegin(this);

  private constructor(options: PipelineOptions) {
    this.options = options;
    this._originModule = callerModule();
  }

  /**
   * Creates an empty pipeline. Accepts parsed options, raw arguments, or
   * nothing (defaults: the direct runner).
   */
  static create(options?: PipelineOptions | readonly string[]): Pipeline {
    const parsed = options instanceof PipelineOptions ? options : PipelineOptions.fromArgs(options ?? []);
    return new Pipeline(parsed);
  }

  /** Applies a root transform (a source such as `mr.create`) to the pipeline. */
  apply<Out>(transform: PTransform<PBegin, Out>): Out;
  /** Applies a root transform under a given name. */
  apply<Out>(name: string, transform: PTransform<PBegin, Out>): Out;
  apply<Out>(nameOrTransform: string | PTransform<PBegin, Out>, maybeTransform?: PTransform<PBegin, Out>): Out {
    return typeof nameOrTransform === "string"
      ? this._applyTransform(this.begin, maybeTransform!, nameOrTransform)
      : this._applyTransform(this.begin, nameOrTransform, undefined);
  }

  /**
   * Translates the pipeline to its portable form and starts it on the
   * selected runner. Returns at once; await `waitUntilFinish()` for the end.
   */
  run(): PipelineResult {
    const rebuild = rebuildState();
    if (rebuild.active) {
      // A worker is rebuilding this pipeline to find its functions: hand it over, never run.
      if (rebuild.onCapture) return rebuild.onCapture(this) as PipelineResult;
      rebuild.captured.push(this);
      return neverEndingResult();
    }
    const runIndex = nextRunIndex(this._originModule);
    const runner = findRunner(this.options.runner);
    if (!runner) throw new Error(`internal: runner '${this.options.runner}' passed validation but is not registered`);
    const launch = pipelineLaunch();
    const pipelineProto = launch.toProto(this, { runIndex });
    const { jobEndpoint, jobToken, ...given } = this.options.toRecord();
    const jobName =
      typeof given.jobName === "string" && given.jobName !== "" ? given.jobName : defaultJobName(this._definition, this._originModule);
    const options = { ...given, jobName };
    if (typeof jobEndpoint === "string" && jobEndpoint !== "" && runner.takesJobEndpoint !== true) {
      const token = typeof jobToken === "string" && jobToken !== "" ? jobToken : process.env.MILLRACE_JOB_TOKEN;
      const request = { pipelineProto, options, origin: this._origin(runIndex), jobName };
      return launch.submitRemote(request, { endpoint: jobEndpoint, ...(token ? { token } : {}) });
    }
    return runner.run({ pipelineProto, options: { ...this.options.toRecord(), jobName }, userCode: this._userCode });
  }

  /** @internal The origin recorded in the proto, so a worker can rebuild this pipeline. */
  _origin(runIndex: number): PipelineOrigin {
    return {
      module: this._originModule,
      definition: this._definition,
      args: this.options.args,
      runIndex,
      fingerprint: this._fingerprint(),
    };
  }

  /** @internal A digest of the graph's names and references; equal for deterministic rebuilds. */
  _fingerprint(): string {
    const h = createHash("sha256");
    for (const name of [...this.uniqueNames].sort()) h.update(name + "\n");
    for (const ref of this._userCode.refs()) h.update("#" + ref + "\n");
    return h.digest("hex").slice(0, 16);
  }

  /** @internal The names of the top-level transforms, in order, for diagnostics. */
  _transformNames(): string[] {
    return this._root.parts.map((node) => node.uniqueName);
  }

  /** @internal Applies `transform` to `input` as a child of the transform being expanded. */
  _applyTransform<In, Out>(input: In, transform: PTransform<In, Out>, givenName: string | undefined): Out {
    if (transform === undefined || transform === null || typeof (transform as { expand?: unknown }).expand !== "function") {
      throw new TypeError(`apply expects a PTransform (e.g. mr.map(fn)), got ${String(transform)}`);
    }
    const parent = this.current;
    const localName = givenName ?? this.freeName(parent, transform.defaultName());
    const uniqueName = parent.isRoot ? localName : `${parent.uniqueName}/${localName}`;
    if (givenName !== undefined) {
      if (givenName === "" || givenName.includes("/")) {
        throw new Error(`invalid transform name '${givenName}': names are non-empty and contain no '/'`);
      }
      if (this.uniqueNames.has(uniqueName)) {
        throw new Error(`duplicate transform name '${uniqueName}': give each applied transform a unique name`);
      }
    }
    const node = new TransformNode(uniqueName, localName, parent);
    this.uniqueNames.add(uniqueName);
    parent.childNames.add(localName);
    parent.parts.push(node);
    node.inputs = collectInputs(input);
    this.current = node;
    try {
      const output = transform.expand(input);
      if (Object.keys(node.outputs).length === 0) node.outputs = collectOutputs(output);
      return output;
    } finally {
      this.current = parent;
    }
  }

  /** @internal Marks the transform being expanded as a primitive (or a URN'd composite) and declares its outputs. */
  _declarePrimitive(spec: PrimitiveSpec, outputs: Readonly<Record<string, OutputDeclaration>>): Record<string, PCollection<unknown>> {
    const node = this.current;
    if (node.isRoot) throw new Error("internal: a primitive must be declared inside a transform's expand");
    node.spec = spec;
    const created: Record<string, PCollection<unknown>> = {};
    for (const [tag, decl] of Object.entries(outputs)) {
      created[tag] = new PCollection(this, node, tag, decl.coder, decl.windowing, decl.isBounded);
    }
    node.outputs = created;
    return created;
  }

  /** @internal Marks the transform being expanded as a composite with a standard URN (its parts still expand it). */
  _declareComposite(spec: PrimitiveSpec): TransformNode {
    const node = this.current;
    node.spec = spec;
    return node;
  }

  /** @internal The transform being expanded. */
  get _currentTransform(): TransformNode {
    return this.current;
  }

  /** @internal Registers a user value under the current transform's name and a role; returns the reference. */
  _registerUserCode(role: string, value: unknown): string {
    return this._userCode.register(`${this.current.uniqueName}#${role}`, value);
  }

  private freeName(parent: TransformNode, base: string): string {
    if (!parent.childNames.has(base)) return base;
    for (let i = 2; ; i++) {
      const candidate = `${base}${i}`;
      if (!parent.childNames.has(candidate)) return candidate;
    }
  }
}

function collectInputs(input: unknown): Record<string, PCollection<unknown>> {
  if (input instanceof PCollection) return { main: input };
  const out: Record<string, PCollection<unknown>> = {};
  if (Array.isArray(input)) {
    input.forEach((pc, i) => {
      if (pc instanceof PCollection) out[String(i)] = pc;
    });
  } else if (input && typeof input === "object" && !(input instanceof PBegin)) {
    for (const [k, v] of Object.entries(input)) if (v instanceof PCollection) out[k] = v;
  }
  return out;
}

function collectOutputs(output: unknown): Record<string, PCollection<unknown>> {
  return collectInputs(output);
}

function neverEndingResult(): PipelineResult {
  return {
    state: "RUNNING",
    waitUntilFinish: () => new Promise(() => undefined),
    cancel: () => undefined,
    metrics: () => ({ counters: {}, distributions: {}, gauges: {} }),
  };
}
