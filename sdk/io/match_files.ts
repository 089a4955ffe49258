/**
 * `io.matchFiles`: the files a pattern names, once (bounded) or watched
 * continuously (unbounded, like Flink's `monitorContinuously` and Spark's
 * file stream source). The watch is a splittable DoFn: its restriction is
 * the set of files seen so far ({@link WatchRestriction}), checkpointed by
 * the stream runner and logged per batch by the micro-batch runner, so each
 * new file is emitted exactly once, across restarts too.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { impulse } from "../transforms/create";
import { ParDoTransform, splittableParDo } from "../transforms/pardo";
import type { ProcessContext } from "../transforms/transform_context";
import type { SplittableDoFnObject, SplittableProcessContext } from "../transforms/splittable/splittable_dofn";
import { ProcessContinuation } from "../transforms/splittable/process_continuation";
import { ManualWatermarkEstimator, type WatermarkEstimator } from "../transforms/splittable/watermark_estimators";
import { matchFilesReporting } from "./glob";
import { expandPattern } from "./read_text";
import type { FileMetadata } from "./file_metadata";
import { WatchedFilesTracker, type WatchRestriction } from "./watched_files_tracker";

/** How `matchFiles` watches a pattern. */
export interface ContinuousMatchOptions {
  /** How often the pattern is matched again, in ms. */
  readonly pollIntervalMs: number;
  /** Stop watching after this long (ms, from the start of the watch); absent: watch forever. */
  readonly stopAfterMs?: number;
}

/** Options of `io.matchFiles`. */
export interface MatchFilesOptions {
  /** Watch the pattern: each file that appears is emitted once, until `stopAfterMs`. */
  readonly continuously?: ContinuousMatchOptions;
}

/** The metadata of `file`, or undefined when it is gone. */
function metadataOf(file: string): FileMetadata | undefined {
  try {
    const stat = fs.statSync(file);
    return { path: file, sizeBytes: stat.size, lastModifiedMs: Math.floor(stat.mtimeMs) };
  } catch {
    return undefined;
  }
}

/** The splittable DoFn of a continuous match: polls the pattern, claims each file not seen before, and checkpoints itself until the next poll. */
export class WatchFilesFn implements SplittableDoFnObject<Uint8Array, FileMetadata, WatchRestriction, number> {
  readonly boundedness = "unbounded";
  constructor(
    private readonly resolved: string,
    private readonly pollIntervalMs: number,
    private readonly stopAfterMs: number | undefined,
  ) {}

  initialRestriction(): WatchRestriction {
    return { seen: [], startedAt: Date.now(), done: false };
  }

  newTracker(restriction: WatchRestriction): WatchedFilesTracker {
    return new WatchedFilesTracker(restriction);
  }

  newWatermarkEstimator(state: number): WatermarkEstimator<number> {
    return new ManualWatermarkEstimator(state);
  }

  process(_: Uint8Array, ctx: SplittableProcessContext<FileMetadata, WatchRestriction, number>): ProcessContinuation {
    const tracker = ctx.tracker as WatchedFilesTracker;
    const pollTime = Date.now();
    // Unreadable places are polled again: a directory may appear (or become readable) later.
    for (const file of matchFilesReporting(this.resolved).files) {
      if (tracker.hasSeen(file)) continue;
      const metadata = metadataOf(file);
      if (!metadata) continue;
      if (!tracker.tryClaim({ file })) return ProcessContinuation.stop();
      ctx.outputWithTimestamp(metadata, pollTime);
    }
    // Every file that exists now has been emitted: later ones are stamped with a later poll.
    (ctx.watermarkEstimator as ManualWatermarkEstimator).setWatermark(pollTime);
    const { startedAt } = tracker.currentRestriction();
    if (this.stopAfterMs !== undefined && pollTime - startedAt >= this.stopAfterMs) {
      tracker.tryClaim({ end: true });
      return ProcessContinuation.stop();
    }
    return ProcessContinuation.resume(this.pollIntervalMs);
  }
}

/** @internal `mr.io.matchFiles`'s composite. */
export class MatchFiles extends PTransform<PBegin, PCollection<FileMetadata>> {
  private readonly resolved: string;
  private readonly continuously: ContinuousMatchOptions | undefined;

  constructor(
    private readonly pattern: string,
    options: MatchFilesOptions = {},
  ) {
    super();
    if (typeof pattern !== "string" || pattern.length === 0)
      throw new TypeError(`matchFiles expects a non-empty file path or glob, got ${typeof pattern === "string" ? "''" : String(pattern)}`);
    if (options === null || typeof options !== "object") throw new TypeError(`matchFiles: options must be an object { continuously? }`);
    for (const k of Object.keys(options))
      if (k !== "continuously") throw new TypeError(`matchFiles: unknown option '${k}'; the valid option is continuously`);
    const c = options.continuously;
    if (c !== undefined) {
      if (c === null || typeof c !== "object") throw new TypeError(`matchFiles: continuously must be { pollIntervalMs, stopAfterMs? }`);
      if (!Number.isSafeInteger(c.pollIntervalMs) || c.pollIntervalMs < 1)
        throw new TypeError(`matchFiles: continuously.pollIntervalMs must be a whole number of ms >= 1, got ${String(c.pollIntervalMs)}`);
      if (c.stopAfterMs !== undefined && (!Number.isSafeInteger(c.stopAfterMs) || c.stopAfterMs < 0))
        throw new TypeError(`matchFiles: continuously.stopAfterMs must be a whole number of ms >= 0, got ${String(c.stopAfterMs)}`);
      this.continuously = { ...c };
    }
    // Relative patterns are resolved where the pipeline is built, not where a worker runs.
    this.resolved = path.resolve(pattern);
  }

  override defaultName(): string {
    return "MatchFiles";
  }

  expand(input: PBegin): PCollection<FileMetadata> {
    const root = input.pipeline.apply("Impulse", impulse());
    const c = this.continuously;
    if (c) return root.apply("Watch", splittableParDo(new WatchFilesFn(this.resolved, c.pollIntervalMs, c.stopAfterMs), "Watch"));
    const given = this.pattern;
    const resolved = this.resolved;
    return root.apply(
      "Match",
      new ParDoTransform<Uint8Array, FileMetadata>("Match", {
        fn: {
          process(_: Uint8Array, ctx: ProcessContext<FileMetadata>) {
            for (const file of expandPattern(given, resolved, "matchFiles", true)) {
              const metadata = metadataOf(file);
              if (metadata) ctx.output(metadata);
            }
          },
        },
        shape: "dofn",
      }),
    );
  }
}
