/**
 * The phases an engine expands a splittable ParDo into (Beam's SDF
 * components), each an operator over the one {@link SplittableDoFnOperator}
 * every runner uses, so a restriction means the same thing on an engine as
 * on millrace's own runners:
 *
 * - pair with restriction: `element` -> `KV<element, KV<restriction, watermark state>>`;
 * - split and size: that -> `KV<KV<element, KV<part, watermark state>>, size>` per initial part;
 * - truncate (when the engine drains): a sized restriction -> what must still run of it;
 * - process sized elements and restrictions: runs `process` on each; the
 *   work a self-checkpoint leaves goes to the runtime as a {@link PhaseResidual}.
 *
 * The shapes are Beam's (Python's `bundle_processor.py`, Go's `sdf.go`), so
 * an engine can hold, split and send back the restrictions it is given.
 */
import type { BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import { kv, type KV } from "../../model/kv";
import type { ElementReceiver } from "./element_receiver";
import type { Operator } from "./operators";
import type { Residual, SplittableDoFnOperator } from "./splittable_dofn_operator";
import type { SplittableWork } from "./splittable_work";
import type { SplittablePhase } from "../plan/execution_plan";
import type { ProcessSlice } from "./process_slice";

/** `KV<element, KV<restriction, watermark estimator state>>`: an element paired with a restriction. */
export type PairedElement = KV<unknown, KV<unknown, unknown>>;

/** `KV<KV<element, KV<restriction, watermark estimator state>>, size>`: a paired element with its size. */
export type SizedElement = KV<PairedElement, number>;

/** Work a `process` call left for later (a checkpoint with `resume()`), as the sized element the phase reads. */
export interface PhaseResidual {
  /** The residual, as an element of the process phase's input. */
  readonly element: SizedElement;
  readonly timestamp: number;
  readonly window: BoundedWindow;
  readonly pane: PaneInfo;
  /** How long the DoFn asked the runner to wait before resuming it, in ms. */
  readonly delayMs: number;
  /** The output watermark the residual holds (its watermark estimator's). */
  readonly outputWatermark: number;
  /** False when the residual's restriction is unbounded. */
  readonly bounded: boolean;
}

/** The sized element of a piece of work. */
export function sizedElementOf(sdf: SplittableDoFnOperator, work: SplittableWork): SizedElement {
  return kv(kv(work.element, kv(work.restriction, work.watermarkState)), sdf.sizeOf(work));
}

function pairedOf(value: unknown, transform: string, phase: SplittablePhase): PairedElement {
  const paired = value as PairedElement;
  if (typeof paired !== "object" || paired === null || typeof paired.value !== "object" || paired.value === null)
    throw new TypeError(
      `'${transform}' (${phase}): expected KV<element, KV<restriction, watermark state>> from the engine, got ${String(value)}`,
    );
  return paired;
}

function sizedOf(value: unknown, transform: string, phase: SplittablePhase): PairedElement {
  const sized = value as SizedElement;
  if (typeof sized !== "object" || sized === null)
    throw new TypeError(`'${transform}' (${phase}): expected KV<KV<...>, size>, got ${String(value)}`);
  return pairedOf(sized.key, transform, phase);
}

/** The lifecycle every phase shares: the SDF's own (setup, bundles, teardown) runs once per phase operator. */
abstract class PhaseOperator implements Operator {
  constructor(
    readonly sdf: SplittableDoFnOperator,
    protected readonly output: ElementReceiver,
  ) {}
  get transform(): string {
    return this.sdf.transform;
  }
  setup(): void {
    this.sdf.setup();
  }
  startBundle(): void {
    this.sdf.startBundle();
  }
  finishBundle(): void {
    this.sdf.finishBundle();
  }
  teardown(): void {
    this.sdf.teardown();
  }
  abstract receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void;
}

/** Pairs each element with its initial restriction and watermark estimator state. */
export class PairWithRestrictionOperator extends PhaseOperator {
  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const { restriction, watermarkState } = this.sdf.pairWithRestriction(value);
    this.output.receive(kv(value, kv(restriction, watermarkState)), timestamp, windows, pane);
  }
}

/** Splits each paired restriction into its initial parts, each with its size. */
export class SplitAndSizeOperator extends PhaseOperator {
  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const paired = pairedOf(value, this.transform, "splitAndSize");
    const element = paired.key;
    const watermarkState = paired.value.value;
    for (const part of this.sdf.splitRestriction(element, paired.value.key)) {
      const work: SplittableWork = { element, timestamp, windows, restriction: part, watermarkState };
      this.output.receive(sizedElementOf(this.sdf, work), timestamp, windows, pane);
    }
  }
}

/** Keeps what must still run of each sized restriction when the engine drains: bounded ones whole, unbounded ones not at all. */
export class TruncateOperator extends PhaseOperator {
  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const paired = sizedOf(value, this.transform, "truncate");
    const work: SplittableWork = {
      element: paired.key,
      timestamp,
      windows,
      restriction: paired.value.key,
      watermarkState: paired.value.value,
    };
    const kept = this.sdf.truncate(work);
    if (kept) this.output.receive(sizedElementOf(this.sdf, kept), timestamp, windows, pane);
  }
}

/** Work of the process phase this bundle goes on with: what a process slice left. */
interface PendingPart {
  readonly work: SplittableWork;
  readonly window: BoundedWindow;
  readonly pane: PaneInfo;
}

/**
 * Processes each sized restriction, one window at a time (a residual
 * belongs to one window); the SDF's outputs go straight to its consumers
 * (the SDF operator was built with them), residuals of `resume()` to
 * `onResidual`. With `slice`, each `process` call is bounded: the rest of
 * the restriction is kept as pending work the runner goes on with
 * ({@link resumePending}) after answering what came meanwhile, such as a
 * split request ({@link splitPending}).
 */
export class ProcessSizedOperator extends PhaseOperator {
  private pending: PendingPart[] = [];

  constructor(
    sdf: SplittableDoFnOperator,
    private readonly onResidual: (residual: PhaseResidual) => void,
    private readonly slice?: () => ProcessSlice,
  ) {
    super(sdf, sdf);
  }

  receive(value: unknown, timestamp: number, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const paired = sizedOf(value, this.transform, "processSized");
    for (const window of windows) {
      const work: SplittableWork = {
        element: paired.key,
        timestamp,
        windows: [window],
        restriction: paired.value.key,
        watermarkState: paired.value.value,
      };
      this.run({ work, window, pane });
    }
  }

  /** True while a process slice left work this bundle goes on with. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Processes the next pending part (for one more slice). */
  resumePending(): void {
    const part = this.pending.shift();
    if (part) this.run(part);
  }

  /**
   * Splits the pending work as the runner asks: the first part at
   * `fractionOfRemainder` (this bundle keeps the primary), any others given
   * away whole. Undefined when there is nothing pending or it cannot split.
   */
  splitPending(fractionOfRemainder: number): { primary: PhaseResidual[]; residual: PhaseResidual[] } | undefined {
    const [first, ...rest] = this.pending;
    if (!first) return undefined;
    const split = this.sdf.splitWork(first.work, fractionOfRemainder);
    if (!split) return undefined;
    this.pending = [{ ...first, work: split.primary }];
    const asResidual = (p: PendingPart): PhaseResidual => this.residualOf({ work: p.work, delayMs: 0 }, p.window, p.pane);
    return {
      primary: [asResidual(this.pending[0]!)],
      residual: [asResidual({ ...first, work: split.residual }), ...rest.map(asResidual)],
    };
  }

  private run(part: PendingPart): void {
    for (const r of this.sdf.processWork(part.work, part.pane, this.slice?.())) {
      if (r.sliced) this.pending.push({ work: r.work, window: part.window, pane: part.pane });
      else this.onResidual(this.residualOf(r, part.window, part.pane));
    }
  }

  private residualOf(r: Residual, window: BoundedWindow, pane: PaneInfo): PhaseResidual {
    return {
      element: sizedElementOf(this.sdf, r.work),
      timestamp: r.work.timestamp,
      window,
      pane,
      delayMs: r.delayMs,
      outputWatermark: this.sdf.watermarkOf(r.work),
      bounded: this.sdf.isBounded(r.work),
    };
  }
}
