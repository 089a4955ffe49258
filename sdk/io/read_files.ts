/**
 * The file reader every format reads through (`readJson`, `readCsv`,
 * `readAvro`, `readParquet`), the same path as `readText`: Impulse →
 * ExpandPattern (the sorted files) → Reshuffle (files spread over workers) →
 * ReadRecords, where a format's decoder turns one file's bytes into records.
 * A compressed file (`.gz`, `.deflate`, `.zst`) is decompressed first, by its
 * extension. Decoders take a whole file; splitting a large file by byte
 * range (JSON lines, CSV without multi-line fields) is left for the
 * splittable DoFn readText moves onto.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { impulse } from "../transforms/create";
import { ParDoTransform, parDo } from "../transforms/pardo";
import { outputTag } from "../transforms/output_tag";
import { reshuffle } from "../transforms/reshuffle";
import type { ProcessContext } from "../transforms/transform_context";
import { expandPattern } from "./read_text";
import { compressionOf, decompress } from "./formats/compression";
import { fileDecoder, type FormatSpec } from "./formats/format_spec";
import type { BadRecord, DecodedRecords } from "./formats/file_format";
import { plainValue } from "./formats/plain_value";

export type { BadRecord } from "./formats/file_format";

/** What a read with `{ deadLetter: true }` returns: the records read, and the records that could not be (file, line, text, error). */
export interface ReadWithFailures<T> {
  /** The records read. */
  readonly rows: PCollection<T>;
  /** The records that could not be decoded, with their file and line. */
  readonly failures: PCollection<BadRecord>;
}

/** The bytes of `file`, decompressed as its extension says; a file that cannot be read fails naming it. */
export function readFileBytes(what: string, file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${what}: cannot read '${file}': ${(e as Error).message}`, { cause: e });
  }
  try {
    return decompress(bytes, compressionOf(file), file);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** Decodes every file it receives with `format`'s decoder; bad records go to `bad`. */
function decodeFiles(
  what: string,
  format: FormatSpec,
  emit: (ctx: ProcessContext<unknown>, record: unknown) => void,
  bad: (ctx: ProcessContext<unknown>, b: BadRecord) => void,
) {
  const decode = fileDecoder(format);
  return {
    process(file: string, ctx: ProcessContext<unknown>) {
      const out: DecodedRecords = {
        record: (value) => emit(ctx, plainValue(value)),
        bad: (b) => bad(ctx, b),
      };
      try {
        decode(readFileBytes(what, file), file, out);
      } catch (e) {
        const message = (e as Error).message;
        if (message.startsWith(`${what}:`)) throw e;
        throw new Error(`${what}: cannot read '${file}': ${message}`, { cause: e });
      }
    },
  };
}

/** @internal The composite of every format read; with `deadLetter`, bad records go to a second output instead of failing the run. */
export class ReadFiles<T> extends PTransform<PBegin, PCollection<T> | ReadWithFailures<T>> {
  private readonly resolved: string;

  constructor(
    private readonly what: string,
    private readonly pattern: string,
    private readonly format: FormatSpec,
    private readonly deadLetter: boolean,
  ) {
    super();
    if (typeof pattern !== "string" || pattern.length === 0) {
      throw new TypeError(`${what} expects a non-empty file path or glob, got ${typeof pattern === "string" ? "''" : String(pattern)}`);
    }
    // Relative patterns are resolved where the pipeline is built, not where a worker runs.
    this.resolved = path.resolve(pattern);
  }

  override defaultName(): string {
    return this.what[0].toUpperCase() + this.what.slice(1);
  }

  expand(input: PBegin): PCollection<T> | ReadWithFailures<T> {
    const { what, pattern, resolved, format } = this;
    const files = input.pipeline.apply("Impulse", impulse()).apply(
      "ExpandPattern",
      new ParDoTransform<Uint8Array, string>("ExpandPattern", {
        fn: {
          process(_: Uint8Array, ctx: ProcessContext<string>) {
            let found: string[];
            try {
              found = expandPattern(pattern, resolved);
            } catch (e) {
              throw new Error((e as Error).message.replace(/^readText/, what), { cause: e });
            }
            for (const file of found) ctx.output(file);
          },
        },
        shape: "dofn",
      }),
    );
    const spread = files.apply("Reshuffle", reshuffle<string>());
    if (!this.deadLetter) {
      const fail = (_: ProcessContext<unknown>, b: BadRecord): never => {
        throw new Error(
          `${what}: '${b.file}' line ${b.line}: ${b.error}: ${JSON.stringify(b.text.length > 200 ? b.text.slice(0, 200) + "…" : b.text)}`,
        );
      };
      return spread.apply(
        "ReadRecords",
        new ParDoTransform<string, T>("ReadRecords", {
          fn: decodeFiles(what, format, (ctx, r) => ctx.output(r), fail) as never,
          shape: "dofn",
        }),
      );
    }
    const { main, failures } = spread.apply(
      "ReadRecords",
      parDo(
        decodeFiles(
          what,
          format,
          (ctx, r) => ctx.output(r),
          (ctx, b) => (ctx as unknown as { outputTo(tag: string, v: unknown): void }).outputTo("failures", b),
        ) as never,
        { outputs: { failures: outputTag<BadRecord>() } },
      ),
    ) as unknown as { main: PCollection<T>; failures: PCollection<BadRecord> };
    return { rows: main, failures };
  }
}
