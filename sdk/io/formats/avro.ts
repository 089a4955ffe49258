/**
 * Avro object container files (Avro 1.11 spec, "Object Container Files").
 * `avsc` encodes and decodes the records, the header and the block framing
 * (its own `Type`s); the framing itself is assembled here because avsc's
 * container-file API is stream-based (asynchronous) and the harness runs
 * user code and sinks synchronously. Codecs: `null`, `deflate` and
 * `zstandard` (the `compression` option: none, deflate, zstd).
 */
import * as zlib from "node:zlib";
import { randomBytes } from "node:crypto";
import * as avro from "avsc";
import type { FileDecoder, RecordEncoder } from "./file_format";
import { compress, decompress, type Compression } from "./compression";

/** Avro's container header (magic, metadata map, sync marker), as the spec gives it. */
const HEADER = avro.Type.forSchema({
  type: "record",
  name: "org.apache.avro.file.Header",
  fields: [
    { name: "magic", type: { type: "fixed", name: "Magic", size: 4 } },
    { name: "meta", type: { type: "map", values: "bytes" } },
    { name: "sync", type: { type: "fixed", name: "Sync", size: 16 } },
  ],
});
const LONG = avro.Type.forSchema("long");
const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1

/** Records per block of a written file. */
const BLOCK_RECORDS = 4096;

/** The codec name a compression has in an Avro file. */
export function avroCodec(compression: Compression): string {
  switch (compression) {
    case "none":
      return "null";
    case "deflate":
      return "deflate";
    case "zstd":
      return "zstandard";
    case "gzip":
      throw new TypeError(`writeAvro: Avro has no gzip codec; use compression "deflate" or "zstd" (or "none")`);
  }
}

function compressBlock(bytes: Buffer, codec: string): Uint8Array {
  if (codec === "null") return bytes;
  if (codec === "deflate") return zlib.deflateRawSync(bytes);
  return compress(bytes, "zstd");
}

function decompressBlock(bytes: Buffer, codec: string, file: string): Buffer {
  if (codec === "null") return bytes;
  if (codec === "deflate") return zlib.inflateRawSync(bytes);
  if (codec === "zstandard") return decompress(bytes, "zstd", file);
  throw new Error(`readAvro: '${file}' uses the Avro codec '${codec}', which is not supported (null, deflate and zstandard are)`);
}

/** @internal The Avro type of a schema option; an invalid schema is refused naming the transform. */
export function avroType(what: string, schema: unknown): avro.Type {
  try {
    return avro.Type.forSchema(schema as avro.Schema);
  } catch (e) {
    throw new TypeError(`${what}: invalid Avro schema: ${(e as Error).message}`, { cause: e });
  }
}

/** Why `record` does not fit `type`: the paths of the fields that are wrong. */
function invalidPaths(type: avro.Type, record: unknown): string {
  const paths: string[] = [];
  type.isValid(record, { errorHook: (path: string[]) => paths.push(path.length === 0 ? "(the record)" : path.join(".")) });
  return paths.join(", ");
}

/** The encoder of `writeAvro`: records in blocks of {@link BLOCK_RECORDS}, written as one file at the end. */
export function avroEncoder(schema: unknown, compression: Compression): RecordEncoder {
  const type = avroType("writeAvro", schema);
  const codec = avroCodec(compression);
  const sync = randomBytes(16);
  const parts: Uint8Array[] = [
    HEADER.toBuffer({
      magic: MAGIC,
      meta: { "avro.schema": Buffer.from(JSON.stringify(type.schema())), "avro.codec": Buffer.from(codec) },
      sync,
    }),
  ];
  let block: Buffer[] = [];
  const flush = (): void => {
    if (block.length === 0) return;
    const body = compressBlock(Buffer.concat(block), codec);
    parts.push(LONG.toBuffer(block.length), LONG.toBuffer(body.length), body, sync);
    block = [];
  };
  return {
    write(record) {
      if (!type.isValid(record)) throw new TypeError(`writeAvro: the element does not match the schema (at ${invalidPaths(type, record)})`);
      block.push(type.toBuffer(record));
      if (block.length >= BLOCK_RECORDS) flush();
      return undefined;
    },
    finish() {
      flush();
      const bytes = Buffer.concat(parts);
      parts.length = 0;
      return bytes;
    },
  };
}

/** Reads one value of `type` at `pos`, or throws naming the file: the file ends early or is not what its header says. */
function readAt(type: avro.Type, bytes: Buffer, pos: number, file: string, what: string): { value: unknown; offset: number } {
  let r: { value: unknown; offset: number };
  try {
    r = type.decode(bytes, pos);
  } catch (e) {
    throw new Error(`readAvro: '${file}' is corrupt: cannot decode ${what} at byte ${pos}: ${(e as Error).message}`, { cause: e });
  }
  if (r.offset < 0) throw new Error(`readAvro: '${file}' is truncated: it ends inside ${what} at byte ${pos}`);
  return r;
}

/**
 * The decoder of `readAvro`: every record of every block, decoded with the
 * writer's schema from the file's header. A file that is not an Avro
 * container (wrong magic), or whose blocks are cut short or do not end with
 * the header's sync marker, is refused naming the file.
 */
export const decodeAvro: FileDecoder = (bytes, file, out) => {
  if (bytes.length < 4 || !bytes.subarray(0, 4).equals(MAGIC))
    throw new Error(`readAvro: '${file}' is not an Avro object container file (no 'Obj\\x01' magic)`);
  const header = readAt(HEADER, bytes, 0, file, "the header");
  const { meta, sync } = header.value as { meta: Record<string, Buffer>; sync: Buffer };
  const schemaBytes = meta["avro.schema"];
  if (!schemaBytes) throw new Error(`readAvro: '${file}' has no avro.schema in its header`);
  const type = avroType(`readAvro: '${file}'`, JSON.parse(schemaBytes.toString("utf8")));
  const codec = meta["avro.codec"]?.toString("utf8") ?? "null";
  let pos = header.offset;
  while (pos < bytes.length) {
    const count = readAt(LONG, bytes, pos, file, "a block's record count");
    const size = readAt(LONG, bytes, count.offset, file, "a block's size");
    const start = size.offset;
    const end = start + (size.value as number);
    if (end + 16 > bytes.length) throw new Error(`readAvro: '${file}' is truncated: a block at byte ${pos} runs past the end of the file`);
    if (!bytes.subarray(end, end + 16).equals(sync))
      throw new Error(`readAvro: '${file}' is corrupt: the block at byte ${pos} does not end with the file's sync marker`);
    const body = decompressBlock(bytes.subarray(start, end), codec, file);
    let at = 0;
    for (let i = 0; i < (count.value as number); i++) {
      const r = readAt(type, body, at, file, `record ${i + 1} of the block at byte ${pos}`);
      out.record(r.value);
      at = r.offset;
    }
    pos = end + 16;
  }
};
