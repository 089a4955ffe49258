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
import { hasGlobSyntax, matchFiles } from "./glob";

/** Bytes read from a file at a time. */
const CHUNK_BYTES = 64 * 1024;

/** How the pattern is shown in errors: as given, and resolved when that differs. */
function describePattern(given: string, resolved: string): string {
  return given === resolved ? `'${given}'` : `'${given}' (resolved to '${resolved}')`;
}

/** @internal The files a pattern names, sorted; throws a clear error when there are none. */
export function expandPattern(given: string, resolved: string): string[] {
  const files = matchFiles(resolved);
  if (files.length > 0) return files;
  if (!hasGlobSyntax(resolved)) {
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(resolved);
    } catch {
      stat = null;
    }
    if (stat?.isDirectory()) {
      throw new Error(`readText: ${describePattern(given, resolved)} is a directory, not a file; to read the files in it use a glob such as '${path.join(given, "*")}'`);
    }
  }
  throw new Error(`readText: no file matches ${describePattern(given, resolved)}`);
}

/**
 * @internal Calls `emit` with each line of `file`, read in chunks: lines are
 * split on `\n`, a trailing `\r` is removed, a final newline gives no extra
 * empty line, and a UTF-8 byte order mark at the start is skipped.
 */
export function readLines(file: string, emit: (line: string) => void): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new Error(`readText: cannot read '${file}': ${(e as Error).message}`, { cause: e });
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const decoder = new StringDecoder("utf8");
    let pending = "";
    let first = true;
    const emitLine = (line: string): void => emit(line.endsWith("\r") ? line.slice(0, -1) : line);
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

  constructor(private readonly pattern: string) {
    super();
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
    const files = input.pipeline
      .apply("Impulse", impulse())
      .apply(
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
            readLines(file, (line) => ctx.output(line));
          },
        },
        shape: "dofn",
      }),
    );
  }
}
