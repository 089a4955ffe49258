/**
 * Beam Runner API bytes -> a validated {@link PipelineModel}. Everything a
 * runner could trip over later (dangling ids, unknown URNs, undecodable
 * payloads, unsupported requirements) is reported here, with the transform
 * or component named.
 */
import { decodeMessage, ProtoDecodeError } from "./proto/messages";
import type * as pb from "./proto/messages";
import { PipelineModel } from "./pipeline_model";
import { TransformUrns, WindowFnUrns, MillraceUrns, SideInputUrns, RequirementUrns } from "./urns";
import { defaultCoderRegistry } from "./coders";
import { decodeJsonPayload, type DoFnPayload } from "./payloads";
import { JS_VALUE_CODER } from "./coders/js_value_coder";
import type { Coder } from "./coders/coder";

/** Thrown for a pipeline proto that cannot be run: the message says what and where. */
export class InvalidPipelineError extends Error {
  /** Always `"InvalidPipelineError"`. */
  override readonly name = "InvalidPipelineError";
}

/** Options of {@link fromProto}. */
export interface FromProtoOptions {
  /**
   * Requirement URNs the caller supports; any other listed requirement is
   * refused. Default: splittable DoFns only (every millrace runner runs
   * them, and `readText` is one).
   */
  readonly supportedRequirements?: readonly string[];
  /** Composite URNs executed natively (kept as leaves). Default: none. */
  readonly nativeComposites?: readonly string[];
}

const LEAF_URNS: ReadonlySet<string> = new Set([
  TransformUrns.IMPULSE,
  TransformUrns.PAR_DO,
  TransformUrns.FLATTEN,
  TransformUrns.GROUP_BY_KEY,
  TransformUrns.WINDOW_INTO,
  TransformUrns.TEST_STREAM,
]);

const KNOWN_WINDOW_FNS: ReadonlySet<string> = new Set(Object.values(WindowFnUrns));

/**
 * Decodes and validates a pipeline proto.
 *
 * @example
 * ```ts
 * const model = mr.portability.fromProto(mr.portability.toProto(p));
 * console.log(model.leaves.map((t) => t.id));
 * ```
 */
export function fromProto(bytes: Uint8Array, options: FromProtoOptions = {}): PipelineModel {
  if (!(bytes instanceof Uint8Array)) throw new InvalidPipelineError("fromProto expects the pipeline's bytes (a Uint8Array)");
  let proto: pb.Pipeline;
  try {
    proto = decodeMessage("Pipeline", bytes);
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw new InvalidPipelineError(`malformed pipeline proto: ${e.message}`, { cause: e });
    throw e;
  }
  validate(proto, options);
  let model: PipelineModel;
  try {
    model = new PipelineModel(proto, new Set(options.nativeComposites ?? []));
  } catch (e) {
    throw new InvalidPipelineError(`invalid pipeline: ${(e as Error).message}`, { cause: e });
  }
  buildEveryCoder(model);
  return model;
}

/**
 * Builds each coder once so a bad payload (a row schema, a windowed-value
 * parameter) is refused now rather than when the first element arrives.
 * User coders are the user's code, loaded later: a stand-in takes their place,
 * which is why this builds into its own memo and not the model's cache.
 * Runs after the cycle check, so the recursion ends.
 */
function buildEveryCoder(model: PipelineModel): void {
  const coders = model.components.coders;
  const built = new Map<string, Coder>();
  const build = (id: string): Coder => {
    const done = built.get(id);
    if (done) return done;
    const spec = coders[id]!.spec!;
    const coder =
      spec.urn === MillraceUrns.USER_CODER
        ? JS_VALUE_CODER
        : defaultCoderRegistry.build({
            urn: spec.urn,
            ...(spec.payload.length > 0 ? { payload: spec.payload } : {}),
            components: coders[id]!.componentCoderIds.map(build),
          });
    built.set(id, coder);
    return coder;
  };
  for (const id of Object.keys(coders)) {
    try {
      build(id);
    } catch (e) {
      throw new InvalidPipelineError(`invalid pipeline: coder '${id}' cannot be built: ${(e as Error).message}`, { cause: e });
    }
  }
}

function validate(proto: pb.Pipeline, options: FromProtoOptions): void {
  const fail = (msg: string): never => {
    throw new InvalidPipelineError(`invalid pipeline: ${msg}`);
  };
  const c = proto.components;
  if (!c) return fail("it has no components");
  if (proto.rootTransformIds.length === 0) fail("it has no root transforms");
  const supported = new Set(options.supportedRequirements ?? [RequirementUrns.SPLITTABLE_DOFN]);
  for (const r of proto.requirements) {
    if (!supported.has(r)) fail(`it requires '${r}', which this runner does not support`);
  }
  for (const id of proto.rootTransformIds) if (!c.transforms[id]) fail(`root transform '${id}' does not exist`);

  for (const [id, coder] of Object.entries(c.coders)) {
    if (!coder.spec) fail(`coder '${id}' has no spec`);
    for (const comp of coder.componentCoderIds)
      if (!c.coders[comp]) fail(`coder '${id}' names component coder '${comp}', which does not exist`);
    const urn = coder.spec!.urn;
    if (urn !== MillraceUrns.USER_CODER && !defaultCoderRegistry.has(urn)) fail(`coder '${id}' has unknown URN '${urn}'`);
    const expected = urn === MillraceUrns.USER_CODER ? 0 : defaultCoderRegistry.componentCount(urn);
    if (expected !== undefined && coder.componentCoderIds.length !== expected) {
      fail(`coder '${id}' (${urn}) has ${coder.componentCoderIds.length} component coder(s); it takes ${expected}`);
    }
  }
  const coderCycle = findCycle(Object.keys(c.coders), (id) => c.coders[id]?.componentCoderIds ?? []);
  if (coderCycle) fail(`coder '${coderCycle[0]}' contains itself: ${coderCycle.join(" -> ")}`);
  const nestingCycle = findCycle(Object.keys(c.transforms), (id) => c.transforms[id]?.subtransforms ?? []);
  if (nestingCycle) fail(`transform '${nestingCycle[0]}' contains itself: ${nestingCycle.join(" -> ")}`);
  for (const [id, ws] of Object.entries(c.windowingStrategies)) {
    if (!ws.windowFn) fail(`windowing strategy '${id}' has no window fn`);
    if (!KNOWN_WINDOW_FNS.has(ws.windowFn!.urn)) fail(`windowing strategy '${id}' has unknown window fn '${ws.windowFn!.urn}'`);
    if (!c.coders[ws.windowCoderId]) fail(`windowing strategy '${id}' names window coder '${ws.windowCoderId}', which does not exist`);
    if (!ws.trigger) fail(`windowing strategy '${id}' has no trigger`);
  }
  for (const [id, pc] of Object.entries(c.pcollections)) {
    if (!c.coders[pc.coderId]) fail(`PCollection '${id}' names coder '${pc.coderId}', which does not exist`);
    if (!c.windowingStrategies[pc.windowingStrategyId]) {
      fail(`PCollection '${id}' names windowing strategy '${pc.windowingStrategyId}', which does not exist`);
    }
  }
  const produced = new Map<string, string>();
  for (const [id, t] of Object.entries(c.transforms)) {
    for (const sub of t.subtransforms) if (!c.transforms[sub]) fail(`transform '${id}' names subtransform '${sub}', which does not exist`);
    for (const [tag, pc] of Object.entries(t.inputs))
      if (!c.pcollections[pc]) fail(`transform '${id}' input '${tag}' names PCollection '${pc}', which does not exist`);
    for (const [tag, pc] of Object.entries(t.outputs))
      if (!c.pcollections[pc]) fail(`transform '${id}' output '${tag}' names PCollection '${pc}', which does not exist`);
    if (t.environmentId && !c.environments[t.environmentId])
      fail(`transform '${id}' names environment '${t.environmentId}', which does not exist`);
    if (t.subtransforms.length > 0) continue;
    const urn = t.spec?.urn ?? "";
    if (!LEAF_URNS.has(urn) && !(options.nativeComposites ?? []).includes(urn)) {
      fail(`transform '${id}' has ${urn ? `unknown URN '${urn}'` : "no URN"} and no subtransforms to expand it`);
    }
    for (const pc of Object.values(t.outputs)) {
      const other = produced.get(pc);
      if (other) fail(`PCollection '${pc}' is produced by both '${other}' and '${id}'`);
      produced.set(pc, id);
    }
    if (urn === TransformUrns.PAR_DO) validateParDo(id, t, fail);
  }
  const leaves = Object.keys(c.transforms).filter((id) => c.transforms[id]!.subtransforms.length === 0);
  const dataCycle = findCycle(leaves, (id) => Object.values(c.transforms[id]!.inputs).flatMap((pc) => produced.get(pc) ?? []));
  if (dataCycle) fail(`the pipeline graph has a cycle: ${dataCycle.join(" -> ")} (a transform reads what it, or a later step, produces)`);
}

/**
 * The first cycle of a graph as a path that starts and ends on the same node,
 * or `undefined`. Iterative, so a hostile proto with a very deep chain cannot
 * overflow the stack.
 */
function findCycle(nodes: readonly string[], edges: (node: string) => readonly string[]): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  for (const start of nodes) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const next: number[] = [0];
    state.set(start, "open");
    while (path.length > 0) {
      const node = path[path.length - 1]!;
      const out = edges(node);
      const i = next[next.length - 1]!;
      if (i >= out.length) {
        state.set(node, "done");
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const child = out[i]!;
      const seen = state.get(child);
      if (seen === "open") return [...path.slice(path.indexOf(child)), child];
      if (seen === undefined) {
        state.set(child, "open");
        path.push(child);
        next.push(0);
      }
    }
  }
  return undefined;
}

function validateParDo(id: string, t: pb.PTransform, fail: (msg: string) => never): void {
  let payload: pb.ParDoPayload;
  try {
    payload = decodeMessage("ParDoPayload", t.spec!.payload);
  } catch (e) {
    return fail(`transform '${id}' has a malformed ParDo payload: ${(e as Error).message}`);
  }
  if (!payload.doFn) fail(`ParDo '${id}' has no DoFn`);
  if (payload.doFn!.urn !== MillraceUrns.DO_FN) fail(`ParDo '${id}' has DoFn URN '${payload.doFn!.urn}', which this SDK cannot run`);
  let fn: DoFnPayload;
  try {
    fn = decodeJsonPayload<DoFnPayload>(payload.doFn!.payload, `DoFn of '${id}'`);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (typeof fn.ref !== "string" || typeof fn.shape !== "string" || !Array.isArray(fn.additionalOutputs)) {
    fail(`ParDo '${id}' has an incomplete DoFn payload`);
  }
  for (const [name, si] of Object.entries(payload.sideInputs)) {
    if (!(name in t.inputs)) fail(`ParDo '${id}' side input '${name}' is not among its inputs`);
    const pattern = si.accessPattern?.urn;
    if (pattern !== SideInputUrns.ITERABLE && pattern !== SideInputUrns.MULTIMAP) {
      fail(`ParDo '${id}' side input '${name}' has unknown access pattern '${pattern}'`);
    }
    if (si.viewFn?.urn !== MillraceUrns.VIEW_FN) fail(`ParDo '${id}' side input '${name}' has unknown view fn '${si.viewFn?.urn}'`);
  }
}
