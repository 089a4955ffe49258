/**
 * Beam's `Deduplicate`: drops repeats of an element (by value, or by an id
 * computed from it) seen within a duration, per window.
 *
 * @module
 */
import type { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { ptransform } from "../ptransform";
import { kv, type KV } from "../../model/kv";
import { maxTimestampOf } from "../../model/windows";
import { state } from "../state/state_specs";
import { timers, type Timer } from "../state/timer_specs";
import { ParDoTransform } from "./pardo";
import type { ProcessContext } from "./transform_context";

/** Options of {@link deduplicate}. */
export interface DeduplicateOptions<T> {
  /** How long (ms) an id is remembered after it was first seen; Beam's default, 10 minutes. */
  readonly durationMs?: number;
  /** The id two elements are repeats by (compared by value); the element itself when absent. */
  readonly idFn?: (element: T) => unknown;
  /**
   * Which clock the duration runs on: `"processingTime"` (Beam's default) from
   * when the id was first seen, or `"eventTime"` from the first element's
   * timestamp, expiring when the watermark passes it.
   */
  readonly timeDomain?: "processingTime" | "eventTime";
}

/** Beam's `Deduplicate.DEFAULT_DURATION`. */
export const DEFAULT_DEDUPLICATE_DURATION_MS = 10 * 60_000;

/**
 * Keeps the first element of each id and drops later ones with the same id
 * seen within `durationMs` (per window; state is a stateful DoFn's, with a
 * timer that forgets the id). Beam's `Deduplicate.values()` and
 * `Deduplicate.withRepresentativeValueFn(idFn)`.
 *
 * @example
 * ```ts
 * clicks.apply(mr.deduplicate({ idFn: (c: Click) => c.clickId, durationMs: 60_000 }));
 * words.apply(mr.deduplicate());   // repeats by value, within 10 minutes of processing time
 * ```
 */
export function deduplicate<T>(options: DeduplicateOptions<T> = {}): PTransform<PCollection<T>, PCollection<T>> {
  const durationMs = options.durationMs ?? DEFAULT_DEDUPLICATE_DURATION_MS;
  if (!(Number.isFinite(durationMs) && durationMs > 0))
    throw new RangeError(`deduplicate: durationMs must be a number > 0, got ${String(durationMs)}`);
  const domain = options.timeDomain ?? "processingTime";
  if (domain !== "processingTime" && domain !== "eventTime") {
    throw new RangeError(`deduplicate: timeDomain must be "processingTime" or "eventTime", got ${JSON.stringify(domain)}`);
  }
  const idFn = options.idFn;
  if (idFn !== undefined && typeof idFn !== "function") throw new TypeError(`deduplicate: idFn must be a function, got ${typeof idFn}`);
  return ptransform("Deduplicate", (input: PCollection<T>) => {
    const keyed = input.apply(
      "KeyById",
      new ParDoTransform<T, KV<unknown, T>>("KeyById", { fn: (el: T) => kv(idFn ? idFn(el) : el, el), shape: "map" }),
    );
    return keyed.apply(
      "KeepFirst",
      new ParDoTransform<KV<unknown, T>, T>("KeepFirst", {
        fn: keepFirstFn<T>(durationMs, domain),
        shape: "dofn",
        mainCoder: input.coder as never,
      }),
    );
  });
}

/** Beam's `DeduplicateFn`: output an id's first element, remember the id until its expiry timer fires. */
function keepFirstFn<T>(durationMs: number, domain: "processingTime" | "eventTime") {
  return {
    state: { seen: state.value<boolean>() },
    timers: { expiry: domain === "eventTime" ? timers.eventTime() : timers.processingTime() },
    process(element: KV<unknown, T>, ctx: ProcessContext<T>) {
      const c = ctx as unknown as DedupeContext;
      if (c.state.seen.read() === true) return;
      c.state.seen.write(true);
      // The expiry outputs nothing, so it must not hold the watermark back:
      // its output timestamp is the end of the window (Beam: withNoOutputTimestamp).
      const windowEnd = maxTimestampOf(ctx.window);
      if (domain === "eventTime") c.timers.expiry.set(Math.min(ctx.timestamp + durationMs, windowEnd), windowEnd);
      else c.timers.expiry.offset(durationMs, windowEnd);
      ctx.output(element.value);
    },
    onTimer: {
      expiry(ctx: { state: DedupeContext["state"] }) {
        ctx.state.seen.clear();
      },
    },
  };
}

interface DedupeContext {
  readonly state: { readonly seen: { read(): boolean | undefined; write(v: boolean): void; clear(): void } };
  readonly timers: { readonly expiry: Timer };
}
