/**
 * The nodes the direct runner executes: a fused stage (a source or a
 * PCollection feeding a chain of element-wise steps) or a shuffle (a
 * grouping, a combine, a flatten, a reshuffle), with what each keeps
 * between bundles, and the order they are refreshed in.
 */
import type { ExecutableStage } from "../../portability/harness/stage_executor";
import type { ElementReceiver } from "../../portability/harness/element_receiver";
import type { MetricsContainer } from "../../portability/harness/metrics_container";
import { shuffleInputs, type FusedStage, type ShuffleNode } from "../../portability/plan/execution_plan";
import type { SideInputPushback } from "../core/side_input_pushback";
import type { ReduceFnRunnerApi } from "../core/windowing/reduce_fn_runner_api";
import type { StageCounts } from "../core/progress";
import type { BundleCollector } from "./bundle_collector";
import type { PendingQueue } from "./pending_queue";
import type { SourceState } from "./source_state";

/** What every node has. */
interface NodeBase {
  /** Its place in topological order: a node comes after the producers of everything it reads. */
  order: number;
  /** Bundles of its main input waiting to be processed. */
  readonly pending: PendingQueue;
  /** The highest input watermark computed so far (watermarks never go back). */
  inputWatermarkSeen: number;
  outputWatermark: number;
  /** Elements in and out, for progress displays (counted per bundle). */
  readonly counts: StageCounts;
}

/** A fused stage. */
export interface StageNode extends NodeBase {
  readonly kind: "stage";
  readonly stage: FusedStage;
  readonly exec: ExecutableStage;
  readonly sinks: Map<string, BundleCollector>;
  readonly metrics: MetricsContainer;
  readonly source: SourceState;
  /** Elements (one window each) waiting for side input windows. */
  readonly pushback: SideInputPushback;
  /** True when a side input's watermark moved since the pushed-back elements were last looked at. */
  sideMoved: boolean;
  /** The input watermark when the current bundle was taken: elements of windows expired before it are late. */
  bundleInputWatermark: number;
}

/** A shuffle. */
export interface ShuffleNodeState extends NodeBase {
  readonly kind: "shuffle";
  readonly node: ShuffleNode;
  readonly reduce: ReduceFnRunnerApi | undefined;
  readonly out: BundleCollector;
  readonly emit: ElementReceiver;
  inputWatermarkFired: number;
}

/** A node of the direct runner. */
export type ExecNode = StageNode | ShuffleNodeState;

/** The PCollections a node reads as main input. */
export function mainInputsOf(n: ExecNode): readonly string[] {
  if (n.kind === "shuffle") return shuffleInputs(n.node);
  return n.stage.root.kind === "pcollection" ? [n.stage.root.pcollection] : [];
}

/** The side input PCollections a node reads. */
export function sideInputsOf(n: ExecNode): readonly string[] {
  return n.kind === "stage" ? n.stage.sideInputs : [];
}

/** The PCollections a node produces. */
export function outputsOf(n: ExecNode): readonly string[] {
  return n.kind === "stage" ? n.stage.produces : [n.node.output];
}

/** A name for messages: the stage and what it reads, or the shuffle's transform. */
export function nodeName(n: ExecNode, describeStage: (stage: FusedStage) => string): string {
  return n.kind === "stage" ? `${n.stage.id} (${describeStage(n.stage)})` : n.node.transformId;
}

/** Orders nodes so that each comes after the producers of what it reads; sets each node's `order`. */
export function topologicalOrder(nodes: readonly ExecNode[]): ExecNode[] {
  const producerOf = new Map<string, ExecNode>();
  for (const n of nodes) for (const pc of outputsOf(n)) producerOf.set(pc, n);
  const ordered: ExecNode[] = [];
  const seen = new Set<ExecNode>();
  const visit = (n: ExecNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const pc of [...mainInputsOf(n), ...sideInputsOf(n)]) {
      const p = producerOf.get(pc);
      if (p) visit(p);
    }
    n.order = ordered.length;
    ordered.push(n);
  };
  nodes.forEach(visit);
  return ordered;
}
