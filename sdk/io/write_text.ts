import * as fs from "node:fs";
import * as path from "node:path";
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import { kv, type KV } from "../../model/kv";
import { isGlobalWindowing } from "../windowing/windowing_strategy";
import { impulse } from "../transforms/create";
import { ParDoTransform } from "../transforms/pardo";
import { groupByKey } from "../transforms/group_by_key";
import { combineGlobally } from "../transforms/combine";
import { combiners } from "../transforms/combiners";
import { views } from "../transforms/views";
import type { BundleContext, ProcessContext } from "../transforms/transform_context";
import { isGlobalWindow, type BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import { refusePseudoFileSystem } from "./pseudo_file_system";
import {
  type WrittenShard,
  stableHash,
  shardName,
  writeLines,
  asLine,
  writeLinesAtomically,
  randomId,
  finalizeShards,
} from "./file_commit";

/** Options of {@link writeText}. */
export interface WriteTextOptions {
  /** How many files to write (a whole number >= 1; default 1). Each line goes to the shard its hash selects. */
  readonly numShards?: number;
  /** Appended to every file name, e.g. `".txt"` (default none). */
  readonly suffix?: string;
}

/**
 * The expansion for unbounded input, for runners without a native file
 * sink (the direct runner): each bundle's lines go to a file of its own,
 * `<prefix>-bundle-<random id><suffix>`, written under a hidden name and renamed
 * when complete, so a reader never sees a partial file. A retried bundle
 * may write its lines again (at least once); the stream and micro-batch
 * runners write this composite natively, exactly once.
 */
function writeBundles(input: PCollection<string>, dir: string, base: string, suffix: string): PCollection<string> {
  let lines: string[] = [];
  return input.apply(
    "WriteBundles",
    new ParDoTransform<string, string>("WriteBundles", {
      fn: {
        startBundle() {
          lines = [];
        },
        process(line: string) {
          lines.push(asLine(line));
        },
        finishBundle(ctx: BundleContext<string>) {
          if (lines.length === 0) return;
          const final = path.join(dir, `${base}-bundle-${randomId()}${suffix}`);
          writeLinesAtomically(final, lines);
          lines = [];
          ctx.output(final);
        },
      },
      shape: "dofn",
    }),
  );
}

/**
 * @internal True when `input` is written window by window: it has windows
 * other than the global one, or a trigger that fires panes before the end.
 */
export function isWindowedWrite(input: PCollection<string>): boolean {
  return !isGlobalWindowing(input.windowing) || input.windowing.trigger.kind !== "default";
}

/** A window as a file name part: `<start>-<end>` in ISO 8601 (milliseconds when out of Date's range), or `global`. */
function windowNamePart(w: BoundedWindow): string {
  if (isGlobalWindow(w)) return "global";
  const iso = (t: number): string => (Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t));
  return `${iso(w.start)}-${iso(w.end)}`;
}

/**
 * @internal The file of shard `shard` of a window's pane, Beam's windowed
 * file name: `<prefix>-<window>-pane-<index>[-last]-SSSSS-of-NNNNN<suffix>`.
 */
export function windowedShardName(
  prefix: string,
  window: BoundedWindow,
  pane: PaneInfo,
  shard: number,
  numShards: number,
  suffix: string,
): string {
  return shardName(`${prefix}-${windowNamePart(window)}-pane-${pane.index}${pane.isLast ? "-last" : ""}`, shard, numShards, suffix);
}

/**
 * Windowed writes (Beam's `withWindowedWrites`): lines are grouped by shard
 * within each window, and every pane the grouping fires writes its shards'
 * files, named by window, pane and shard. A name says exactly which lines it
 * holds, so a retried or replayed pane writes the same file again (under a
 * hidden name, then renamed over it): readers never see a partial or doubled
 * pane. Only shards that received lines in a pane get a file.
 */
function writeWindowed(input: PCollection<string>, prefix: string, numShards: number, suffix: string): PCollection<string> {
  return input
    .apply("AssignShard", assignShard(numShards))
    .apply("GroupByKey", groupByKey<number, string>())
    .apply(
      "WriteWindowShards",
      new ParDoTransform<KV<number, string[]>, string>("WriteWindowShards", {
        fn: {
          process(e: KV<number, string[]>, ctx: ProcessContext<string>) {
            const final = windowedShardName(prefix, ctx.window, ctx.pane, e.key, numShards, suffix);
            writeLinesAtomically(final, e.value);
            ctx.output(final);
          },
        },
        shape: "dofn",
      }),
    );
}

/** Each line keyed by the shard its hash selects. */
function assignShard(numShards: number): ParDoTransform<string, KV<number, string>> {
  return new ParDoTransform<string, KV<number, string>>("AssignShard", {
    fn: (line: string) => {
      const text = asLine(line);
      return kv(numShards === 1 ? 0 : stableHash(text) % numShards, text);
    },
    shape: "map",
  });
}

/** @internal `mr.io.writeText`'s composite. */
export class WriteText extends PTransform<PCollection<string>, PCollection<string>> {
  private readonly prefix: string;
  private readonly numShards: number;
  private readonly suffix: string;

  constructor(prefix: string, options: WriteTextOptions) {
    super();
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new TypeError(
        `writeText: the prefix must be a non-empty path such as 'out/part', got ${typeof prefix === "string" ? "''" : String(prefix)}`,
      );
    }
    if (prefix.endsWith("/") || prefix.endsWith(path.sep)) {
      throw new TypeError(`writeText: the prefix '${prefix}' names a directory; add a file name prefix, such as '${prefix}part'`);
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(`writeText: options must be an object { numShards?, suffix? }, got ${String(options)}`);
    }
    const known = new Set(["numShards", "suffix"]);
    for (const k of Object.keys(options)) {
      if (!known.has(k)) throw new TypeError(`writeText: unknown option '${k}'; valid options are numShards and suffix`);
    }
    const numShards = options.numShards ?? 1;
    if (typeof numShards !== "number" || !Number.isInteger(numShards) || numShards < 1) {
      throw new RangeError(`writeText: numShards must be a whole number >= 1, got ${String(numShards)}`);
    }
    const suffix = options.suffix ?? "";
    if (typeof suffix !== "string" || suffix.includes("/") || suffix.includes(path.sep)) {
      throw new TypeError(
        `writeText: suffix must be a string without '/', such as '.txt', got ${typeof suffix === "string" ? `'${suffix}'` : String(suffix)}`,
      );
    }
    // Relative prefixes are resolved where the pipeline is built, not where a worker runs.
    this.prefix = path.resolve(prefix);
    refusePseudoFileSystem("writeText", this.prefix);
    this.numShards = numShards;
    this.suffix = suffix;
  }

  override defaultName(): string {
    return "WriteText";
  }

  expand(input: PCollection<string>): PCollection<string> {
    const p = input.pipeline;
    const { prefix, numShards, suffix } = this;
    // Windowed writes are plain transforms on every runner: no runner writes them natively.
    if (isWindowedWrite(input)) return writeWindowed(input, prefix, numShards, suffix);
    p._declareComposite({ kind: "writeFiles", sink: { prefix, numShards, suffix } });
    const dir = path.dirname(prefix);
    const base = path.basename(prefix);
    if (!input.isBounded) return writeBundles(input, dir, base, suffix);

    // One temporary directory per run, chosen once and shared through a side input.
    const tempDirs = p.apply("Impulse", impulse()).apply(
      "ChooseTempDir",
      new ParDoTransform<Uint8Array, string>("ChooseTempDir", {
        fn: (_: Uint8Array) => path.join(dir, `.millrace-temp-${base}-${randomId()}`),
        shape: "map",
      }),
    );
    const tempDir = views.singleton(tempDirs);

    const written = input
      .apply("AssignShard", assignShard(numShards))
      .apply("GroupByKey", groupByKey<number, string>())
      .apply(
        "WriteShards",
        new ParDoTransform<KV<number, string[]>, WrittenShard>("WriteShards", {
          fn: {
            process(e: KV<number, string[]>, ctx: ProcessContext<WrittenShard>) {
              const dirPath = ctx.sideInput<string>("tempDir");
              fs.mkdirSync(dirPath, { recursive: true });
              // A fresh name per attempt: a retried bundle never overwrites a file another attempt reported.
              const tempPath = path.join(dirPath, `${shardName("shard", e.key, numShards, "")}.${randomId()}`);
              writeLines(tempPath, e.value);
              ctx.output({ shard: e.key, tempPath });
            },
          },
          shape: "dofn",
          sideInputs: { tempDir: tempDir as never },
        }),
      );

    return written.apply("CollectShards", combineGlobally(combiners.toList<WrittenShard>())).apply(
      "Finalize",
      new ParDoTransform<WrittenShard[], string>("Finalize", {
        fn: {
          process(all: WrittenShard[], ctx: ProcessContext<string>) {
            for (const f of finalizeShards(all, ctx.sideInput<string>("tempDir"), prefix, numShards, suffix)) ctx.output(f);
          },
        },
        shape: "dofn",
        sideInputs: { tempDir: tempDir as never },
      }),
    );
  }
}
