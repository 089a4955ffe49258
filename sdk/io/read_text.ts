import * as fs from "node:fs";
import * as path from "node:path";
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { impulse } from "../transforms/create";
import { ParDoTransform } from "../transforms/pardo";
import { reshuffle } from "../transforms/reshuffle";
import type { ProcessContext } from "../transforms/transform_context";
import { hasGlobSyntax, matchFilesReporting } from "./glob";
import type { ReadTextOptions } from "./text_lines";
import { DEFAULT_DESIRED_BUNDLE_SIZE_BYTES, ReadTextFilesFn } from "./read_text_files";
import { splittableParDo } from "../transforms/pardo";

/** How the pattern is shown in errors: as given, and resolved when that differs. */
function describePattern(given: string, resolved: string): string {
  return given === resolved ? `'${given}'` : `'${given}' (resolved to '${resolved}')`;
}

/**
 * @internal The files a pattern names, sorted; throws a clear error (starting
 * with `what`) when there are none, unless `allowEmptyGlob` and the pattern
 * is a glob (Beam's `EmptyMatchTreatment.ALLOW_IF_WILDCARD`).
 */
export function expandPattern(given: string, resolved: string, what = "readText", allowEmptyGlob = false): string[] {
  const { files, unreadable } = matchFilesReporting(resolved);
  if (unreadable.size > 0) {
    // Reading the files that were found would silently leave out what the unreadable places hold.
    const places = [...unreadable].map(([p, code]) => `'${p}' (${code})`).join(", ");
    throw new Error(
      `${what}: cannot expand ${describePattern(given, resolved)}: ${places} cannot be read${files.length === 0 ? ", and no readable file matches" : ""}`,
    );
  }
  if (files.length > 0 || (allowEmptyGlob && hasGlobSyntax(resolved))) return files;
  if (!hasGlobSyntax(resolved)) {
    let stat: fs.Stats | null;
    try {
      stat = fs.statSync(resolved);
    } catch {
      stat = null;
    }
    if (stat?.isDirectory()) {
      throw new Error(
        `${what}: ${describePattern(given, resolved)} is a directory, not a file; to read the files in it use a glob such as '${path.join(given, "*")}'`,
      );
    }
  }
  throw new Error(`${what}: no file matches ${describePattern(given, resolved)}`);
}

export { readLines, type ReadTextOptions } from "./text_lines";

/** @internal `mr.io.readText`'s composite. */
export class ReadText extends PTransform<PBegin, PCollection<string>> {
  private readonly resolved: string;

  private readonly options: ReadTextOptions;

  private readonly desiredBundleSizeBytes: number;

  constructor(
    private readonly pattern: string,
    options: ReadTextOptions = {},
  ) {
    super();
    if (options === null || typeof options !== "object")
      throw new TypeError(`readText: options must be an object { onInvalidUtf8? }, got ${String(options)}`);
    for (const k of Object.keys(options)) {
      if (k !== "onInvalidUtf8" && k !== "desiredBundleSizeBytes")
        throw new TypeError(`readText: unknown option '${k}'; the valid options are onInvalidUtf8, desiredBundleSizeBytes`);
    }
    const size = options.desiredBundleSizeBytes;
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 1))
      throw new TypeError(`readText: desiredBundleSizeBytes must be a whole number >= 1, got ${String(size)}`);
    this.desiredBundleSizeBytes = size ?? DEFAULT_DESIRED_BUNDLE_SIZE_BYTES;
    if (options.onInvalidUtf8 !== undefined && options.onInvalidUtf8 !== "replace" && options.onInvalidUtf8 !== "fail") {
      throw new TypeError(`readText: onInvalidUtf8 must be "replace" or "fail", got ${JSON.stringify(options.onInvalidUtf8)}`);
    }
    this.options = { ...options };
    if (typeof pattern !== "string" || pattern.length === 0) {
      throw new TypeError(`readText expects a non-empty file path or glob, got ${typeof pattern === "string" ? "''" : String(pattern)}`);
    }
    // Relative patterns are resolved where the pipeline is built, not where a worker runs.
    this.resolved = path.resolve(pattern);
  }

  override defaultName(): string {
    return "ReadText";
  }

  expand(input: PBegin): PCollection<string> {
    const given = this.pattern;
    const resolved = this.resolved;
    const options = this.options;
    const files = input.pipeline.apply("Impulse", impulse()).apply(
      "ExpandPattern",
      new ParDoTransform<Uint8Array, string>("ExpandPattern", {
        fn: {
          process(_: Uint8Array, ctx: ProcessContext<string>) {
            for (const file of expandPattern(given, resolved)) ctx.output(file);
          },
        },
        shape: "dofn",
      }),
    );
    // The reshuffle spreads the files over workers; each file's byte range may then be split further (a splittable DoFn).
    return files
      .apply("Reshuffle", reshuffle<string>())
      .apply("ReadLines", splittableParDo<string, string>(new ReadTextFilesFn(options, this.desiredBundleSizeBytes), "ReadLines"));
  }
}
