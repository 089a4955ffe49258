/**
 * The JSON payloads of millrace's own URNs. They name user code by reference
 * (see `user_code/user_code_source.ts`) and describe library behaviour, so a
 * runner needs nothing but the proto and a way to resolve references.
 */
import type { FormatSpec } from "../sdk/io/formats/format_spec";
import type { Compression } from "../sdk/io/formats/compression";
import type { DoFnShape, ViewKind } from "../sdk/graph/primitive_spec";
import type { PipelineOrigin } from "../sdk/user_code/user_code_source";

/** Payload of `millrace:dofn:v1`. */
export interface DoFnPayload {
  /** Reference of the user's function, resolved through the run's `UserCodeSource`. */
  readonly ref: string;
  /** Which form the function has, so the harness knows how to call it. */
  readonly shape: DoFnShape;
  /** Output tags besides "main". */
  readonly additionalOutputs: readonly string[];
  /** Library code that may emit timestamps earlier than its input's. */
  readonly allowsTimestampSkew?: boolean;
  /** How far (ms) the DoFn may move timestamps backwards. */
  readonly allowedTimestampSkewMs?: number;
  /**
   * A Create's number of values: runners split a Create by it, so a worker
   * that rebuilds the pipeline reads the values only for a split of its own.
   */
  readonly createCount?: number;
}

/** Payload of `millrace:combinefn:v1`. */
export interface CombineFnPayload {
  readonly ref: string;
}

/** Payload of `millrace:sink:text:v1`, the sink of `io.writeText`. */
export interface TextSinkPayload {
  /** The absolute path prefix of the files. */
  readonly prefix: string;
  /** How many shards a bounded write makes (lines go to the shard their hash selects). */
  readonly numShards: number;
  /** Appended to every file name. */
  readonly suffix: string;
  /** @internal The file format (`writeJson`, `writeCsv`, `writeAvro`, `writeParquet`); absent for text. */
  readonly format?: FormatSpec;
  /** How files are compressed; absent for none. */
  readonly compression?: Compression;
  /** @internal Elements arrive as KV<shard key, element>, the key `<shard>` or `<shard>:<destination prefix>`: one file per key per unit of commit. */
  readonly keyed?: boolean;
}

/** Payload of `millrace:view_fn:v1`. */
export interface ViewFnPayload {
  readonly kind: ViewKind;
  readonly defaultRef?: string;
}

/** Payload of `millrace:coder:user:v1`. */
export interface UserCoderPayload {
  readonly ref: string;
}

/** Payload of the `millrace:env:node_module:v1` environment. */
export type EnvironmentPayload = PipelineOrigin;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes a millrace payload as UTF-8 JSON. */
export function encodeJsonPayload(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Decodes a millrace JSON payload; `what` names it in the error. */
export function decodeJsonPayload<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (e) {
    throw new Error(`malformed ${what} payload: ${(e as Error).message}`, { cause: e });
  }
}
