/**
 * A decoded, validated pipeline, with the look-ups every runner needs: the
 * leaf transforms in topological order, producers and consumers of each
 * PCollection, decoded payloads and built coders.
 */
import type * as pb from "./proto/messages";
import { decodeMessage } from "./proto/messages";
import type { Coder } from "./coders/coder";
import { defaultCoderRegistry } from "./coders";
import { MillraceUrns } from "./urns";
import { decodeJsonPayload, type DoFnPayload, type UserCoderPayload, type TextSinkPayload } from "./payloads";
import type { KafkaSinkPayload } from "../sdk/io/kafka/kafka_sink_payload";
import type { UserCodeSource } from "../sdk/user_code/user_code_source";

/** A leaf transform of the model. */
export interface LeafTransform {
  /** The transform's id in `Components.transforms`. */
  readonly id: string;
  /** The decoded `PTransform` message. */
  readonly proto: pb.PTransform;
  /** The URN of its spec (`""` when it has none): what the runner must execute. */
  readonly urn: string;
}

/** The validated pipeline. Build it with `fromProto`. */
export class PipelineModel {
  /** Leaf transforms (or composites a runner executes natively) in topological order. */
  readonly leaves: readonly LeafTransform[];
  private readonly producers = new Map<string, string>();
  private readonly consumers = new Map<string, string[]>();
  private readonly coderCache = new Map<string, Coder<unknown>>();
  private readonly parDoCache = new Map<string, pb.ParDoPayload>();

  /** @internal Use `fromProto`. */
  constructor(
    /** The decoded `Pipeline` message. */
    readonly proto: pb.Pipeline,
    /** Composite URNs the runner executes natively instead of expanding. */
    readonly nativeComposites: ReadonlySet<string>,
  ) {
    this.leaves = this.collectLeaves();
    for (const leaf of this.leaves) {
      for (const pc of Object.values(leaf.proto.outputs)) this.producers.set(pc, leaf.id);
      for (const pc of Object.values(leaf.proto.inputs)) {
        let list = this.consumers.get(pc);
        if (!list) this.consumers.set(pc, (list = []));
        if (!list.includes(leaf.id)) list.push(leaf.id);
      }
    }
  }

  /** The components, never null after validation. */
  get components(): pb.Components {
    return this.proto.components!;
  }

  /** A transform by id. */
  transform(id: string): pb.PTransform {
    const t = this.components.transforms[id];
    if (!t) throw new Error(`no transform '${id}' in the pipeline`);
    return t;
  }

  /** A PCollection by id. */
  pcollection(id: string): pb.PCollection {
    const pc = this.components.pcollections[id];
    if (!pc) throw new Error(`no PCollection '${id}' in the pipeline`);
    return pc;
  }

  /** The windowing strategy of a PCollection. */
  windowingOf(pcollectionId: string): pb.WindowingStrategy {
    return this.components.windowingStrategies[this.pcollection(pcollectionId).windowingStrategyId]!;
  }

  /** The first leaf that runs user code (names the pipeline in errors about its code), or "(none)". */
  firstUserTransform(): string {
    return this.leaves.find((l) => l.proto.environmentId)?.id ?? "(none)";
  }

  /** The leaf that produces `pcollectionId`. */
  producerOf(pcollectionId: string): string | undefined {
    return this.producers.get(pcollectionId);
  }

  /** The leaves that read `pcollectionId` (as main or side input). */
  consumersOf(pcollectionId: string): readonly string[] {
    return this.consumers.get(pcollectionId) ?? [];
  }

  /** The decoded ParDo payload of a ParDo transform. */
  parDoPayload(transformId: string): pb.ParDoPayload {
    let payload = this.parDoCache.get(transformId);
    if (!payload) {
      payload = decodeMessage("ParDoPayload", this.transform(transformId).spec!.payload);
      this.parDoCache.set(transformId, payload);
    }
    return payload;
  }

  /** The millrace DoFn payload of a ParDo transform. */
  doFnPayload(transformId: string): DoFnPayload {
    return decodeJsonPayload<DoFnPayload>(this.parDoPayload(transformId).doFn!.payload, `DoFn of '${transformId}'`);
  }

  /**
   * The text sink of a `beam:transform:write_files:v1` composite (what
   * `io.writeText` writes), for runners that write files natively.
   */
  textSinkPayload(transformId: string): TextSinkPayload {
    const payload = decodeMessage("WriteFilesPayload", this.transform(transformId).spec!.payload);
    if (payload.sink?.urn !== MillraceUrns.TEXT_SINK) {
      throw new Error(
        `'${transformId}' writes files with the sink '${payload.sink?.urn ?? "(none)"}'; only ${MillraceUrns.TEXT_SINK} is supported`,
      );
    }
    return decodeJsonPayload<TextSinkPayload>(payload.sink.payload, `text sink of '${transformId}'`);
  }

  /** The sink of an `io.kafka.write` composite (`millrace:transform:kafka_write:v1`), for runners that write Kafka natively. */
  kafkaSinkPayload(transformId: string): KafkaSinkPayload {
    return decodeJsonPayload<KafkaSinkPayload>(this.transform(transformId).spec!.payload, `Kafka sink of '${transformId}'`);
  }

  /** The main input PCollection of a transform (the input that is not a side input). */
  mainInput(transformId: string): string | undefined {
    const t = this.transform(transformId);
    const side = t.spec?.urn === "beam:transform:pardo:v1" ? this.parDoPayload(transformId).sideInputs : {};
    for (const [tag, pc] of Object.entries(t.inputs)) if (!(tag in side)) return pc;
    return undefined;
  }

  /** The built coder with id `coderId`; user coders resolve through `userCode`. */
  coder(coderId: string, userCode?: UserCodeSource): Coder<unknown> {
    let coder = this.coderCache.get(coderId);
    if (coder) return coder;
    const spec = this.components.coders[coderId];
    if (!spec || !spec.spec) throw new Error(`no coder '${coderId}' in the pipeline`);
    if (spec.spec.urn === MillraceUrns.USER_CODER) {
      if (!userCode) throw new Error(`coder '${coderId}' is a user coder and no user code was given`);
      const { ref } = decodeJsonPayload<UserCoderPayload>(spec.spec.payload, `coder '${coderId}'`);
      coder = userCode.lookup(ref) as Coder<unknown>;
    } else {
      const components = spec.componentCoderIds.map((c) => this.coder(c, userCode));
      coder = defaultCoderRegistry.build({
        urn: spec.spec.urn,
        ...(spec.spec.payload.length > 0 ? { payload: spec.spec.payload } : {}),
        components,
      });
    }
    this.coderCache.set(coderId, coder);
    return coder;
  }

  /** The element coder of a PCollection. */
  coderOf(pcollectionId: string, userCode?: UserCodeSource): Coder<unknown> {
    return this.coder(this.pcollection(pcollectionId).coderId, userCode);
  }

  private collectLeaves(): LeafTransform[] {
    const out: LeafTransform[] = [];
    const visit = (id: string): void => {
      const t = this.transform(id);
      const urn = t.spec?.urn ?? "";
      if (t.subtransforms.length === 0 || this.nativeComposites.has(urn)) {
        out.push({ id, proto: t, urn });
      } else {
        for (const sub of t.subtransforms) visit(sub);
      }
    };
    for (const root of this.proto.rootTransformIds) visit(root);
    return topologicalOrder(out);
  }
}

function topologicalOrder(leaves: LeafTransform[]): LeafTransform[] {
  const producedBy = new Map<string, LeafTransform>();
  for (const l of leaves) for (const pc of Object.values(l.proto.outputs)) producedBy.set(pc, l);
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: LeafTransform[] = [];
  const visit = (l: LeafTransform): void => {
    if (done.has(l.id)) return;
    if (visiting.has(l.id)) throw new Error(`the pipeline graph has a cycle through '${l.id}'`);
    visiting.add(l.id);
    for (const pc of Object.values(l.proto.inputs)) {
      const producer = producedBy.get(pc);
      if (producer) visit(producer);
    }
    visiting.delete(l.id);
    done.add(l.id);
    order.push(l);
  };
  for (const l of leaves) visit(l);
  return order;
}
