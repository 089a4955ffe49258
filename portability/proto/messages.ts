/**
 * Typed views of the Beam Runner API messages and the only two functions the
 * rest of millrace uses to turn them into bytes and back.
 *
 * Shape of a decoded message (what {@link decodeMessage} returns):
 * - field names are camelCase (`rootTransformIds`, `uniqueName`, ...);
 * - every scalar field is present with its proto3 default: strings `""`,
 *   bools `false`, numbers `0`, enums as numbers, bytes an empty `Uint8Array`;
 * - repeated fields are arrays (`[]` when empty), maps are plain objects
 *   (`{}` when empty);
 * - int64 fields are JS numbers (values beyond 2^53 are rounded to the
 *   nearest double);
 * - bytes are plain `Uint8Array`s that own their memory (not views into the
 *   input, not Node `Buffer`s);
 * - a singular message field that is not on the wire is `null` (presence
 *   matters: e.g. `AfterEndOfWindow.earlyFirings === null` means "no early
 *   firings", which differs from an empty `Trigger`);
 * - a oneof: only the member that is on the wire is present (absent members
 *   are not keys at all), and the oneof's own name holds the camelCase name
 *   of the set member: `Trigger.trigger`, `TimestampTransform.timestampTransform`,
 *   `StateSpec.spec`, `TestStreamEvent.event`. When nothing is set, neither
 *   the members nor the oneof name are present.
 *
 * When encoding, every field may be omitted or `null`; the oneof name fields
 * are ignored (the member that is set decides). Scalar fields equal to their
 * proto3 default are left off the wire, as the other Beam SDKs do, so
 * `encodeMessage(t, decodeMessage(t, b))` reproduces canonical bytes.
 *
 * @module
 */
import * as protobuf from "protobufjs";
import { BeamTypes, type BeamTypeName } from "./proto_root";

// ---------------------------------------------------------------------------
// Enums (each mirrors `<Name>.Enum` in beam_runner_api.proto)

/** `IsBounded.Enum` */
export const IsBounded = { UNSPECIFIED: 0, UNBOUNDED: 1, BOUNDED: 2 } as const;
export type IsBounded = (typeof IsBounded)[keyof typeof IsBounded];

/** `MergeStatus.Enum` */
export const MergeStatus = { UNSPECIFIED: 0, NON_MERGING: 1, NEEDS_MERGE: 2, ALREADY_MERGED: 3 } as const;
export type MergeStatus = (typeof MergeStatus)[keyof typeof MergeStatus];

/** `AccumulationMode.Enum` */
export const AccumulationMode = { UNSPECIFIED: 0, DISCARDING: 1, ACCUMULATING: 2, RETRACTING: 3 } as const;
export type AccumulationMode = (typeof AccumulationMode)[keyof typeof AccumulationMode];

/** `ClosingBehavior.Enum` */
export const ClosingBehavior = { UNSPECIFIED: 0, EMIT_ALWAYS: 1, EMIT_IF_NONEMPTY: 2 } as const;
export type ClosingBehavior = (typeof ClosingBehavior)[keyof typeof ClosingBehavior];

/** `OnTimeBehavior.Enum` */
export const OnTimeBehavior = { UNSPECIFIED: 0, FIRE_ALWAYS: 1, FIRE_IF_NONEMPTY: 2 } as const;
export type OnTimeBehavior = (typeof OnTimeBehavior)[keyof typeof OnTimeBehavior];

/** `OutputTime.Enum` */
export const OutputTime = { UNSPECIFIED: 0, END_OF_WINDOW: 1, LATEST_IN_PANE: 2, EARLIEST_IN_PANE: 3 } as const;
export type OutputTime = (typeof OutputTime)[keyof typeof OutputTime];

/** `TimeDomain.Enum` */
export const TimeDomain = { UNSPECIFIED: 0, EVENT_TIME: 1, PROCESSING_TIME: 2 } as const;
export type TimeDomain = (typeof TimeDomain)[keyof typeof TimeDomain];

// ---------------------------------------------------------------------------
// Messages (decoded shape)

/** A URN plus its URN-specific payload. */
export interface FunctionSpec {
  urn: string;
  payload: Uint8Array;
}

export interface DisplayData {
  urn: string;
  payload: Uint8Array;
}

export interface Pipeline {
  components: Components | null;
  rootTransformIds: string[];
  displayData: DisplayData[];
  requirements: string[];
}

export interface Components {
  transforms: Record<string, PTransform>;
  pcollections: Record<string, PCollection>;
  windowingStrategies: Record<string, WindowingStrategy>;
  coders: Record<string, Coder>;
  environments: Record<string, Environment>;
}

export interface PTransform {
  spec: FunctionSpec | null;
  subtransforms: string[];
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  uniqueName: string;
  displayData: DisplayData[];
  environmentId: string;
  annotations: Record<string, Uint8Array>;
}

export interface PCollection {
  uniqueName: string;
  coderId: string;
  isBounded: IsBounded;
  windowingStrategyId: string;
  displayData: DisplayData[];
}

export interface Coder {
  spec: FunctionSpec | null;
  componentCoderIds: string[];
}

export interface Environment {
  urn: string;
  payload: Uint8Array;
  displayData: DisplayData[];
  capabilities: string[];
  dependencies: ArtifactInformation[];
  resourceHints: Record<string, Uint8Array>;
}

export interface ArtifactInformation {
  typeUrn: string;
  typePayload: Uint8Array;
  roleUrn: string;
  rolePayload: Uint8Array;
}

export interface WindowingStrategy {
  windowFn: FunctionSpec | null;
  mergeStatus: MergeStatus;
  windowCoderId: string;
  trigger: Trigger | null;
  accumulationMode: AccumulationMode;
  outputTime: OutputTime;
  closingBehavior: ClosingBehavior;
  /** Milliseconds. */
  allowedLateness: number;
  onTimeBehavior: OnTimeBehavior;
  assignsToOneWindow: boolean;
  environmentId: string;
}

/** Name of the set member of `Trigger`'s oneof `trigger`. */
export type TriggerKind =
  | "afterAll"
  | "afterAny"
  | "afterEach"
  | "afterEndOfWindow"
  | "afterProcessingTime"
  | "afterSynchronizedProcessingTime"
  | "default"
  | "elementCount"
  | "never"
  | "orFinally"
  | "repeat"
  | "always";

/** `Trigger`: exactly one member is set; `trigger` names it (see module doc). */
export interface Trigger {
  trigger?: TriggerKind;
  afterAll?: TriggerAfterAll;
  afterAny?: TriggerAfterAny;
  afterEach?: TriggerAfterEach;
  afterEndOfWindow?: TriggerAfterEndOfWindow;
  afterProcessingTime?: TriggerAfterProcessingTime;
  afterSynchronizedProcessingTime?: TriggerEmpty;
  default?: TriggerEmpty;
  elementCount?: TriggerElementCount;
  never?: TriggerEmpty;
  orFinally?: TriggerOrFinally;
  repeat?: TriggerRepeat;
  always?: TriggerEmpty;
}
/** `Trigger.AfterAll` */
export interface TriggerAfterAll {
  subtriggers: Trigger[];
}
/** `Trigger.AfterAny` */
export interface TriggerAfterAny {
  subtriggers: Trigger[];
}
/** `Trigger.AfterEach` */
export interface TriggerAfterEach {
  subtriggers: Trigger[];
}
/** `Trigger.AfterEndOfWindow`; `null` means no early / late firings. */
export interface TriggerAfterEndOfWindow {
  earlyFirings: Trigger | null;
  lateFirings: Trigger | null;
}
/** `Trigger.AfterProcessingTime` */
export interface TriggerAfterProcessingTime {
  timestampTransforms: TimestampTransform[];
}
/** `Trigger.ElementCount` */
export interface TriggerElementCount {
  elementCount: number;
}
/** `Trigger.OrFinally` */
export interface TriggerOrFinally {
  main: Trigger | null;
  finally: Trigger | null;
}
/** `Trigger.Repeat` */
export interface TriggerRepeat {
  subtrigger: Trigger | null;
}
/** Field-less trigger messages: `Default`, `Never`, `Always`, `AfterSynchronizedProcessingTime`. */
export type TriggerEmpty = Record<string, never>;

/** `TimestampTransform`: `timestampTransform` names the set member. */
export interface TimestampTransform {
  timestampTransform?: "delay" | "alignTo";
  delay?: TimestampTransformDelay;
  alignTo?: TimestampTransformAlignTo;
}
/** `TimestampTransform.Delay` */
export interface TimestampTransformDelay {
  delayMillis: number;
}
/** `TimestampTransform.AlignTo` (milliseconds) */
export interface TimestampTransformAlignTo {
  period: number;
  offset: number;
}

export interface ParDoPayload {
  doFn: FunctionSpec | null;
  sideInputs: Record<string, SideInput>;
  stateSpecs: Record<string, StateSpec>;
  restrictionCoderId: string;
  requestsFinalization: boolean;
  timerFamilySpecs: Record<string, TimerFamilySpec>;
  requiresTimeSortedInput: boolean;
  requiresStableInput: boolean;
  onWindowExpirationTimerFamilySpec: string;
}

export interface SideInput {
  accessPattern: FunctionSpec | null;
  viewFn: FunctionSpec | null;
  windowMappingFn: FunctionSpec | null;
}

/** Name of the set member of `StateSpec`'s oneof `spec`. */
export type StateSpecKind =
  | "readModifyWriteSpec"
  | "bagSpec"
  | "combiningSpec"
  | "mapSpec"
  | "setSpec"
  | "orderedListSpec"
  | "multimapSpec";

/** `StateSpec`: one member of the `spec` oneof, plus `protocol`. */
export interface StateSpec {
  spec?: StateSpecKind;
  readModifyWriteSpec?: ReadModifyWriteStateSpec;
  bagSpec?: BagStateSpec;
  combiningSpec?: CombiningStateSpec;
  mapSpec?: MapStateSpec;
  setSpec?: SetStateSpec;
  orderedListSpec?: OrderedListStateSpec;
  multimapSpec?: MultimapStateSpec;
  protocol: FunctionSpec | null;
}
export interface ReadModifyWriteStateSpec {
  coderId: string;
}
export interface BagStateSpec {
  elementCoderId: string;
}
export interface CombiningStateSpec {
  accumulatorCoderId: string;
  combineFn: FunctionSpec | null;
}
export interface MapStateSpec {
  keyCoderId: string;
  valueCoderId: string;
}
export interface SetStateSpec {
  elementCoderId: string;
}
export interface OrderedListStateSpec {
  elementCoderId: string;
}
export interface MultimapStateSpec {
  keyCoderId: string;
  valueCoderId: string;
}

export interface TimerFamilySpec {
  timeDomain: TimeDomain;
  timerFamilyCoderId: string;
}

export interface CombinePayload {
  combineFn: FunctionSpec | null;
  accumulatorCoderId: string;
}

export interface ReadPayload {
  source: FunctionSpec | null;
  isBounded: IsBounded;
}

export interface WindowIntoPayload {
  windowFn: FunctionSpec | null;
}

export interface TestStreamPayload {
  coderId: string;
  events: TestStreamEvent[];
  endpoint: ApiServiceDescriptor | null;
}
/** `TestStreamPayload.Event`: `event` names the set member. */
export interface TestStreamEvent {
  event?: "watermarkEvent" | "processingTimeEvent" | "elementEvent";
  watermarkEvent?: TestStreamAdvanceWatermark;
  processingTimeEvent?: TestStreamAdvanceProcessingTime;
  elementEvent?: TestStreamAddElements;
}
/** `TestStreamPayload.Event.AdvanceWatermark` (millis) */
export interface TestStreamAdvanceWatermark {
  newWatermark: number;
  tag: string;
}
/** `TestStreamPayload.Event.AdvanceProcessingTime` (millis) */
export interface TestStreamAdvanceProcessingTime {
  advanceDuration: number;
}
/** `TestStreamPayload.Event.AddElements` */
export interface TestStreamAddElements {
  elements: TestStreamTimestampedElement[];
  tag: string;
}
/** `TestStreamPayload.TimestampedElement` (timestamp in millis) */
export interface TestStreamTimestampedElement {
  encodedElement: Uint8Array;
  timestamp: number;
}

export interface ApiServiceDescriptor {
  url: string;
  authentication: AuthenticationSpec | null;
}
export interface AuthenticationSpec {
  urn: string;
  payload: Uint8Array;
}

/** `google.protobuf.Duration` */
export interface Duration {
  seconds: number;
  nanos: number;
}
/** `google.protobuf.Timestamp` */
export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** Payload of `beam:window_fn:global_windows:v1` (no fields). */
export type GlobalWindowsPayload = Record<string, never>;
export interface FixedWindowsPayload {
  size: Duration | null;
  offset: Timestamp | null;
}
export interface SlidingWindowsPayload {
  size: Duration | null;
  offset: Timestamp | null;
  period: Duration | null;
}
export interface SessionWindowsPayload {
  gapSize: Duration | null;
}

/** Message name (as accepted by encode/decode) -> decoded TypeScript shape. */
export interface MessageTypes {
  Pipeline: Pipeline;
  Components: Components;
  PTransform: PTransform;
  PCollection: PCollection;
  FunctionSpec: FunctionSpec;
  Coder: Coder;
  Environment: Environment;
  ArtifactInformation: ArtifactInformation;
  DisplayData: DisplayData;
  WindowingStrategy: WindowingStrategy;
  ParDoPayload: ParDoPayload;
  SideInput: SideInput;
  StateSpec: StateSpec;
  TimerFamilySpec: TimerFamilySpec;
  CombinePayload: CombinePayload;
  ReadPayload: ReadPayload;
  WindowIntoPayload: WindowIntoPayload;
  TestStreamPayload: TestStreamPayload;
  Trigger: Trigger;
  TimestampTransform: TimestampTransform;
  ApiServiceDescriptor: ApiServiceDescriptor;
  GlobalWindowsPayload: GlobalWindowsPayload;
  FixedWindowsPayload: FixedWindowsPayload;
  SlidingWindowsPayload: SlidingWindowsPayload;
  SessionWindowsPayload: SessionWindowsPayload;
}

/** Every name `encodeMessage` / `decodeMessage` accept. */
export type MessageTypeName = keyof MessageTypes & BeamTypeName;

/**
 * Input shape for encoding: like the decoded shape, but every field (at any
 * depth) may be omitted or `null`.
 */
export type MessageInit<T> = T extends Uint8Array
  ? Uint8Array
  : T extends readonly (infer E)[]
    ? MessageInit<E>[]
    : T extends object
      ? { [K in keyof T]?: MessageInit<T[K]> | null }
      : T;

// ---------------------------------------------------------------------------
// Errors

/** Thrown by {@link decodeMessage} when the bytes are not a parseable message. */
export class ProtoDecodeError extends Error {
  override readonly name = "ProtoDecodeError";
  /** The message type we tried to decode, e.g. `"Pipeline"`. */
  readonly typeName: string;
  constructor(typeName: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`malformed ${typeName} proto: ${detail}`, { cause });
    this.typeName = typeName;
  }
}

/** Thrown by {@link encodeMessage} when the value does not fit the message type. */
export class ProtoEncodeError extends Error {
  override readonly name = "ProtoEncodeError";
  /** The message type we tried to encode, e.g. `"Pipeline"`. */
  readonly typeName: string;
  constructor(typeName: string, problem: string) {
    super(`invalid ${typeName} proto: ${problem}`);
    this.typeName = typeName;
  }
}

// ---------------------------------------------------------------------------
// Encode / decode

function lookupType(typeName: string): protobuf.Type {
  const type = (BeamTypes as Record<string, protobuf.Type | undefined>)[typeName];
  if (type === undefined || !Object.prototype.hasOwnProperty.call(BeamTypes, typeName)) {
    throw new TypeError(
      `unknown Beam message type ${JSON.stringify(typeName)}; expected one of ${Object.keys(BeamTypes).join(", ")}`,
    );
  }
  return type;
}

function isLongLike(v: unknown): v is { low: number; high: number } {
  return typeof v === "object" && v !== null && typeof (v as { low?: unknown }).low === "number";
}

/** True for proto3 implicit-presence defaults, which canonical encoders omit. */
function isScalarDefault(field: protobuf.Field, v: unknown): boolean {
  if (field.resolvedType instanceof protobuf.Enum) return v === 0;
  switch (field.type) {
    case "string":
      return v === "";
    case "bool":
      return v === false;
    case "bytes":
      return (typeof v === "string" || ArrayBuffer.isView(v)) && (v as { length: number }).length === 0;
    default:
      if (typeof v === "number") return v === 0;
      if (isLongLike(v)) return v.low === 0 && v.high === 0;
      return false;
  }
}

/**
 * Copies `value` keeping only the fields of `type`, dropping nulls and (outside
 * oneofs) proto3 default scalars. Assumes `type.verify(value)` passed.
 */
function canonicalize(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (v === null || v === undefined) continue;
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    if (field.map) {
      const m: Record<string, unknown> = {};
      for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
        m[k] = sub && mv != null ? canonicalize(sub, mv as Record<string, unknown>) : mv;
      }
      if (Object.keys(m).length > 0) out[field.name] = m;
    } else if (field.repeated) {
      const arr = v as unknown[];
      if (arr.length > 0) {
        out[field.name] = sub ? arr.map((e) => canonicalize(sub, (e ?? {}) as Record<string, unknown>)) : arr;
      }
    } else if (sub) {
      out[field.name] = canonicalize(sub, v as Record<string, unknown>);
    } else if (field.partOf !== null || !isScalarDefault(field, v)) {
      // Oneof members keep even default values: being set is the information.
      out[field.name] = v;
    }
  }
  return out;
}

/** Deep copy turning every byte view (Buffer, subarray) into an owning plain Uint8Array. */
function ownBytes(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  if (Array.isArray(v)) return v.map(ownBytes);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = ownBytes(x);
  return out;
}

const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/**
 * Encodes `value` as the Beam message `typeName`. The value is checked with
 * protobufjs's `Type.verify` first; a mismatch throws {@link ProtoEncodeError}
 * (`invalid Pipeline proto: rootTransformIds: array expected`). Proto3
 * default scalars are omitted, so the output is canonical.
 */
export function encodeMessage<K extends MessageTypeName>(typeName: K, value: MessageInit<MessageTypes[K]>): Uint8Array;
export function encodeMessage<T extends object>(typeName: MessageTypeName, value: T): Uint8Array;
export function encodeMessage(typeName: MessageTypeName, value: object): Uint8Array {
  const type = lookupType(typeName);
  if (value === null || typeof value !== "object") {
    throw new ProtoEncodeError(typeName, "object expected");
  }
  const problem = type.verify(value as Record<string, unknown>);
  if (problem !== null) throw new ProtoEncodeError(typeName, problem);
  const message = type.fromObject(canonicalize(type, value as Record<string, unknown>));
  const buf = type.encode(message).finish();
  // Copy: Node's writer may hand back a slice of a shared pool.
  return new Uint8Array(buf);
}

/**
 * Decodes `bytes` as the Beam message `typeName` into a plain object with all
 * defaults filled (see the module doc for the exact shape). Unparseable input
 * throws {@link ProtoDecodeError} (`malformed Pipeline proto: index out of
 * range: ...`). Parsing is syntactic only; whether the graph makes sense is
 * checked elsewhere.
 */
export function decodeMessage<K extends MessageTypeName>(typeName: K, bytes: Uint8Array): MessageTypes[K];
export function decodeMessage<T>(typeName: MessageTypeName, bytes: Uint8Array): T;
export function decodeMessage(typeName: MessageTypeName, bytes: Uint8Array): unknown {
  const type = lookupType(typeName);
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodeMessage(${typeName}): expected a Uint8Array, got ${typeof bytes}`);
  }
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new ProtoDecodeError(typeName, e);
  }
  return ownBytes(type.toObject(message, TO_OBJECT_OPTIONS));
}
