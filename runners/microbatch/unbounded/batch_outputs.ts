/**
 * What one micro-batch wrote so far: per PCollection, per partition, the
 * shuffle segments its tasks produced. Downstream nodes of the same batch
 * read their input from here; side inputs take the whole PCollection.
 */
import type { Segment, ShuffleOutput } from "../shuffle/shuffle_output";

/** The segments a batch's tasks wrote, by PCollection and partition. */
export class BatchOutputs {
  private readonly written = new Map<string, Segment[][]>();

  constructor(private readonly partitions: number) {}

  /** Adds a task's output of `pc`, partition by partition, after what earlier tasks wrote. */
  add(pc: string, output: ShuffleOutput): void {
    let parts = this.written.get(pc);
    if (!parts) this.written.set(pc, (parts = Array.from({ length: this.partitions }, () => [])));
    output.partitions.forEach((segments, p) => parts![p]!.push(...segments));
  }

  /** What partition `partition` of `pc` holds (nothing when no task wrote it). */
  partition(pc: string, partition: number): Segment[] {
    return this.written.get(pc)?.[partition] ?? [];
  }

  /** True when any of `pcs` has something in `partition`. */
  hasInput(pcs: readonly string[], partition: number): boolean {
    return pcs.some((pc) => this.partition(pc, partition).length > 0);
  }

  /** Every segment of `pc`, partition after partition. */
  all(pc: string): Segment[] {
    return (this.written.get(pc) ?? []).flat();
  }
}
