import * as fs from "node:fs";
import * as path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { PTransform } from "../ptransform";
import type { PCollection } from "../pcollection";
import type { PBegin } from "../graph/pvalue";
import { impulse } from "../transforms/create";
import { ParDoTransform } from "../transforms/pardo";
import { reshuffle } from "../transforms/reshuffle";
import type { ProcessContext } from "../transforms/transform_context";
import { hasGlobSyntax, matchFilesReporting } from "./glob";

/** Bytes read from a file at a time. */
const CHUNK_BYTES = 64 * 1024;

/** How the pattern is shown in errors: as given, and resolved when that differs. */
function describePattern(given: string, resolved: string): string {
  return given === resolved ? `'${given}'` : `'${given}' (resolved to '${resolved}')`;
}

/** @internal The files a pattern names, sorted; throws a clear error when there are none. */
export function expandPattern(given: string, resolved: string): string[] {
  const { files, unreadable } = matchFilesReporting(resolved);
  if (unreadable.size > 0) {
    // Reading the files that were found would silently leave out what the unreadable places hold.
    const places = [...unreadable].map(([p, code]) => `'${p}' (${code})`).join(", ");
    throw new Error(
      `readText: cannot expand ${describePattern(given, resolved)}: ${places} cannot be read${files.length === 0 ? ", and no readable file matches" : ""}`,
    );
  }
  if (files.length > 0) return files;
  if (!hasGlobSyntax(resolved)) {
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(resolved);
    } catch {
      stat = null;
    }
    if (stat?.isDirectory()) {
      throw new Error(
        `readText: ${describePattern(given, resolved)} is a directory, not a file; to read the files in it use a glob such as '${path.join(given, "*")}'`,
      );
    }
  }
  throw new Error(`readText: no file matches ${describePattern(given, resolved)}`);
}

/** Options of `readText`. */
export interface ReadTextOptions {
  /**
   * What to do with bytes that are not valid UTF-8: `"replace"` (the default)
   * reads each as U+FFFD (`\uFFFD`, the replacement character), as Node and
   * browsers decode text; `"fail"` fails the run with an error naming the
   * file and the line.
   */
  readonly onInvalidUtf8?: "replace" | "fail";
}

/** A decoder for `readLines`: `write` each chunk, then `end`. */
interface ChunkDecoder {
  write(bytes: Buffer): string;
  end(): string;
}

/** A decoder that refuses invalid UTF-8, saying where: `linesBefore()` tells how many lines were complete before the chunk. */
function strictDecoder(file: string, linesBefore: () => number): ChunkDecoder {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const refuse = (e: unknown, chunk: Buffer): never => {
    const valid = validPrefixLength(chunk);
    const line = linesBefore() + chunk.subarray(0, valid).filter((b) => b === 0x0a).length + 1;
    throw new Error(
      `readText: '${file}' is not valid UTF-8 (in line ${line}); ` +
        `read it with { onInvalidUtf8: "replace" } to get U+FFFD for bad bytes`,
      { cause: e },
    );
  };
  return {
    write: (bytes) => {
      try {
        return decoder.decode(bytes, { stream: true });
      } catch (e) {
        return refuse(e, bytes);
      }
    },
    end: () => {
      try {
        return decoder.decode();
      } catch (e) {
        return refuse(e, Buffer.alloc(0));
      }
    },
  };
}

/** How many leading bytes of `chunk` decode without error (an incomplete character at the end is fine): a binary search. */
function validPrefixLength(chunk: Buffer): number {
  const decodes = (n: number): boolean => {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(chunk.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (decodes(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * @internal Calls `emit` with each line of `file`, read in chunks: lines are
 * split on `\n`, a trailing `\r` is removed, a final newline gives no extra
 * empty line, and a UTF-8 byte order mark at the start is skipped. Invalid
 * UTF-8 is replaced by U+FFFD, or refused with `onInvalidUtf8: "fail"`.
 */
export function readLines(file: string, emit: (line: string) => void, options: ReadTextOptions = {}): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new Error(`readText: cannot read '${file}': ${(e as Error).message}`, { cause: e });
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let lines = 0;
    const decoder: ChunkDecoder = options.onInvalidUtf8 === "fail" ? strictDecoder(file, () => lines) : new StringDecoder("utf8");
    let pending = "";
    let first = true;
    const emitLine = (line: string): void => {
      lines++;
      emit(line.endsWith("\r") ? line.slice(0, -1) : line);
    };
    const take = (text: string): void => {
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      let start = 0;
      let nl = text.indexOf("\n");
      if (nl >= 0) {
        emitLine(pending + text.slice(0, nl));
        pending = "";
        start = nl + 1;
        while ((nl = text.indexOf("\n", start)) >= 0) {
          emitLine(text.slice(start, nl));
          start = nl + 1;
        }
      }
      pending += text.slice(start);
    };
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw new Error(`readText: cannot read '${file}': ${(e as Error).message}`, { cause: e });
      }
      if (n === 0) break;
      take(decoder.write(buffer.subarray(0, n)));
    }
    take(decoder.end());
    if (pending.length > 0) emitLine(pending);
  } finally {
    fs.closeSync(fd);
  }
}

/** @internal `mr.io.readText`'s composite. */
export class ReadText extends PTransform<PBegin, PCollection<string>> {
  private readonly resolved: string;

  private readonly options: ReadTextOptions;

  constructor(
    private readonly pattern: string,
    options: ReadTextOptions = {},
  ) {
    super();
    if (options === null || typeof options !== "object")
      throw new TypeError(`readText: options must be an object { onInvalidUtf8? }, got ${String(options)}`);
    for (const k of Object.keys(options)) {
      if (k !== "onInvalidUtf8") throw new TypeError(`readText: unknown option '${k}'; the valid option is onInvalidUtf8`);
    }
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
    // The reshuffle spreads the files over workers: each is then read by one of them.
    return files.apply("Reshuffle", reshuffle<string>()).apply(
      "ReadLines",
      new ParDoTransform<string, string>("ReadLines", {
        fn: {
          process(file: string, ctx: ProcessContext<string>) {
            readLines(file, (line) => ctx.output(line), options);
          },
        },
        shape: "dofn",
      }),
    );
  }
}
