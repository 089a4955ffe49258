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

/**
 * `IsBounded.Enum`: Whether a PCollection or source is finite.
 * @enum
 */
export const IsBounded = { UNSPECIFIED: 0, UNBOUNDED: 1, BOUNDED: 2 } as const;
/** One of the values of {@link IsBounded}, as decoded (a number). */
export type IsBounded = (typeof IsBounded)[keyof typeof IsBounded];

/**
 * `MergeStatus.Enum`: Whether a window function's windows merge, and whether merging already happened.
 * @enum
 */
export const MergeStatus = { UNSPECIFIED: 0, NON_MERGING: 1, NEEDS_MERGE: 2, ALREADY_MERGED: 3 } as const;
/** One of the values of {@link MergeStatus}, as decoded (a number). */
export type MergeStatus = (typeof MergeStatus)[keyof typeof MergeStatus];

/**
 * `AccumulationMode.Enum`: Whether later panes of a window repeat the elements of earlier ones.
 * @enum
 */
export const AccumulationMode = { UNSPECIFIED: 0, DISCARDING: 1, ACCUMULATING: 2, RETRACTING: 3 } as const;
/** One of the values of {@link AccumulationMode}, as decoded (a number). */
export type AccumulationMode = (typeof AccumulationMode)[keyof typeof AccumulationMode];

/**
 * `ClosingBehavior.Enum`: Whether the final pane of a window fires when it has no new elements.
 * @enum
 */
export const ClosingBehavior = { UNSPECIFIED: 0, EMIT_ALWAYS: 1, EMIT_IF_NONEMPTY: 2 } as const;
/** One of the values of {@link ClosingBehavior}, as decoded (a number). */
export type ClosingBehavior = (typeof ClosingBehavior)[keyof typeof ClosingBehavior];

/**
 * `OnTimeBehavior.Enum`: Whether the on-time pane fires when it has no new elements.
 * @enum
 */
export const OnTimeBehavior = { UNSPECIFIED: 0, FIRE_ALWAYS: 1, FIRE_IF_NONEMPTY: 2 } as const;
/** One of the values of {@link OnTimeBehavior}, as decoded (a number). */
export type OnTimeBehavior = (typeof OnTimeBehavior)[keyof typeof OnTimeBehavior];

/**
 * `OutputTime.Enum`: Which timestamp the output of a grouping gets.
 * @enum
 */
export const OutputTime = { UNSPECIFIED: 0, END_OF_WINDOW: 1, LATEST_IN_PANE: 2, EARLIEST_IN_PANE: 3 } as const;
/** One of the values of {@link OutputTime}, as decoded (a number). */
export type OutputTime = (typeof OutputTime)[keyof typeof OutputTime];

/**
 * `TimeDomain.Enum`: The clock a timer follows.
 * @enum
 */
export const TimeDomain = { UNSPECIFIED: 0, EVENT_TIME: 1, PROCESSING_TIME: 2 } as const;
/** One of the values of {@link TimeDomain}, as decoded (a number). */
export type TimeDomain = (typeof TimeDomain)[keyof typeof TimeDomain];

// ---------------------------------------------------------------------------
// Messages (decoded shape)

/** A URN plus its URN-specific payload. */
export interface FunctionSpec {
  /** Identifies what the function is, e.g. `beam:transform:pardo:v1`. */
  urn: string;
  /** URN-specific parameters; empty when the URN needs none. */
  payload: Uint8Array;
}

/** `DisplayData`: one item of display data, a URN and its payload. */
export interface DisplayData {
  /** The kind of display data, e.g. `beam:display_data:labelled:v1`. */
  urn: string;
  /** The URN-specific encoded value. */
  payload: Uint8Array;
}

/** `Pipeline`: the whole portable pipeline, as a runner receives it. */
export interface Pipeline {
  /** The graph's nodes; never null in a valid pipeline. */
  components: Components | null;
  /** Ids of the outermost transforms, in the order they were applied. */
  rootTransformIds: string[];
  /** Display data for the pipeline as a whole. */
  displayData: DisplayData[];
  /** URNs of features a runner must support to run the pipeline correctly; a runner that does not know one must refuse it. */
  requirements: string[];
}

/** `Components`: every node of the pipeline graph, each map keyed by id. */
export interface Components {
  /** All transforms, composites and leaves alike. */
  transforms: Record<string, PTransform>;
  /** All PCollections. */
  pcollections: Record<string, PCollection>;
  /** All windowing strategies that PCollections refer to. */
  windowingStrategies: Record<string, WindowingStrategy>;
  /** All coders that PCollections, windowing strategies and other coders refer to. */
  coders: Record<string, Coder>;
  /** All environments that transforms refer to. */
  environments: Record<string, Environment>;
}

/** `PTransform`: one transform, composite or leaf. */
export interface PTransform {
  /** URN and payload of what the transform does; null for a composite that is only a grouping. */
  spec: FunctionSpec | null;
  /** Ids of the parts of a composite; empty for a leaf. */
  subtransforms: string[];
  /** Local input name to PCollection id. */
  inputs: Record<string, string>;
  /** Local output name (the tag, `"main"` for the main output) to PCollection id. */
  outputs: Record<string, string>;
  /** The full slash-separated name the transform was applied with; unique in the pipeline. */
  uniqueName: string;
  /** Display data for the transform. */
  displayData: DisplayData[];
  /** Environment that runs the transform's user code; empty for transforms the runner executes itself. */
  environmentId: string;
  /** Free-form annotations by key. */
  annotations: Record<string, Uint8Array>;
}

/** `PCollection`: one collection of elements, with how to code and window them. */
export interface PCollection {
  /** A name unique in the pipeline, derived from the producing transform's. */
  uniqueName: string;
  /** Id of the coder of the elements. */
  coderId: string;
  /** Whether the collection is finite. */
  isBounded: IsBounded;
  /** Id of the windowing strategy. */
  windowingStrategyId: string;
  /** Display data for the collection. */
  displayData: DisplayData[];
}

/** `Coder`: a coder's URN and payload plus the ids of its component coders. */
export interface Coder {
  /** URN and payload of the coder. */
  spec: FunctionSpec | null;
  /** Ids of the component coders, in order (e.g. key coder, then value coder). */
  componentCoderIds: string[];
}

/** `Environment`: where user code runs and what it needs there. */
export interface Environment {
  /** The kind of environment, e.g. millrace's `millrace:env:node_module:v1`. */
  urn: string;
  /** URN-specific description of the environment. */
  payload: Uint8Array;
  /** Display data for the environment. */
  displayData: DisplayData[];
  /** URNs of the features the environment's SDK supports. */
  capabilities: string[];
  /** Artifacts the environment needs staged. */
  dependencies: ArtifactInformation[];
  /** Resource hints (memory, accelerators...) by URN. */
  resourceHints: Record<string, Uint8Array>;
}

/** `ArtifactInformation`: a file or package an environment depends on. */
export interface ArtifactInformation {
  /** How to fetch the artifact, e.g. from a file or a URL. */
  typeUrn: string;
  /** Parameters for `typeUrn`, e.g. the path. */
  typePayload: Uint8Array;
  /** What the artifact is for, e.g. a file to stage under a name. */
  roleUrn: string;
  /** Parameters for `roleUrn`. */
  rolePayload: Uint8Array;
}

/** `WindowingStrategy`: how a PCollection's elements are windowed and when panes fire. */
export interface WindowingStrategy {
  /** The window function: a `beam:window_fn:...` URN and its payload. */
  windowFn: FunctionSpec | null;
  /** Whether windows merge (sessions do) and whether merging has already happened. */
  mergeStatus: MergeStatus;
  /** Id of the coder of the windows. */
  windowCoderId: string;
  /** When panes fire. */
  trigger: Trigger | null;
  /** Whether a pane repeats the elements of earlier panes of the window. */
  accumulationMode: AccumulationMode;
  /** Which timestamp grouped outputs get. */
  outputTime: OutputTime;
  /** Whether the final pane fires when it has no new elements. */
  closingBehavior: ClosingBehavior;
  /** Milliseconds. */
  allowedLateness: number;
  /** Whether the on-time pane fires when it has no new elements. */
  onTimeBehavior: OnTimeBehavior;
  /** True when every element lands in exactly one window (fixed windows, not sliding ones). */
  assignsToOneWindow: boolean;
  /** Environment of the window function, when it is user code. */
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
  /** Name of the member that is set. */
  trigger?: TriggerKind;
  /** Fires once every subtrigger has fired. */
  afterAll?: TriggerAfterAll;
  /** Fires once any subtrigger has fired. */
  afterAny?: TriggerAfterAny;
  /** Fires as each subtrigger in turn. */
  afterEach?: TriggerAfterEach;
  /** Fires when the watermark passes the end of the window, with optional early and late firings. */
  afterEndOfWindow?: TriggerAfterEndOfWindow;
  /** Fires a processing-time delay after the first element. */
  afterProcessingTime?: TriggerAfterProcessingTime;
  /** Runner-internal processing-time trigger, synchronized across workers. */
  afterSynchronizedProcessingTime?: TriggerEmpty;
  /** Beam's default: once at the end of the window, then once per late element. */
  default?: TriggerEmpty;
  /** Fires after a number of elements. */
  elementCount?: TriggerElementCount;
  /** Never fires; the window's content is emitted only when it expires. */
  never?: TriggerEmpty;
  /** Fires as `main` until `finally` fires, then finishes. */
  orFinally?: TriggerOrFinally;
  /** Fires as its subtrigger, forever. */
  repeat?: TriggerRepeat;
  /** Fires for every element. */
  always?: TriggerEmpty;
}
/** `Trigger.AfterAll` */
export interface TriggerAfterAll {
  /** The triggers that must all fire. */
  subtriggers: Trigger[];
}
/** `Trigger.AfterAny` */
export interface TriggerAfterAny {
  /** The triggers of which one must fire. */
  subtriggers: Trigger[];
}
/** `Trigger.AfterEach` */
export interface TriggerAfterEach {
  /** The triggers to run, in order. */
  subtriggers: Trigger[];
}
/** `Trigger.AfterEndOfWindow`; `null` means no early / late firings. */
export interface TriggerAfterEndOfWindow {
  /** Fires before the watermark reaches the end of the window; null for none. */
  earlyFirings: Trigger | null;
  /** Fires for late elements; null for none. */
  lateFirings: Trigger | null;
}
/** `Trigger.AfterProcessingTime` */
export interface TriggerAfterProcessingTime {
  /** Applied in order to the first element's arrival time to get the firing time. */
  timestampTransforms: TimestampTransform[];
}
/** `Trigger.ElementCount` */
export interface TriggerElementCount {
  /** How many elements the pane needs before it fires. */
  elementCount: number;
}
/** `Trigger.OrFinally` */
export interface TriggerOrFinally {
  /** The trigger that fires panes. */
  main: Trigger | null;
  /** The trigger that, once it fires, finishes the whole trigger. */
  finally: Trigger | null;
}
/** `Trigger.Repeat` */
export interface TriggerRepeat {
  /** The trigger to repeat. */
  subtrigger: Trigger | null;
}
/** Field-less trigger messages: `Default`, `Never`, `Always`, `AfterSynchronizedProcessingTime`. */
export type TriggerEmpty = Record<string, never>;

/** `TimestampTransform`: `timestampTransform` names the set member. */
export interface TimestampTransform {
  /** Name of the member that is set. */
  timestampTransform?: "delay" | "alignTo";
  /** Adds a fixed delay. */
  delay?: TimestampTransformDelay;
  /** Rounds up to the next point of a grid. */
  alignTo?: TimestampTransformAlignTo;
}
/** `TimestampTransform.Delay` */
export interface TimestampTransformDelay {
  /** The delay, in milliseconds. */
  delayMillis: number;
}
/** `TimestampTransform.AlignTo` (milliseconds) */
export interface TimestampTransformAlignTo {
  /** Spacing of the grid. */
  period: number;
  /** Where the grid starts, relative to the epoch. */
  offset: number;
}

/** `ParDoPayload`: what a ParDo runs and what the runner must provide for it. */
export interface ParDoPayload {
  /** The DoFn; millrace's use `millrace:dofn:v1` with a JSON payload that refers to the user code. */
  doFn: FunctionSpec | null;
  /** Side inputs, by local input name. */
  sideInputs: Record<string, SideInput>;
  /** State cells the DoFn declares, by id. */
  stateSpecs: Record<string, StateSpec>;
  /** Coder of restrictions, for splittable DoFns; empty otherwise. */
  restrictionCoderId: string;
  /** True when the DoFn asks to be called back after its bundle's output is committed. */
  requestsFinalization: boolean;
  /** Timer families the DoFn declares, by id. */
  timerFamilySpecs: Record<string, TimerFamilySpec>;
  /** True when the DoFn needs its input sorted by timestamp. */
  requiresTimeSortedInput: boolean;
  /** True when the DoFn needs the same input replayed on retry. */
  requiresStableInput: boolean;
  /** Id of the timer family that fires when a window expires; empty for none. */
  onWindowExpirationTimerFamilySpec: string;
}

/** `SideInput`: how a ParDo reads one side input. */
export interface SideInput {
  /** How the runner serves the data: `beam:side_input:iterable:v1` or `beam:side_input:multimap:v1`. */
  accessPattern: FunctionSpec | null;
  /** Turns what the runner serves into the view the user code reads. */
  viewFn: FunctionSpec | null;
  /** Maps a main-input window to the side-input window to read. */
  windowMappingFn: FunctionSpec | null;
}

/** Name of the set member of `StateSpec`'s oneof `spec`. */
export type StateSpecKind =
  "readModifyWriteSpec" | "bagSpec" | "combiningSpec" | "mapSpec" | "setSpec" | "orderedListSpec" | "multimapSpec";

/** `StateSpec`: one member of the `spec` oneof, plus `protocol`. */
export interface StateSpec {
  /** Name of the member that is set. */
  spec?: StateSpecKind;
  /** A single value. */
  readModifyWriteSpec?: ReadModifyWriteStateSpec;
  /** An unordered bag. */
  bagSpec?: BagStateSpec;
  /** A value folded with a CombineFn. */
  combiningSpec?: CombiningStateSpec;
  /** A map. */
  mapSpec?: MapStateSpec;
  /** A set. */
  setSpec?: SetStateSpec;
  /** A list ordered by timestamp. */
  orderedListSpec?: OrderedListStateSpec;
  /** A multimap. */
  multimapSpec?: MultimapStateSpec;
  /** The state protocol the runner must serve the cell with. */
  protocol: FunctionSpec | null;
}
/** `ReadModifyWriteStateSpec`: a state cell holding one value. */
export interface ReadModifyWriteStateSpec {
  /** Id of the coder of the value. */
  coderId: string;
}
/** `BagStateSpec`: a state cell holding an unordered bag. */
export interface BagStateSpec {
  /** Id of the coder of the elements. */
  elementCoderId: string;
}
/** `CombiningStateSpec`: a state cell folding values with a CombineFn. */
export interface CombiningStateSpec {
  /** Id of the coder of the accumulator. */
  accumulatorCoderId: string;
  /** The CombineFn. */
  combineFn: FunctionSpec | null;
}
/** `MapStateSpec`: a state cell holding a map. */
export interface MapStateSpec {
  /** Id of the coder of the keys. */
  keyCoderId: string;
  /** Id of the coder of the values. */
  valueCoderId: string;
}
/** `SetStateSpec`: a state cell holding a set. */
export interface SetStateSpec {
  /** Id of the coder of the elements. */
  elementCoderId: string;
}
/** `OrderedListStateSpec`: a state cell holding a list ordered by timestamp. */
export interface OrderedListStateSpec {
  /** Id of the coder of the elements. */
  elementCoderId: string;
}
/** `MultimapStateSpec`: a state cell holding a multimap. */
export interface MultimapStateSpec {
  /** Id of the coder of the keys. */
  keyCoderId: string;
  /** Id of the coder of the values. */
  valueCoderId: string;
}

/** `TimerFamilySpec`: a family of timers a DoFn declares. */
export interface TimerFamilySpec {
  /** Whether the timers fire on event time or processing time. */
  timeDomain: TimeDomain;
  /** Id of the coder of the timers (a timer coder). */
  timerFamilyCoderId: string;
}

/** `CombinePayload`: payload of Beam's combine transforms. */
export interface CombinePayload {
  /** The CombineFn. */
  combineFn: FunctionSpec | null;
  /** Id of the coder of the accumulator. */
  accumulatorCoderId: string;
}

/** `WriteFilesPayload`: payload of `beam:transform:write_files:v1`. */
export interface WriteFilesPayload {
  /** The sink: for millrace's text sink, `millrace:sink:text:v1` with a JSON payload: prefix, numShards, suffix. */
  sink: FunctionSpec | null;
  /** How elements become records (unused by millrace: text lines are the elements). */
  formatFunction: FunctionSpec | null;
  /** True when each window is written separately. */
  windowedWrites: boolean;
  /** True when the runner chooses the number of shards. */
  runnerDeterminedSharding: boolean;
  /** Side inputs of the sink, by local name. */
  sideInputs: Record<string, SideInput>;
  /** True when shards are chosen automatically (Beam's auto sharding). */
  autoSharded: boolean;
}

/** `ReadPayload`: payload of `beam:transform:read:v1`. */
export interface ReadPayload {
  /** The source to read. */
  source: FunctionSpec | null;
  /** Whether the source is finite. */
  isBounded: IsBounded;
}

/** `WindowIntoPayload`: payload of `beam:transform:window_into:v1`. */
export interface WindowIntoPayload {
  /** The window function to assign windows with. */
  windowFn: FunctionSpec | null;
}

/** `TestStreamPayload`: payload of `beam:transform:teststream:v1`, a scripted unbounded source for tests. */
export interface TestStreamPayload {
  /** Id of the coder of the elements. */
  coderId: string;
  /** The script, in order. */
  events: TestStreamEvent[];
  /** When set, a service to fetch the events from instead. */
  endpoint: ApiServiceDescriptor | null;
}
/** `TestStreamPayload.Event`: `event` names the set member. */
export interface TestStreamEvent {
  /** Name of the member that is set. */
  event?: "watermarkEvent" | "processingTimeEvent" | "elementEvent";
  /** Advances the watermark. */
  watermarkEvent?: TestStreamAdvanceWatermark;
  /** Advances processing time. */
  processingTimeEvent?: TestStreamAdvanceProcessingTime;
  /** Adds elements. */
  elementEvent?: TestStreamAddElements;
}
/** `TestStreamPayload.Event.AdvanceWatermark` (millis) */
export interface TestStreamAdvanceWatermark {
  /** The new watermark. */
  newWatermark: number;
  /** Output whose watermark advances. */
  tag: string;
}
/** `TestStreamPayload.Event.AdvanceProcessingTime` (millis) */
export interface TestStreamAdvanceProcessingTime {
  /** How far processing time moves. */
  advanceDuration: number;
}
/** `TestStreamPayload.Event.AddElements` */
export interface TestStreamAddElements {
  /** The elements to add. */
  elements: TestStreamTimestampedElement[];
  /** Output the elements go to. */
  tag: string;
}
/** `TestStreamPayload.TimestampedElement` (timestamp in millis) */
export interface TestStreamTimestampedElement {
  /** The element, encoded with the stream's coder. */
  encodedElement: Uint8Array;
  /** The element's event time. */
  timestamp: number;
}

/** `ApiServiceDescriptor`: the address of a (gRPC) service. */
export interface ApiServiceDescriptor {
  /** Where the service listens. */
  url: string;
  /** How to authenticate; null for none. */
  authentication: AuthenticationSpec | null;
}
/** `AuthenticationSpec`: how to authenticate to a service. */
export interface AuthenticationSpec {
  /** The authentication scheme. */
  urn: string;
  /** Scheme-specific parameters. */
  payload: Uint8Array;
}

/** `google.protobuf.Duration` */
export interface Duration {
  /** Whole seconds. */
  seconds: number;
  /** Nanoseconds on top of `seconds`. */
  nanos: number;
}
/** `google.protobuf.Timestamp` */
export interface Timestamp {
  /** Whole seconds since the Unix epoch. */
  seconds: number;
  /** Nanoseconds on top of `seconds`. */
  nanos: number;
}

/** Payload of `beam:window_fn:global_windows:v1` (no fields). */
export type GlobalWindowsPayload = Record<string, never>;
/** Payload of `beam:window_fn:fixed_windows:v1`. */
export interface FixedWindowsPayload {
  /** Length of each window. */
  size: Duration | null;
  /** Where the windows' grid starts, relative to the epoch. */
  offset: Timestamp | null;
}
/** Payload of `beam:window_fn:sliding_windows:v1`. */
export interface SlidingWindowsPayload {
  /** Length of each window. */
  size: Duration | null;
  /** Where the windows' grid starts, relative to the epoch. */
  offset: Timestamp | null;
  /** How often a new window starts. */
  period: Duration | null;
}
/** Payload of `beam:window_fn:session_windows:v1`. */
export interface SessionWindowsPayload {
  /** A session ends after this long without elements. */
  gapSize: Duration | null;
}

/** Message name (as accepted by encode/decode) -> decoded TypeScript shape. */
export interface MessageTypes {
  /** Decoded shape of `Pipeline`. */
  Pipeline: Pipeline;
  /** Decoded shape of `Components`. */
  Components: Components;
  /** Decoded shape of `PTransform`. */
  PTransform: PTransform;
  /** Decoded shape of `PCollection`. */
  PCollection: PCollection;
  /** Decoded shape of `FunctionSpec`. */
  FunctionSpec: FunctionSpec;
  /** Decoded shape of `Coder`. */
  Coder: Coder;
  /** Decoded shape of `Environment`. */
  Environment: Environment;
  /** Decoded shape of `ArtifactInformation`. */
  ArtifactInformation: ArtifactInformation;
  /** Decoded shape of `DisplayData`. */
  DisplayData: DisplayData;
  /** Decoded shape of `WindowingStrategy`. */
  WindowingStrategy: WindowingStrategy;
  /** Decoded shape of `ParDoPayload`. */
  ParDoPayload: ParDoPayload;
  /** Decoded shape of `SideInput`. */
  SideInput: SideInput;
  /** Decoded shape of `StateSpec`. */
  StateSpec: StateSpec;
  /** Decoded shape of `TimerFamilySpec`. */
  TimerFamilySpec: TimerFamilySpec;
  /** Decoded shape of `CombinePayload`. */
  CombinePayload: CombinePayload;
  /** Decoded shape of `ReadPayload`. */
  ReadPayload: ReadPayload;
  /** Decoded shape of `WriteFilesPayload`. */
  WriteFilesPayload: WriteFilesPayload;
  /** Decoded shape of `WindowIntoPayload`. */
  WindowIntoPayload: WindowIntoPayload;
  /** Decoded shape of `TestStreamPayload`. */
  TestStreamPayload: TestStreamPayload;
  /** Decoded shape of `Trigger`. */
  Trigger: Trigger;
  /** Decoded shape of `TimestampTransform`. */
  TimestampTransform: TimestampTransform;
  /** Decoded shape of `ApiServiceDescriptor`. */
  ApiServiceDescriptor: ApiServiceDescriptor;
  /** Decoded shape of `GlobalWindowsPayload`. */
  GlobalWindowsPayload: GlobalWindowsPayload;
  /** Decoded shape of `FixedWindowsPayload`. */
  FixedWindowsPayload: FixedWindowsPayload;
  /** Decoded shape of `SlidingWindowsPayload`. */
  SlidingWindowsPayload: SlidingWindowsPayload;
  /** Decoded shape of `SessionWindowsPayload`. */
  SessionWindowsPayload: SessionWindowsPayload;
}

/**
 * Every name `encodeMessage` / `decodeMessage` accept.
 * @useDeclaredType
 */
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
  /** Always `"ProtoDecodeError"`, so the error is recognisable after serialization. */
  override readonly name = "ProtoDecodeError";
  /** The message type we tried to decode, e.g. `"Pipeline"`. */
  readonly typeName: string;
  /**
   * Wraps what protobufjs threw.
   *
   * @param typeName the message type, e.g. `"Pipeline"`.
   * @param cause what protobufjs threw; kept as the error's `cause`.
   */
  constructor(typeName: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`malformed ${typeName} proto: ${detail}`, { cause });
    this.typeName = typeName;
  }
}

/** Thrown by {@link encodeMessage} when the value does not fit the message type. */
export class ProtoEncodeError extends Error {
  /** Always `"ProtoEncodeError"`, so the error is recognisable after serialization. */
  override readonly name = "ProtoEncodeError";
  /** The message type we tried to encode, e.g. `"Pipeline"`. */
  readonly typeName: string;
  /**
   * Describes a value that `Type.verify` rejected.
   *
   * @param typeName the message type, e.g. `"Pipeline"`.
   * @param problem what does not fit, as `Type.verify` reports it.
   */
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
    throw new TypeError(`unknown Beam message type ${JSON.stringify(typeName)}; expected one of ${Object.keys(BeamTypes).join(", ")}`);
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

/**
 * A map entry on the wire may omit its value; the protobuf spec says the value
 * is then the default (an empty message), but protobufjs leaves `null`, which
 * `toObject` would later dereference. Fill those defaults in, recursively.
 */
function fillMissingMapValues(type: protobuf.Type, message: Record<string, unknown>): void {
  for (const field of type.fieldsArray) {
    const v = message[field.name];
    if (v === null || v === undefined || !(field.resolvedType instanceof protobuf.Type)) continue;
    const sub = field.resolvedType;
    if (field.map) {
      const m = v as Record<string, unknown>;
      for (const k of Object.keys(m)) {
        if (m[k] == null) m[k] = sub.create();
        fillMissingMapValues(sub, m[k] as Record<string, unknown>);
      }
    } else if (field.repeated) {
      for (const e of v as Record<string, unknown>[]) if (e != null) fillMissingMapValues(sub, e);
    } else {
      fillMissingMapValues(sub, v as Record<string, unknown>);
    }
  }
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
 *
 * @example
 * ```ts
 * // In a runner's run(request):
 * const pipeline = mr.runnerApi.decodeMessage("Pipeline", request.pipelineProto);
 * console.log(pipeline.rootTransformIds);
 * ```
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
  fillMissingMapValues(type, message as unknown as Record<string, unknown>);
  return ownBytes(type.toObject(message, TO_OBJECT_OPTIONS));
}
