import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { kv, type KV } from "../../model/kv";
import type { ProcessContext } from "./transform_context";
import { groupByKey } from "./group_by_key";
import { ParDoTransform } from "./pardo";

interface Reified<T> {
  value: T;
  timestamp: number;
}

class Reshuffle<T> extends PTransform<PCollection<T>, PCollection<T>> {
  expand(input: PCollection<T>): PCollection<T> {
    input.pipeline._declareComposite({ kind: "reshuffle" });
    // The parts are the portable fallback (random key, group, restore the
    // timestamps); millrace's runners redistribute natively and keep
    // timestamps and windows as they are.
    const out = input
      .apply(
        "AssignRandomKey",
        new ParDoTransform<T, KV<number, Reified<T>>>("AssignRandomKey", {
          fn: (v: T, ctx: ProcessContext) => kv(Math.floor(Math.random() * 0x7fffffff), { value: v, timestamp: ctx.timestamp }),
          shape: "map",
        }),
      )
      .apply("GroupByKey", groupByKey<number, Reified<T>>())
      .apply(
        "RestoreElements",
        new ParDoTransform<KV<number, Reified<T>[]>, T>("RestoreElements", {
          fn: {
            process(e: KV<number, Reified<T>[]>, ctx: ProcessContext<T>) {
              for (const r of e.value) ctx.outputWithTimestamp(r.value, r.timestamp);
            },
          },
          shape: "dofn",
          allowsTimestampSkew: true,
        }),
      );
    out._coder = input.coder;
    return out;
  }
}

/**
 * Redistributes elements across workers, breaking fusion: a checkpoint
 * between expensive steps, or after a fan-out. Elements keep their
 * timestamps and windows.
 *
 * @example
 * ```ts
 * // One file name fans out to many lines: spread them before the expensive step.
 * p.apply(mr.create(["big.csv"]))
 *   .flatMap((file: string) => fs.readFileSync(file, "utf8").split("\n"))
 *   .apply(mr.reshuffle())
 *   .map((line: string) => expensiveParse(line));
 * ```
 */
export function reshuffle<T>(): PTransform<PCollection<T>, PCollection<T>> {
  return new Reshuffle<T>();
}
