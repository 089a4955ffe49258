/**
 * The conformance cases whose output differs on Prism (Apache Beam 2.78's
 * Prism) because of what Prism does, by name, with the reason. They are not
 * hidden: each shows in the test output with its reason, and the suite
 * confirms each still differs (a case that starts passing on a newer Prism
 * fails here until it is taken off the list). The cases' expected outputs are
 * Beam's semantics and stay as they are.
 *
 * A case whose run would not end in a test's time (Prism's processing-time
 * timers run on its real clock) is not run: the suite checks that its
 * pipeline still has what makes it wait.
 */
import { expect } from "chai";
import * as mr from "../../index";
import { decodeMessage } from "../../portability/proto/messages";
import { PrimitiveTransformUrns } from "../../portability/urns";
import type { ConformanceCase } from "./conformance_case";

/** How the suite confirms a divergence. */
export type DivergenceCheck =
  /** The case runs on Prism and does not conform (wrong output or a failure). */
  | "runsAndDiffers"
  /** Not run: the pipeline sets processing-time timers and has no TestStream, so Prism's real clock holds the job for their duration. */
  | "waitsOnTheRealClock";

/** One case that differs on Prism. */
export interface PrismDivergence {
  readonly reason: string;
  readonly check: DivergenceCheck;
}

const SIDE_INPUT_READINESS =
  "Prism serves a side-input window only once the reading bundle's watermark has passed that window's end " +
  "(stageState.GetSideData), yet runs main-input elements before then, so a main window ending earlier than its side window reads it empty; " +
  "Beam holds the element until the side window is ready (the harness maps the window as Beam's Python and Go harnesses do)";
const TOUCHING_SESSIONS =
  "Prism merges session windows that only touch (e.g. [1, 11) and [11, 21): `cur.Start-iw.End > 0` in its session merge), " +
  "which Beam keeps apart (IntervalWindow.intersects is strict), and marks a merged session's on-time pane EARLY and not first";
const LATE_DATA_DROPPED_BY_PRISM =
  "Prism drops data past the allowed lateness in the engine, before the SDK harness sees it, so the droppedDueToLateness counter stays 0 " +
  "and the panes around it are labelled otherwise (isLast)";
const PANES_AFTER_A_FINISHED_TRIGGER =
  "Prism does not close a window when its trigger finishes: later data fires further panes and the finishing pane is not marked last";
const EMPTY_PANES = "Prism emits no empty panes where Beam does (emitAlways closing, fireAlways on-time behaviour)";
const PANE_TIMESTAMPS =
  "Prism gives the on-time and late panes after an early firing the first element's timestamp, not the end of the window (END_OF_WINDOW), " +
  "and emits no empty panes";
const PANE_LABELS_ACCUMULATING =
  "Prism labels the panes of early and late count firings in accumulating mode otherwise (timing, index, onTimeIndex)";
const PROCESSING_TIME_IN_TEST_STREAM =
  "Prism does not fire processing-time triggers and timers when a TestStream advances processing time as Beam's TestStream does";
const PROCESSING_TIME_PANIC =
  "Prism panics on this processing-time trigger ('assignment to entry in nil map' in its watermark evaluation goroutine)";
const REAL_CLOCK = "Prism runs processing-time timers on its real clock: the job waits out the 10-minute deduplication duration";

/** The divergences, by case name. */
export const PRISM_DIVERGENCES: Readonly<Record<string, PrismDivergence>> = {
  "side input: windowed singletons from the same TestStream, read window by window": {
    reason: SIDE_INPUT_READINESS,
    check: "runsAndDiffers",
  },
  "windowing: a windowed main input reads the matching window of a windowed side input": {
    reason: SIDE_INPUT_READINESS,
    check: "runsAndDiffers",
  },
  "sessions: overlapping sessions of a key merge; keys and gaps keep them apart (GBK)": {
    reason: TOUCHING_SESSIONS,
    check: "runsAndDiffers",
  },
  "sessions: combinePerKey(sum) over a chain of overlapping sessions": { reason: TOUCHING_SESSIONS, check: "runsAndDiffers" },
  "sessions: sessions merge across TestStream batches": { reason: TOUCHING_SESSIONS, check: "runsAndDiffers" },
  "sessions: a late element within the allowed lateness bridges two sessions (late merge)": {
    reason: TOUCHING_SESSIONS,
    check: "runsAndDiffers",
  },
  "test stream: default trigger, data past the allowed lateness is dropped and counted": {
    reason: LATE_DATA_DROPPED_BY_PRISM,
    check: "runsAndDiffers",
  },
  "test stream: the first element late beyond the allowed lateness is dropped (TestStreamTest.testFirstElementLate)": {
    reason: LATE_DATA_DROPPED_BY_PRISM,
    check: "runsAndDiffers",
  },
  "trigger: afterWatermark with early afterCount and late afterCount, accumulating": {
    reason: PANE_LABELS_ACCUMULATING,
    check: "runsAndDiffers",
  },
  "trigger: early afterProcessingTime firings driven by TestStream processing time (TestStreamTest.testEarlyPanesOfWindow)": {
    reason: EMPTY_PANES,
    check: "runsAndDiffers",
  },
  "trigger: afterEach(orFinally(repeatedly(afterProcessingTime), afterWatermark), repeatedly(afterProcessingTime)) (ReduceFnRunnerTest.testProcessingTime)":
    { reason: PROCESSING_TIME_PANIC, check: "runsAndDiffers" },
  "trigger: repeatedly(afterProcessingTime) aligned to a period, with and without offset": {
    reason: PROCESSING_TIME_IN_TEST_STREAM,
    check: "runsAndDiffers",
  },
  "trigger: repeatedly(afterProcessingTime) over the global window; an empty on-time pane at the end": {
    reason: EMPTY_PANES,
    check: "runsAndDiffers",
  },
  "trigger: afterCount(2) not repeated fires one final pane; later data is dropped": {
    reason: PANES_AFTER_A_FINISHED_TRIGGER,
    check: "runsAndDiffers",
  },
  "trigger: afterEach(afterCount(2), afterCount(3)) then the window closes": {
    reason: PANES_AFTER_A_FINISHED_TRIGGER,
    check: "runsAndDiffers",
  },
  "trigger: afterFirst(afterCount(3), afterProcessingTime(10))": { reason: PANES_AFTER_A_FINISHED_TRIGGER, check: "runsAndDiffers" },
  "trigger: afterAll(afterCount(2), afterProcessingTime(10))": { reason: PANES_AFTER_A_FINISHED_TRIGGER, check: "runsAndDiffers" },
  "trigger: orFinally(repeatedly(afterCount(2)), afterWatermark) (ReduceFnRunnerTest.testPaneInfoFinalAndOnTime)": {
    reason: EMPTY_PANES,
    check: "runsAndDiffers",
  },
  "trigger: closingBehavior emitIfNonEmpty vs emitAlways (ReduceFnRunnerTest.noEmptyPanesFinal*)": {
    reason: PANE_TIMESTAMPS,
    check: "runsAndDiffers",
  },
  "trigger: pane info in all states, discarding, emitAlways (ReduceFnRunnerTest.testPaneInfoAllStatesAfterWatermark)": {
    reason: EMPTY_PANES,
    check: "runsAndDiffers",
  },
  "trigger: onTimeBehavior fireAlways vs fireIfNonEmpty (ReduceFnRunnerTest.testEmptyOnTime*)": {
    reason: PANE_TIMESTAMPS,
    check: "runsAndDiffers",
  },
  "state: garbage collection at window expiry; late elements dropped and counted": {
    reason: LATE_DATA_DROPPED_BY_PRISM,
    check: "runsAndDiffers",
  },
  "timers: session-like timeout with a processing-time timer (TestStream processing time)": {
    reason: PROCESSING_TIME_IN_TEST_STREAM,
    check: "runsAndDiffers",
  },
  "timers: groupIntoBatches with maxBufferingMs flushes partial batches on processing time": {
    reason: PROCESSING_TIME_IN_TEST_STREAM,
    check: "runsAndDiffers",
  },
  "deduplicate: repeats by value are dropped (processing time, Beam's default duration)": {
    reason: REAL_CLOCK,
    check: "waitsOnTheRealClock",
  },
  "deduplicate: by id, one element per id is kept": { reason: REAL_CLOCK, check: "waitsOnTheRealClock" },
  "deduplicate: processing time, an id is forgotten after the duration (TestStream clock)": {
    reason: PROCESSING_TIME_IN_TEST_STREAM,
    check: "runsAndDiffers",
  },
  "deduplicate: its pending expiry timer holds no watermark back": { reason: LATE_DATA_DROPPED_BY_PRISM, check: "runsAndDiffers" },
  "test stream: an event waits until the previous one is processed everywhere (quiescence)": {
    reason: LATE_DATA_DROPPED_BY_PRISM,
    check: "runsAndDiffers",
  },
};

/** The divergence of `c` on Prism, if it is listed. */
export function prismDivergence(c: ConformanceCase): PrismDivergence | undefined {
  return PRISM_DIVERGENCES[c.definition.name];
}

/** What the pipeline of `c` holds that a static check looks at. */
function pipelineFeatures(c: ConformanceCase): { processingTimeTimers: boolean; testStream: boolean } {
  const pipeline = decodeMessage("Pipeline", mr.portability.toProto(c.definition.create()));
  let processingTimeTimers = false;
  let testStream = false;
  for (const t of Object.values(pipeline.components!.transforms)) {
    if (t.spec?.urn === PrimitiveTransformUrns.TEST_STREAM) testStream = true;
    if (t.spec?.urn !== PrimitiveTransformUrns.PAR_DO) continue;
    const payload = decodeMessage("ParDoPayload", t.spec.payload);
    for (const f of Object.values(payload.timerFamilySpecs ?? {}))
      if (f.timeDomain === mr.runnerApi.TimeDomain.PROCESSING_TIME) processingTimeTimers = true;
  }
  return { processingTimeTimers, testStream };
}

/**
 * Confirms that `c` still differs on Prism as `divergence` says; `run`
 * runs the case on Prism and throws when it does not conform.
 */
export async function confirmDivergence(c: ConformanceCase, divergence: PrismDivergence, run: () => Promise<void>): Promise<void> {
  switch (divergence.check) {
    case "runsAndDiffers": {
      const conformed = await run().then(
        () => true,
        () => false,
      );
      expect(conformed, `'${c.definition.name}' now conforms on Prism: take it off PRISM_DIVERGENCES`).to.equal(false);
      return;
    }
    case "waitsOnTheRealClock": {
      const f = pipelineFeatures(c);
      expect(f.processingTimeTimers && !f.testStream, "the pipeline sets processing-time timers without a TestStream clock").to.equal(true);
      return;
    }
  }
}
