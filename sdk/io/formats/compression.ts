/**
 * Whole-file compression for every file format: gzip, deflate (zlib) and
 * zstd. Reads detect it from the file name's extension; writes choose it
 * with the `compression` option and add the extension to the names.
 *
 * zstd comes from `zstd-napi` (this Node's zlib has no zstd before 22.15),
 * loaded only when a zstd file is read or written.
 */
import * as zlib from "node:zlib";

/** How a written file is compressed (`"none"`: not at all). */
export type Compression = "none" | "gzip" | "deflate" | "zstd";

/** The compressions a write accepts. */
export const COMPRESSIONS: readonly Compression[] = ["none", "gzip", "deflate", "zstd"];

/** The extension each compression adds to file names (and is detected by on read). */
export const COMPRESSION_EXTENSIONS: Readonly<Record<Exclude<Compression, "none">, string>> = {
  gzip: ".gz",
  deflate: ".deflate",
  zstd: ".zst",
};

/** The compression a file's name says it has: `.gz`, `.deflate` / `.zz`, `.zst` / `.zstd`; otherwise none. */
export function compressionOf(file: string): Compression {
  const lower = file.toLowerCase();
  if (lower.endsWith(".gz") || lower.endsWith(".gzip")) return "gzip";
  if (lower.endsWith(".deflate") || lower.endsWith(".zz")) return "deflate";
  if (lower.endsWith(".zst") || lower.endsWith(".zstd")) return "zstd";
  return "none";
}

interface Zstd {
  compress(data: Uint8Array): Buffer;
  decompress(data: Uint8Array): Buffer;
}

let zstdModule: Zstd | undefined;

function zstd(): Zstd {
  if (!zstdModule) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      zstdModule = require("zstd-napi") as Zstd;
    } catch (e) {
      throw new Error(`zstd compression needs the 'zstd-napi' package, which did not load: ${(e as Error).message}`, { cause: e });
    }
  }
  return zstdModule;
}

/** `bytes` compressed with `compression`. */
export function compress(bytes: Uint8Array, compression: Compression): Uint8Array {
  switch (compression) {
    case "none":
      return bytes;
    case "gzip":
      return zlib.gzipSync(bytes);
    case "deflate":
      return zlib.deflateSync(bytes);
    case "zstd":
      return zstd().compress(bytes);
  }
}

/** The bytes of a file compressed with `compression`; a corrupt stream throws naming the file. */
export function decompress(bytes: Uint8Array, compression: Compression, file: string): Buffer {
  try {
    switch (compression) {
      case "none":
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      case "gzip":
        return zlib.gunzipSync(bytes);
      case "deflate":
        return zlib.inflateSync(bytes);
      case "zstd":
        return zstd().decompress(bytes);
    }
  } catch (e) {
    throw new Error(`'${file}' is not a valid ${compression} file (its name says ${compression}): ${(e as Error).message}`, { cause: e });
  }
}
