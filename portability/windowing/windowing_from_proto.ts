/**
 * The portable windowing strategy, read back from the proto into the plain
 * data shape the shared windowing code works with.
 */
import type { PipelineModel } from "../pipeline_model";
import type * as pb from "../proto/messages";
import { decodeMessage, AccumulationMode, OutputTime, ClosingBehavior, OnTimeBehavior } from "../proto/messages";
import { WindowFnUrns } from "../urns";
import type { TriggerSpec, WindowFnSpec, WindowingStrategy } from "../../sdk/windowing/windowing_strategy";

const ms = (d: { seconds: number; nanos: number } | null | undefined): number => (d ? d.seconds * 1000 + Math.round(d.nanos / 1e6) : 0);

/** The window fn of a `FunctionSpec`. */
export function windowFnFromProto(spec: pb.FunctionSpec): WindowFnSpec {
  switch (spec.urn) {
    case WindowFnUrns.GLOBAL:
      return { kind: "global" };
    case WindowFnUrns.FIXED: {
      const p = decodeMessage("FixedWindowsPayload", spec.payload);
      return { kind: "fixed", sizeMs: ms(p.size), offsetMs: ms(p.offset) };
    }
    case WindowFnUrns.SLIDING: {
      const p = decodeMessage("SlidingWindowsPayload", spec.payload);
      return { kind: "sliding", sizeMs: ms(p.size), periodMs: ms(p.period), offsetMs: ms(p.offset) };
    }
    case WindowFnUrns.SESSION: {
      const p = decodeMessage("SessionWindowsPayload", spec.payload);
      return { kind: "sessions", gapMs: ms(p.gapSize) };
    }
    default:
      throw new Error(`unknown window fn '${spec.urn}'`);
  }
}

/** The trigger tree of a `Trigger` message. */
export function triggerFromProto(t: pb.Trigger): TriggerSpec {
  const subs = (x: { subtriggers: pb.Trigger[] } | undefined): TriggerSpec[] => (x?.subtriggers ?? []).map(triggerFromProto);
  switch (t.trigger) {
    case "default":
      return { kind: "default" };
    case "never":
      return { kind: "never" };
    case "always":
      return { kind: "always" };
    case "elementCount":
      return { kind: "afterCount", count: t.elementCount!.elementCount };
    case "repeat":
      return { kind: "repeatedly", trigger: triggerFromProto(t.repeat!.subtrigger!) };
    case "afterEach":
      return { kind: "afterEach", triggers: subs(t.afterEach) };
    case "afterAny":
      return { kind: "afterFirst", triggers: subs(t.afterAny) };
    case "afterAll":
      return { kind: "afterAll", triggers: subs(t.afterAll) };
    case "orFinally":
      return { kind: "orFinally", main: triggerFromProto(t.orFinally!.main!), until: triggerFromProto(t.orFinally!.finally!) };
    case "afterEndOfWindow": {
      const e = t.afterEndOfWindow!;
      return {
        kind: "afterWatermark",
        ...(e.earlyFirings ? { early: triggerFromProto(e.earlyFirings) } : {}),
        ...(e.lateFirings ? { late: triggerFromProto(e.lateFirings) } : {}),
      };
    }
    case "afterProcessingTime": {
      let delayMs = 0;
      let alignToMs: number | undefined;
      let offsetMs: number | undefined;
      for (const tt of t.afterProcessingTime!.timestampTransforms) {
        if (tt.delay) delayMs += tt.delay.delayMillis;
        if (tt.alignTo) {
          alignToMs = tt.alignTo.period;
          offsetMs = tt.alignTo.offset;
        }
      }
      return { kind: "afterProcessingTime", delayMs, ...(alignToMs !== undefined ? { alignToMs, offsetMs: offsetMs ?? 0 } : {}) };
    }
    case "afterSynchronizedProcessingTime":
      return { kind: "afterSynchronizedProcessingTime" };
    default:
      throw new Error(`unknown trigger '${String(t.trigger)}'`);
  }
}

/** The full windowing strategy of a PCollection. */
export function windowingOf(model: PipelineModel, pcollectionId: string): WindowingStrategy {
  const ws = model.windowingOf(pcollectionId);
  return {
    windowFn: windowFnFromProto(ws.windowFn!),
    trigger: triggerFromProto(ws.trigger!),
    accumulation: ws.accumulationMode === AccumulationMode.ACCUMULATING ? "accumulating" : "discarding",
    timestampCombiner:
      ws.outputTime === OutputTime.EARLIEST_IN_PANE ? "earliest" : ws.outputTime === OutputTime.LATEST_IN_PANE ? "latest" : "endOfWindow",
    allowedLatenessMs: ws.allowedLateness,
    closingBehavior: ws.closingBehavior === ClosingBehavior.EMIT_ALWAYS ? "emitAlways" : "emitIfNonEmpty",
    onTimeBehavior: ws.onTimeBehavior === OnTimeBehavior.FIRE_IF_NONEMPTY ? "fireIfNonEmpty" : "fireAlways",
  };
}
