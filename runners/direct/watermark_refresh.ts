/**
 * The direct runner's watermark manager: the watermark of every PCollection,
 * and the nodes to refresh. As in Beam's WatermarkManager and Prism's
 * refresh set, only what changed is looked at: a node is refreshed when it
 * ran work, when its queue got bundles, or when a watermark it reads moved;
 * refreshing it may move its outputs' watermarks, which marks their readers
 * in turn. Nodes are refreshed in topological order, so one pass settles
 * what one bundle changed, at a cost that follows the change, not the size
 * of the pipeline.
 */
import { MinHeap, type HeapEntry } from "../core/min_heap";
import { mainInputsOf, outputsOf, sideInputsOf, type ExecNode } from "./direct_nodes";

interface Mark extends HeapEntry {
  readonly node: ExecNode;
}

/** PCollection watermarks and the nodes whose time must be recomputed. */
export class WatermarkRefresh {
  private readonly watermarks = new Map<string, number>();
  /** Nodes reading each PCollection as main input. */
  private readonly mainReaders = new Map<string, ExecNode[]>();
  /** Stages reading each PCollection as a side input. */
  private readonly sideReaders = new Map<string, ExecNode[]>();
  private readonly marked = new Set<ExecNode>();
  private readonly queue = new MinHeap<Mark>();

  /** @param nodes every node, in topological order */
  constructor(nodes: readonly ExecNode[]) {
    for (const n of nodes) {
      for (const pc of outputsOf(n)) this.watermarks.set(pc, -Infinity);
      for (const pc of mainInputsOf(n)) this.readersOf(this.mainReaders, pc).push(n);
      for (const pc of sideInputsOf(n)) this.readersOf(this.sideReaders, pc).push(n);
      this.mark(n);
    }
  }

  private readersOf(map: Map<string, ExecNode[]>, pc: string): ExecNode[] {
    let list = map.get(pc);
    if (!list) map.set(pc, (list = []));
    return list;
  }

  /** A PCollection's watermark (-Infinity before its producer reported one). */
  of(pc: string): number {
    return this.watermarks.get(pc) ?? -Infinity;
  }

  /** Nodes that read `pc` as main input. */
  mainConsumers(pc: string): readonly ExecNode[] {
    return this.mainReaders.get(pc) ?? [];
  }

  /** Records a PCollection's watermark; when it moved, its readers are marked (a side input's are told it moved). */
  set(pc: string, wm: number): boolean {
    if (this.watermarks.get(pc) === wm) return false;
    this.watermarks.set(pc, wm);
    for (const n of this.mainReaders.get(pc) ?? []) this.mark(n);
    for (const n of this.sideReaders.get(pc) ?? []) {
      if (n.kind === "stage") n.sideMoved = true;
      this.mark(n);
    }
    return true;
  }

  /** Marks a node for the next refresh. */
  mark(n: ExecNode): void {
    if (this.marked.has(n)) return;
    this.marked.add(n);
    this.queue.push({ node: n, priority: n.order, removed: false });
  }

  /**
   * Refreshes the marked nodes in topological order with `refreshNode`
   * (which may mark nodes downstream, refreshed in the same pass).
   */
  refresh(refreshNode: (n: ExecNode) => void): void {
    for (let m = this.queue.poll(); m; m = this.queue.poll()) {
      this.marked.delete(m.node);
      refreshNode(m.node);
    }
  }
}
