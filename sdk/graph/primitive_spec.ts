/**
 * What a transform is, in the terms the portable proto needs. Composites
 * without a spec are plain groupings of their parts; composites with one
 * (combine, reshuffle, write files) carry a standard URN so runners can
 * replace their expansion with a native implementation.
 */
import type { FormatSpec } from "../io/formats/format_spec";
import type { Compression } from "../io/formats/compression";
import type { KafkaSinkPayload } from "../io/kafka/kafka_sink_payload";
import type { Coder } from "../../portability/coders/coder";
import type { PCollection } from "../pcollection";
import type { WindowingStrategy } from "../windowing/windowing_strategy";
import type { StateSpec } from "../state/state_specs";
import type { TimerSpec } from "../state/timer_specs";

/** How a ParDo's function is invoked: specialised shapes run faster than a general DoFn. */
export type DoFnShape = "map" | "flatMap" | "filter" | "dofn" | "create" | "splittable";

/** The four views a side input can be read as. */
export type ViewKind = "singleton" | "iterable" | "map" | "multimap";

/** A side input of a ParDo. */
export interface SideInputSpec {
  readonly pcollection: PCollection<unknown>;
  readonly view: ViewKind;
  /** Reference to the singleton's default value, when one was given. */
  readonly defaultRef?: string;
}

/** One event of a TestStream, as the SDK records it. */
export type TestStreamEventSpec =
  | { readonly kind: "elements"; readonly elements: readonly { readonly value: unknown; readonly timestamp: number }[] }
  | { readonly kind: "watermark"; readonly watermark: number }
  | { readonly kind: "processingTime"; readonly advanceMs: number };

/** The spec of a transform node. */
export type PrimitiveSpec =
  | { readonly kind: "impulse" }
  | {
      readonly kind: "pardo";
      /** Reference of the function in the user code registry. */
      readonly fnRef: string;
      readonly shape: DoFnShape;
      readonly sideInputs: Readonly<Record<string, SideInputSpec>>;
      /** Output tags besides "main", in declaration order. */
      readonly additionalOutputs: readonly string[];
      /** Library code allowed to move timestamps backwards without limit (e.g. restoring reified timestamps). */
      readonly allowsTimestampSkew?: boolean;
      /** How far (ms) the DoFn may move a timestamp backwards (Beam's allowed timestamp skew); default 0. */
      readonly allowedTimestampSkewMs?: number;
      /** Declared state cells of a stateful DoFn, with the references of their CombineFns. */
      readonly state?: Readonly<Record<string, { readonly spec: StateSpec; readonly combineFnRef?: string }>>;
      /** Declared timers of a stateful DoFn. */
      readonly timers?: Readonly<Record<string, TimerSpec>>;
      /** The key coder of a stateful DoFn's KV input. */
      readonly keyCoder?: Coder<unknown>;
      /** The restriction coder of a splittable DoFn (Beam's `ParDoPayload.restriction_coder_id`). */
      readonly restrictionCoder?: Coder<unknown>;
      /** A Create's number of values, written into the proto so that workers split it without its values. */
      readonly createCount?: number;
    }
  | { readonly kind: "groupByKey" }
  | { readonly kind: "flatten" }
  | { readonly kind: "windowInto"; readonly windowing: WindowingStrategy }
  | { readonly kind: "combinePerKey"; readonly combineFnRef: string; readonly accumulatorCoder: Coder }
  | { readonly kind: "combineGlobally"; readonly combineFnRef: string; readonly accumulatorCoder: Coder }
  | { readonly kind: "reshuffle" }
  /** A TestStream: its events, with elements encoded by the output's coder. */
  | { readonly kind: "testStream"; readonly events: readonly TestStreamEventSpec[] }
  /** `io.writeText`'s composite: which files it writes, for runners that write them natively. */
  | { readonly kind: "writeFiles"; readonly sink: FileSinkSpec }
  /** `io.kafka.write`'s sink composite: where and how it publishes, for runners that write Kafka natively. */
  | { readonly kind: "kafkaWrite"; readonly sink: KafkaSinkPayload };

/** What a file write's native sink needs: where files go, how many shards a bounded write makes, and (all but text) the format. */
export interface FileSinkSpec {
  readonly prefix: string;
  readonly numShards: number;
  readonly suffix: string;
  /** The file format; absent for text. */
  readonly format?: FormatSpec;
  /** Whole-file compression (line formats) or the format's codec (Avro, Parquet); absent for none. */
  readonly compression?: Compression;
  /** Elements arrive as KV<shard key, element> (see `write_files.ts`): one file per key per unit of commit. */
  readonly keyed?: boolean;
}
