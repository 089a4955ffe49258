/**
 * Beam's standard coder test vectors (shared/beam-model/standard_coders.json),
 * run against the coders built by the registry, byte for byte.
 */
import * as fs from "node:fs";
import { sharedFile } from "../../support/shared_dir";
import { expect } from "chai";
import {
  type Coder,
  type CoderContext,
  ByteReader,
  ByteWriter,
  buildCoder,
  coderUrns,
  coders,
  defaultCoderRegistry,
  paramWindowedValuePayload,
  valuesEqualStructurally,
} from "../../../portability/coders";
import { AtomicType, decodeSchemaProto, type FieldTypeProto, type SchemaProto } from "../../../portability/proto/schema_root";
import { GLOBAL_WINDOW, type BoundedWindow } from "../../../model/windows";
import type { PaneInfo, PaneTiming } from "../../../model/pane";

/** Coder URNs with vectors that millrace deliberately does not implement (yet). */
const NOT_IMPLEMENTED: readonly string[] = [];

interface CoderJson {
  urn: string;
  components?: CoderJson[];
  payload?: string;
  non_deterministic?: boolean;
  state?: Record<string, string>;
}
interface VectorDoc {
  coder: CoderJson;
  nested?: boolean;
  examples: { encoded_hex: string; value: unknown }[];
}

// The vectors are read from shared/ (never copied in); when it cannot be found,
// the first test below fails saying where it looked, and the others have nothing to run.
let vectorsError: Error | undefined;
let VECTORS_TEXT = "[]";
try {
  VECTORS_TEXT = fs.readFileSync(sharedFile(__dirname, "beam-model/standard_coders.json"), "utf8");
} catch (e) {
  vectorsError = e as Error;
}
const DOCS: VectorDoc[] = JSON.parse(VECTORS_TEXT) as VectorDoc[];

const BIGINT_TAG = "\u0000bigint:";
/**
 * JSON.parse, except that integer literals a double cannot hold exactly
 * become bigints: the text is scanned (skipping strings), each such literal
 * is replaced by a tagged string, and a reviver turns those into bigints.
 */
function parseJsonExact(text: string): unknown {
  let out = "";
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      let j = i + 1;
      while (j < text.length && /[-+0-9.eE]/.test(text[j])) j++;
      const literal = text.slice(i, j);
      if (/^-?\d+$/.test(literal) && BigInt(Number(literal)) !== BigInt(literal)) {
        out += text.slice(copied, i) + JSON.stringify(BIGINT_TAG + literal);
        copied = j;
      }
      i = j - 1;
    }
  }
  out += text.slice(copied);
  return JSON.parse(out, (_key, v: unknown) =>
    typeof v === "string" && v.startsWith(BIGINT_TAG) ? BigInt(v.slice(BIGINT_TAG.length)) : v,
  );
}

/**
 * The same documents with exact integers. Row vectors hold int64s beyond 2^53
 * (f_map's 9223372036854775807, millis_instant's -9223370439526721685), so
 * their values come from here; the other coders' conversions below were
 * written for JSON.parse's doubles and keep reading DOCS.
 */
const EXACT_DOCS: VectorDoc[] = parseJsonExact(VECTORS_TEXT) as VectorDoc[];

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function bytesValue(v: unknown): Uint8Array {
  if (typeof v === "string") return utf8(v);
  if (v && typeof v === "object" && "$bytes_hex" in v) return hex((v as { $bytes_hex: string }).$bytes_hex);
  throw new Error(`not a bytes value: ${JSON.stringify(v)}`);
}

const TIMINGS: readonly PaneTiming[] = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"];
function paneValue(p: Record<string, unknown>): PaneInfo {
  const timing = p.timing as PaneTiming;
  if (!TIMINGS.includes(timing)) throw new Error(`bad timing ${String(timing)}`);
  return {
    isFirst: p.is_first as boolean,
    isLast: p.is_last as boolean,
    timing,
    index: p.index as number,
    onTimeIndex: p.on_time_index as number,
  };
}

function windowValue(spec: CoderJson, v: unknown): BoundedWindow {
  return convert(spec, v) as BoundedWindow;
}

/** An int64 from a vector (number, exact bigint, or decimal string): a number when safe, else a bigint. */
function int64Value(v: unknown): number | bigint {
  const big = typeof v === "bigint" ? v : BigInt(v as number | string);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

const LONG_MIN = -(1n << 63n);

/**
 * A row field's vector value in millrace's representation (see
 * portability/coders/standard/row.ts). Bytes are latin1 strings, as Beam's
 * Java test reads them; floats and doubles are decimal strings; map keys are
 * JSON object keys.
 */
function rowFieldValue(type: FieldTypeProto, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type.typeInfo) {
    case "atomicType":
      switch (type.atomicType) {
        case AtomicType.BYTE:
        case AtomicType.INT16:
        case AtomicType.INT32:
          return Number(v);
        case AtomicType.INT64:
          return int64Value(v);
        case AtomicType.FLOAT:
          return Math.fround(typeof v === "number" ? v : parseFloat(v as string));
        case AtomicType.DOUBLE:
          return typeof v === "number" ? v : parseFloat(v as string);
        case AtomicType.STRING:
        case AtomicType.BOOLEAN:
          return v;
        case AtomicType.BYTES:
          return typeof v === "string" ? latin1(v) : bytesValue(v);
        default:
          throw new Error(`no vector conversion for atomic type ${type.atomicType}`);
      }
    case "arrayType":
      return (v as unknown[]).map((e) => rowFieldValue(type.arrayType!.elementType!, e));
    case "iterableType":
      return (v as unknown[]).map((e) => rowFieldValue(type.iterableType!.elementType!, e));
    case "mapType":
      return new Map(
        Object.entries(v as Record<string, unknown>).map(([k, e]) => [
          rowFieldValue(type.mapType!.keyType!, k),
          rowFieldValue(type.mapType!.valueType!, e),
        ]),
      );
    case "rowType":
      return rowValue(type.rowType!.schema!, v);
    case "logicalType": {
      const logical = type.logicalType!;
      // The vector holds the int64 Beam writes (millis + Long.MIN_VALUE, i.e.
      // the 8 bytes read as signed); millrace holds the milliseconds.
      if (logical.urn === "beam:logical_type:millis_instant:v1")
        return int64Value(BigInt.asIntN(64, BigInt(v as number | bigint) - LONG_MIN));
      if (logical.urn === "beam:logical_type:decimal:v1") return v;
      return rowFieldValue(logical.representation!, v);
    }
    default:
      throw new Error(`no vector conversion for field type ${JSON.stringify(type)}`);
  }
}

/** A row's vector value: an object with every schema field, missing ones null. */
function rowValue(schema: SchemaProto, v: unknown): Record<string, unknown> {
  const o = v as Record<string, unknown>;
  const names = new Set(schema.fields.map((f) => f.name));
  const unknown = Object.keys(o).filter((k) => !names.has(k));
  if (unknown.length > 0) throw new Error(`vector has fields not in the schema: ${unknown.join(", ")}`);
  const out: Record<string, unknown> = {};
  for (const f of schema.fields) out[f.name] = rowFieldValue(f.type!, o[f.name]);
  return out;
}

/** Turns a vector's JSON value into millrace's representation for the coder `spec`. */
function convert(spec: CoderJson, v: unknown): unknown {
  const c = spec.components ?? [];
  const o = v as Record<string, unknown>;
  switch (spec.urn) {
    case coderUrns.BYTES:
      return bytesValue(v);
    case coderUrns.STRING_UTF8:
    case coderUrns.BOOL:
    case coderUrns.VARINT:
      return v;
    case coderUrns.DOUBLE:
      return typeof v === "number" ? v : parseFloat(v as string);
    case coderUrns.KV:
      return { key: convert(c[0], o.key), value: convert(c[1], o.value) };
    case coderUrns.ITERABLE:
    case coderUrns.STATE_BACKED_ITERABLE:
      return (v as unknown[]).map((e) => convert(c[0], e));
    case coderUrns.GLOBAL_WINDOW:
      return GLOBAL_WINDOW;
    case coderUrns.INTERVAL_WINDOW: {
      // Exact int64 arithmetic: ends near Beam's bounds are beyond 2^53.
      const end = BigInt(o.end as number);
      return { start: Number(end - BigInt(o.span as number)), end: Number(end) };
    }
    case coderUrns.CUSTOM_WINDOW:
      return convert(c[0], o.window);
    case coderUrns.WINDOWED_VALUE:
    case coderUrns.PARAM_WINDOWED_VALUE:
      return {
        value: convert(c[0], o.value),
        timestamp: o.timestamp,
        windows: (o.windows as unknown[]).map((w) => windowValue(c[1], w)),
        pane: paneValue(o.pane as Record<string, unknown>),
      };
    case coderUrns.TIMER: {
      const t: Record<string, unknown> = {
        userKey: convert(c[0], o.userKey),
        dynamicTimerTag: o.dynamicTimerTag,
        windows: (o.windows as unknown[]).map((w) => windowValue(c[1], w)),
        clearBit: o.clearBit,
      };
      if (!o.clearBit) {
        t.fireTimestamp = o.fireTimestamp;
        t.holdTimestamp = o.holdTimestamp;
        t.pane = paneValue(o.pane as Record<string, unknown>);
      }
      return t;
    }
    case coderUrns.SHARDED_KEY:
      return { shardId: bytesValue(o.shardId), key: convert(c[0], o.key) };
    case coderUrns.NULLABLE:
      return v === null ? null : convert(c[0], v);
    case coderUrns.LENGTH_PREFIX:
      return convert(c[0], v);
    case coderUrns.ROW:
      return rowValue(decodeSchemaProto(latin1(spec.payload!)), v);
    default:
      throw new Error(`no value conversion for ${spec.urn}`);
  }
}

function build(spec: CoderJson): Coder {
  const stateEntries = spec.state ?? {};
  return buildCoder(
    {
      urn: spec.urn,
      payload: spec.payload === undefined ? undefined : latin1(spec.payload),
      components: (spec.components ?? []).map(build),
    },
    {
      stateReader: (token) => {
        const key = Buffer.from(token).toString("latin1");
        const data = stateEntries[key];
        if (data === undefined) throw new Error(`no state for token ${JSON.stringify(key)}`);
        return latin1(data);
      },
    },
  );
}

function describeSpec(spec: CoderJson): string {
  const inner = (spec.components ?? []).map(describeSpec).join(", ");
  const name = spec.urn.replace(/^beam:coder:/, "").replace(/:v1$/, "");
  return inner ? `${name}(${inner})` : name;
}

function encode(coder: Coder, value: unknown, context: CoderContext): Uint8Array {
  const w = new ByteWriter(8); // tiny on purpose: exercises growth
  coder.encode(value, w, context);
  return w.finish();
}

function decode(coder: Coder, bytes: Uint8Array, context: CoderContext): unknown {
  const r = new ByteReader(bytes);
  const v = coder.decode(r, context);
  expect(r.remaining, "bytes left unread").to.equal(0);
  return v;
}

describe("standard coders: Beam test vectors", () => {
  it("finds all 42 vector documents", () => {
    if (vectorsError) throw vectorsError;
    expect(DOCS).to.have.length(42);
  });

  it("implements every coder that has vectors, except the ones listed in NOT_IMPLEMENTED", () => {
    const missing = [...new Set(DOCS.map((d) => d.coder.urn))].filter(
      (urn) => !defaultCoderRegistry.has(urn) && !NOT_IMPLEMENTED.includes(urn),
    );
    expect(missing).to.deep.equal([]);
    const stale = NOT_IMPLEMENTED.filter((urn) => defaultCoderRegistry.has(urn));
    expect(stale, "implemented but still listed as NOT_IMPLEMENTED").to.deep.equal([]);
  });

  DOCS.forEach((doc, docIndex) => {
    if (NOT_IMPLEMENTED.includes(doc.coder.urn)) return;
    const contexts: CoderContext[] = doc.nested === undefined ? ["nested", "outer"] : [doc.nested ? "nested" : "outer"];
    const deterministicVectors = !doc.coder.non_deterministic;
    describe(`#${docIndex} ${describeSpec(doc.coder)}${doc.coder.non_deterministic ? " (decode only)" : ""}`, () => {
      doc.examples.forEach((example, i) => {
        for (const context of contexts) {
          it(`example ${i} (${context}): ${example.encoded_hex.slice(0, 40)}`, () => {
            const coder = build(doc.coder);
            const source = doc.coder.urn === coderUrns.ROW ? EXACT_DOCS[docIndex].examples[i].value : example.value;
            const value = convert(doc.coder, source);
            const bytes = hex(example.encoded_hex);
            if (deterministicVectors) {
              expect(toHex(encode(coder, value, context))).to.equal(example.encoded_hex);
            }
            const decoded = decode(coder, bytes, context);
            expect(decoded).to.deep.equal(value);
            expect(valuesEqualStructurally(decoded, value)).to.equal(true);
          });
        }
      });
    });
  });
});

describe("standard coders: beyond the vectors", () => {
  it("paramWindowedValuePayload reproduces Beam's payloads", () => {
    for (const doc of DOCS.filter((d) => d.coder.urn === coderUrns.PARAM_WINDOWED_VALUE)) {
      const spec = doc.coder;
      const meta = convert(spec, doc.examples[0].value) as { timestamp: number; windows: BoundedWindow[]; pane: PaneInfo };
      const windowCoder = build(spec.components![1]) as Coder<BoundedWindow>;
      expect(toHex(paramWindowedValuePayload(windowCoder, meta))).to.equal(toHex(latin1(spec.payload!)));
    }
    expect(coders.globalWindow().urn).to.equal(coderUrns.GLOBAL_WINDOW);
  });

  it("round-trips panes of every shape", () => {
    const c = buildCoder({
      urn: coderUrns.WINDOWED_VALUE,
      components: [buildCoder({ urn: coderUrns.VARINT, components: [] }), buildCoder({ urn: coderUrns.INTERVAL_WINDOW, components: [] })],
    });
    const panes: PaneInfo[] = [
      { isFirst: true, isLast: false, timing: "EARLY", index: 0, onTimeIndex: 0 },
      { isFirst: false, isLast: false, timing: "EARLY", index: 3, onTimeIndex: 0 },
      { isFirst: false, isLast: false, timing: "ON_TIME", index: 4, onTimeIndex: 0 },
      { isFirst: false, isLast: true, timing: "LATE", index: 7, onTimeIndex: 2 },
      { isFirst: false, isLast: false, timing: "LATE", index: 5, onTimeIndex: 5 },
    ];
    for (const pane of panes) {
      const wv = { value: 1, timestamp: -5, windows: [{ start: -10, end: 10 }], pane };
      expect(decode(c, encode(c, wv, "outer"), "outer")).to.deep.equal(wv);
    }
    const early = encode(c, { value: 1, timestamp: 0, windows: [], pane: panes[1] }, "outer");
    expect(toHex(early.subarray(12))).to.equal("100301"); // one index for early panes, as Beam's SDKs write
  });
});
