/**
 * The file sink every format writes through (`writeText`, `writeJson`,
 * `writeCsv`, `writeAvro`, `writeParquet`): sharding, windowed and
 * per-destination naming, compression and the atomic commit are here, once;
 * a format supplies only its encoder (`formats/format_spec.ts`).
 *
 * - Bounded input in the global window: AssignShard → GroupByKey →
 *   WriteShards (one temporary file per shard, per destination) →
 *   CollectShards → Finalize (renames, every shard written), on every runner.
 * - Windowed input (or `windowedWrites: true`): AssignShard → GroupByKey →
 *   WriteWindowShards, files named by window, pane and shard.
 * - Unbounded input in the global window: the runner's own sink where it
 *   has one (stream: two-phase commit per checkpoint; micro-batch: per
 *   batch), else one file per bundle (direct).
 */
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
import { state } from "../state/state_specs";
import type { BundleContext, ProcessContext } from "../transforms/transform_context";
import { isGlobalWindow, type BoundedWindow } from "../../model/windows";
import type { PaneInfo } from "../../model/pane";
import type { FileSinkSpec } from "../graph/primitive_spec";
import { refusePseudoFileSystem } from "./pseudo_file_system";
import {
  type WrittenShard,
  asLine,
  stableHash,
  shardName,
  randomId,
  finalizeShards,
  writeRecords,
  writeRecordsAtomically,
} from "./file_commit";
import { COMPRESSIONS, type Compression } from "./formats/compression";
import { compressionExtension, fileEncoder, writerName, type FormatSpec } from "./formats/format_spec";

/** Options every file write takes (`writeText`, `writeJson`, `writeCsv`, `writeAvro`, `writeParquet`). */
export interface FileWriteOptions<T> {
  /** How many files to write per destination (and per window and pane): a whole number >= 1; default 1. Each element goes to the shard its hash selects. */
  readonly numShards?: number;
  /** Appended to every file name, before the compression's extension, e.g. `".txt"` (each format has a default). */
  readonly suffix?: string;
  /**
   * How files are compressed: `"gzip"` (adds `.gz`), `"deflate"` (`.deflate`), `"zstd"` (`.zst`), or `"none"` (default).
   * Avro and Parquet compress inside the file instead (Avro: deflate, zstd; Parquet: gzip, zstd, default snappy) and keep their suffix.
   */
  readonly compression?: Compression;
  /**
   * Files per window and pane, named `<prefix>-<window>-pane-<index>[-last]-SSSSS-of-NNNNN<suffix>` (Beam's windowed
   * file names). Input with windows or a non-default trigger is always written so; `true` asks for it in the global window too.
   */
  readonly windowedWrites?: boolean;
  /**
   * Dynamic destinations: each element's files go under `<prefix>/<subPrefix>` (`subPrefix` is what this returns: a
   * relative path such as `"country=de/part"`, without `..`). Shards, windows and panes are per destination.
   */
  readonly destination?: (element: T) => string;
}

/** @internal The option names of {@link FileWriteOptions}. */
export const FILE_WRITE_OPTIONS: readonly string[] = ["numShards", "suffix", "compression", "windowedWrites", "destination"];

/** @internal True when `input` is written window by window: it has windows other than the global one, or a trigger that fires panes before the end. */
export function isWindowedWrite(input: PCollection<unknown>): boolean {
  return !isGlobalWindowing(input.windowing) || input.windowing.trigger.kind !== "default";
}

/** A window as a file name part: `<start>-<end>` in ISO 8601 (milliseconds when out of Date's range), or `global`. */
function windowNamePart(w: BoundedWindow): string {
  if (isGlobalWindow(w)) return "global";
  const iso = (t: number): string => (Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t));
  return `${iso(w.start)}-${iso(w.end)}`;
}

/** @internal The file of shard `shard` of a window's pane, Beam's windowed file name: `<prefix>-<window>-pane-<index>[-last]-SSSSS-of-NNNNN<suffix>`. */
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

/** @internal The prefix of a destination's files: `<prefix>/<subPrefix>`, refusing a sub-prefix that would leave the prefix's directory. */
export function destinationPrefix(what: string, prefix: string, sub: unknown): string {
  if (typeof sub !== "string" || sub.length === 0)
    throw new TypeError(`${what}: destination must return a non-empty relative path, got ${typeof sub === "string" ? "''" : String(sub)}`);
  if (path.isAbsolute(sub) || sub.split(/[\\/]/).includes("..") || sub.endsWith("/"))
    throw new TypeError(`${what}: destination '${sub}' must be a relative path inside the prefix, without '..', not ending in '/'`);
  return path.join(prefix, sub);
}

/** How a write shards, names and encodes its files: everything but the input. */
interface WritePlan {
  readonly what: string;
  readonly prefix: string;
  readonly numShards: number;
  readonly suffix: string;
  readonly format: FormatSpec;
  readonly compression: Compression | undefined;
  readonly destination: ((element: unknown) => string) | undefined;
  /** `numShards` was given: unbounded input in the global window is then written in that many shards per unit of commit. */
  readonly shardsGiven: boolean;
}

/** The shard key of an element: its shard, and its destination's prefix when the write has destinations. */
type ShardKey = number | string;

/** The text an element is sharded by: the line itself for text (checked to be one), otherwise a stable JSON form. */
function shardText(format: FormatSpec, element: unknown): string {
  if (format.kind === "text") return asLine(element);
  try {
    return (
      JSON.stringify(element, (_k, v: unknown) =>
        typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v,
      ) ?? ""
    );
  } catch {
    return "";
  }
}

function shardKey(plan: WritePlan, element: unknown): KV<ShardKey, unknown> {
  const shard = plan.numShards === 1 ? 0 : stableHash(shardText(plan.format, element)) % plan.numShards;
  if (!plan.destination) return kv(shard, element);
  const dest = destinationPrefix(plan.what, plan.prefix, plan.destination(element));
  return kv(`${shard}:${dest}`, element);
}

/** @internal The shard and file prefix a shard key names (`<shard>`, or `<shard>:<destination prefix>`); `prefix` is the write's own. */
export function shardKeyParts(prefix: string, key: unknown): { shard: number; prefix: string } {
  if (typeof key === "number") return { shard: key, prefix };
  const text = String(key);
  const at = text.indexOf(":");
  return at < 0 ? { shard: Number(text), prefix } : { shard: Number(text.slice(0, at)), prefix: text.slice(at + 1) };
}

function fromShardKey(plan: WritePlan, key: ShardKey): { shard: number; prefix: string } {
  return shardKeyParts(plan.prefix, key);
}

function assignShard(plan: WritePlan): ParDoTransform<unknown, KV<ShardKey, unknown>> {
  return new ParDoTransform<unknown, KV<ShardKey, unknown>>("AssignShard", {
    fn: (element: unknown) => shardKey(plan, element),
    shape: "map",
  });
}

/** Windowed writes (Beam's `withWindowedWrites`): every pane writes its shards' files, named by window, pane and shard; a replayed pane rewrites the same file. */
function writeWindowed(input: PCollection<unknown>, plan: WritePlan): PCollection<string> {
  return input
    .apply("AssignShard", assignShard(plan))
    .apply("GroupByKey", groupByKey<ShardKey, unknown>())
    .apply(
      "WriteWindowShards",
      new ParDoTransform<KV<ShardKey, unknown[]>, string>("WriteWindowShards", {
        fn: {
          process(e: KV<ShardKey, unknown[]>, ctx: ProcessContext<string>) {
            const { shard, prefix } = fromShardKey(plan, e.key);
            const final = windowedShardName(prefix, ctx.window, ctx.pane, shard, plan.numShards, plan.suffix);
            writeRecordsAtomically(final, e.value, fileEncoder(plan.format, plan.compression));
            ctx.output(final);
          },
        },
        shape: "dofn",
      }),
    );
}

/**
 * Unbounded input without a native sink (the direct runner): each bundle's
 * elements go to a file of their own, `<prefix>-bundle-<id><suffix>`, written
 * under a hidden name and renamed when complete (at least once). With
 * `keyed`, elements arrive keyed by shard and destination (see
 * {@link writeKeyedUnbounded}), and each bundle writes one file per key,
 * `<destination prefix>-bundle-<id>-SSSSS-of-NNNNN<suffix>`.
 */
function writeBundles(input: PCollection<unknown>, plan: WritePlan, keyed: boolean): PCollection<string> {
  let byFile = new Map<string, unknown[]>();
  const id = { current: "" };
  return input.apply(
    "WriteBundles",
    new ParDoTransform<unknown, string>("WriteBundles", {
      fn: {
        startBundle() {
          byFile = new Map();
          id.current = randomId();
        },
        process(element: unknown) {
          let final = `${plan.prefix}-bundle-${id.current}${plan.suffix}`;
          let record = element;
          if (keyed) {
            const e = element as KV<ShardKey, unknown>;
            const { shard, prefix } = fromShardKey(plan, e.key);
            final = shardName(`${prefix}-bundle-${id.current}`, shard, plan.numShards, plan.suffix);
            record = e.value;
          }
          const list = byFile.get(final) ?? [];
          list.push(record);
          byFile.set(final, list);
        },
        finishBundle(ctx: BundleContext<string>) {
          for (const [final, records] of byFile) {
            writeRecordsAtomically(final, records, fileEncoder(plan.format, plan.compression));
            ctx.output(final);
          }
          byFile = new Map();
        },
      },
      shape: "dofn",
    }),
  );
}

/** What a runner's native sink needs to know of a write. */
function sinkSpec(plan: WritePlan, keyed: boolean): FileSinkSpec {
  return {
    prefix: plan.prefix,
    numShards: plan.numShards,
    suffix: plan.suffix,
    ...(plan.format.kind === "text" ? {} : { format: plan.format }),
    ...(plan.compression ? { compression: plan.compression } : {}),
    ...(keyed ? { keyed: true } : {}),
  };
}

/** The file sink a runner may write natively (its composite carries the sink), else {@link writeBundles}. */
class UnboundedFileSink extends PTransform<PCollection<unknown>, PCollection<string>> {
  constructor(
    private readonly plan: WritePlan,
    private readonly keyed: boolean,
  ) {
    super();
  }

  override defaultName(): string {
    return "WriteFiles";
  }

  expand(input: PCollection<unknown>): PCollection<string> {
    const { plan, keyed } = this;
    input.pipeline._declareComposite({ kind: "writeFiles", sink: sinkSpec(plan, keyed) });
    return writeBundles(input, plan, keyed);
  }
}

/**
 * Unbounded input in the global window with `numShards` or `destination`:
 * elements are keyed by shard (and destination) and routed by key (a keyed
 * ParDo, so that every runner sends all the elements of a key to one worker),
 * then written by the runner's sink one file per key per unit of commit:
 * at most `numShards` files per destination per checkpoint (stream), batch
 * (micro-batch) or bundle (direct), named `…-checkpoint-<n>-SSSSS-of-NNNNN`,
 * `…-batch-<n>-SSSSS-of-NNNNN`, `…-bundle-<id>-SSSSS-of-NNNNN`.
 */
function writeKeyedUnbounded(input: PCollection<unknown>, plan: WritePlan): PCollection<string> {
  return input
    .apply("AssignShard", assignShard(plan))
    .apply(
      "RouteByShard",
      new ParDoTransform<KV<ShardKey, unknown>, KV<ShardKey, unknown>>("RouteByShard", {
        // The state cell is never used: declaring it makes the ParDo keyed, which is what routes each shard to one worker.
        fn: {
          state: { routed: state.value<number>() },
          process(e: KV<ShardKey, unknown>, ctx: ProcessContext<KV<ShardKey, unknown>>) {
            ctx.output(e);
          },
        },
        shape: "dofn",
        keepsInputCoder: true,
      }),
    )
    .apply("WriteKeyed", new UnboundedFileSink(plan, true) as PTransform<PCollection<KV<ShardKey, unknown>>, PCollection<string>>);
}

/** Bounded input in the global window: sharded files, published together once all are written. */
function writeBounded(input: PCollection<unknown>, plan: WritePlan): PCollection<string> {
  const p = input.pipeline;
  const dir = path.dirname(plan.prefix);
  const base = path.basename(plan.prefix);
  // One temporary directory per run, chosen once and shared through a side input.
  const tempDirs = p.apply("Impulse", impulse()).apply(
    "ChooseTempDir",
    new ParDoTransform<Uint8Array, string>("ChooseTempDir", {
      fn: (_: Uint8Array) => path.join(dir, `.millrace-temp-${base}-${randomId()}`),
      shape: "map",
    }),
  );
  const tempDir = views.singleton(tempDirs);
  // A destination's shards wait in a directory of their own, so each destination is finalized alone.
  const destinationTemp = (root: string, prefix: string): string =>
    prefix === plan.prefix ? root : path.join(root, `dest-${stableHash(prefix).toString(16)}-${path.basename(prefix)}`);
  const written = input
    .apply("AssignShard", assignShard(plan))
    .apply("GroupByKey", groupByKey<ShardKey, unknown>())
    .apply(
      "WriteShards",
      new ParDoTransform<KV<ShardKey, unknown[]>, WrittenShard & { prefix: string }>("WriteShards", {
        fn: {
          process(e: KV<ShardKey, unknown[]>, ctx: ProcessContext<WrittenShard & { prefix: string }>) {
            const { shard, prefix } = fromShardKey(plan, e.key);
            const dirPath = destinationTemp(ctx.sideInput<string>("tempDir"), prefix);
            fs.mkdirSync(dirPath, { recursive: true });
            // A fresh name per attempt: a retried bundle never overwrites a file another attempt reported.
            const tempPath = path.join(dirPath, `${shardName("shard", shard, plan.numShards, "")}.${randomId()}`);
            writeRecords(tempPath, e.value, fileEncoder(plan.format, plan.compression));
            ctx.output({ shard, tempPath, prefix });
          },
        },
        shape: "dofn",
        sideInputs: { tempDir: tempDir as never },
      }),
    );
  const writeEmpty = (file: string): void => writeRecords(file, [], fileEncoder(plan.format, plan.compression));
  return written.apply("CollectShards", combineGlobally(combiners.toList<WrittenShard & { prefix: string }>())).apply(
    "Finalize",
    new ParDoTransform<(WrittenShard & { prefix: string })[], string>("Finalize", {
      fn: {
        process(all: (WrittenShard & { prefix: string })[], ctx: ProcessContext<string>) {
          const root = ctx.sideInput<string>("tempDir");
          const prefixes = [...new Set([plan.prefix, ...all.map((w) => w.prefix)])]
            .filter((pr) => (pr === plan.prefix ? !plan.destination : true))
            .sort();
          const finals: string[] = [];
          for (const prefix of prefixes) {
            const shards = all.filter((w) => w.prefix === prefix).map(({ shard, tempPath }) => ({ shard, tempPath }));
            fs.mkdirSync(path.dirname(prefix), { recursive: true });
            finals.push(...finalizeShards(shards, destinationTemp(root, prefix), prefix, plan.numShards, plan.suffix, writeEmpty));
          }
          fs.rmSync(root, { recursive: true, force: true });
          for (const f of finals.sort()) ctx.output(f);
        },
      },
      shape: "dofn",
      sideInputs: { tempDir: tempDir as never },
    }),
  );
}

/** @internal The composite of every file write: validates the options, then expands as the input needs (see the header). */
export class WriteFiles<T> extends PTransform<PCollection<T>, PCollection<string>> {
  private readonly plan: WritePlan;
  private readonly windowedWrites: boolean;

  constructor(
    prefix: string,
    options: FileWriteOptions<T>,
    private readonly format: FormatSpec,
    defaultSuffix: string,
    extraOptions: readonly string[] = [],
  ) {
    super();
    const what = writerName(format);
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new TypeError(
        `${what}: the prefix must be a non-empty path such as 'out/part', got ${typeof prefix === "string" ? "''" : String(prefix)}`,
      );
    }
    if (prefix.endsWith("/") || prefix.endsWith(path.sep)) {
      throw new TypeError(`${what}: the prefix '${prefix}' names a directory; add a file name prefix, such as '${prefix}part'`);
    }
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `${what}: options must be an object { ${[...FILE_WRITE_OPTIONS, ...extraOptions].join("?, ")}? }, got ${String(options)}`,
      );
    }
    const known = [...FILE_WRITE_OPTIONS, ...extraOptions];
    for (const k of Object.keys(options)) {
      if (!known.includes(k)) throw new TypeError(`${what}: unknown option '${k}'; valid options are ${known.join(", ")}`);
    }
    const numShards = options.numShards ?? 1;
    if (typeof numShards !== "number" || !Number.isInteger(numShards) || numShards < 1) {
      throw new RangeError(`${what}: numShards must be a whole number >= 1, got ${String(numShards)}`);
    }
    const suffix = options.suffix ?? defaultSuffix;
    if (typeof suffix !== "string" || suffix.includes("/") || suffix.includes(path.sep)) {
      throw new TypeError(
        `${what}: suffix must be a string without '/', such as '.txt', got ${typeof suffix === "string" ? `'${suffix}'` : String(suffix)}`,
      );
    }
    const compression = options.compression;
    if (compression !== undefined && !COMPRESSIONS.includes(compression)) {
      throw new TypeError(`${what}: compression must be one of ${COMPRESSIONS.join(", ")}, got ${JSON.stringify(compression)}`);
    }
    if (options.destination !== undefined && typeof options.destination !== "function") {
      throw new TypeError(`${what}: destination must be a function (element) => subPrefix, got ${typeof options.destination}`);
    }
    if (options.windowedWrites !== undefined && typeof options.windowedWrites !== "boolean") {
      throw new TypeError(`${what}: windowedWrites must be true or false, got ${String(options.windowedWrites)}`);
    }
    // An encoder made now refuses what no file could hold (a bad schema, a codec the format lacks) when the transform is created.
    fileEncoder(format, compression);
    // Relative prefixes are resolved where the pipeline is built, not where a worker runs.
    const resolved = path.resolve(prefix);
    refusePseudoFileSystem(what, resolved);
    this.windowedWrites = options.windowedWrites === true;
    this.plan = {
      what,
      prefix: resolved,
      numShards,
      suffix: suffix + compressionExtension(format, compression),
      format,
      compression,
      destination: options.destination as ((element: unknown) => string) | undefined,
      shardsGiven: options.numShards !== undefined,
    };
  }

  override defaultName(): string {
    const what = writerName(this.format);
    return what[0].toUpperCase() + what.slice(1);
  }

  expand(input: PCollection<T>): PCollection<string> {
    const plan = this.plan;
    const elements = input as PCollection<unknown>;
    // Windowed writes are plain transforms on every runner: no runner writes them natively.
    if (this.windowedWrites || isWindowedWrite(elements)) return writeWindowed(elements, plan);
    if (!input.isBounded && (plan.destination || plan.shardsGiven)) return writeKeyedUnbounded(elements, plan);
    // This composite is the sink a runner writes natively (for unbounded pipelines); a bounded one with destinations never is.
    if (!plan.destination) input.pipeline._declareComposite({ kind: "writeFiles", sink: sinkSpec(plan, false) });
    if (!input.isBounded) return writeBundles(elements, plan, false);
    return writeBounded(elements, plan);
  }
}
