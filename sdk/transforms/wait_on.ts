/**
 * Beam's `Wait.on`: hold a collection back until other collections are done.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { ptransform } from "../ptransform";
import { ParDoTransform } from "./pardo";
import { views, type PCollectionView } from "./views";

/**
 * Passes the input through unchanged, but each element only once every
 * signal collection is complete for the element's window: the signal's
 * watermark has passed the end of the matching signal window (Beam's
 * `Wait.on`, e.g. to write a "done" marker after a sink has committed its
 * files, or to start a step once a table is written). With a bounded signal
 * in the global window, that is when the signal has finished. Each signal
 * becomes a side input that carries no elements, so it costs nothing but
 * the wait.
 *
 * @example
 * ```ts
 * const written = results.apply(mr.io.writeText("/out/part"));
 * p.apply(mr.create(["all parts written"])).apply(mr.waitOn(written)).apply(mr.io.writeText("/out/_DONE"));
 * ```
 */
export function waitOn<T>(...signals: PCollection<unknown>[]): PTransform<PCollection<T>, PCollection<T>> {
  if (signals.length === 0) throw new Error("waitOn needs at least one signal collection");
  return ptransform("Wait.On", (input: PCollection<T>) => {
    const sideInputs: Record<string, PCollectionView<unknown>> = {};
    signals.forEach((signal, i) => {
      if (!signal || signal.pipeline !== input.pipeline) throw new Error(`waitOn: signal ${i} is not a collection of this pipeline`);
      // Only the signal's watermark matters: its elements are dropped before they become a side input.
      const done = signal.apply(`ToWaitView${i}`, new ParDoTransform<unknown, never>(`ToWaitView${i}`, { fn: () => [], shape: "flatMap" }));
      sideInputs[`signal${i}`] = views.iterable(done);
    });
    return input.apply("Wait", new ParDoTransform<T, T>("Wait", { fn: (el: T) => el, shape: "map", keepsInputCoder: true, sideInputs }));
  });
}
