/**
 * The Fn API messages as the harness reads and writes them: protobufjs
 * messages of `fnApiRoot` (camelCase fields). Reads tolerate absent fields,
 * so a message decoded without defaults reads the same; writes are plain
 * objects that `Type.encode` takes as they are.
 */
import type { RawDescriptor } from "./bundle_descriptor";

export type { RawDescriptor };

/** Bytes as protobufjs hands them out. */
export type Bytes = Uint8Array;

/** `InstructionRequest` (only the requests the harness answers are typed). */
export interface InstructionRequest {
  instructionId?: string;
  processBundle?: { processBundleDescriptorId?: string; cacheTokens?: CacheToken[] } | null;
  processBundleProgress?: { instructionId?: string } | null;
  processBundleSplit?: { instructionId?: string; desiredSplits?: Record<string, DesiredSplit> } | null;
  finalizeBundle?: { instructionId?: string } | null;
  monitoringInfos?: { monitoringInfoId?: string[] } | null;
  harnessMonitoringInfos?: object | null;
  sampleData?: object | null;
  register?: { processBundleDescriptor?: RawDescriptor[] } | null;
}

/** `ProcessBundleRequest.CacheToken`. */
export interface CacheToken {
  userState?: object | null;
  sideInput?: { transformId?: string; sideInputId?: string } | null;
  token?: Bytes;
}

/** `ProcessBundleSplitRequest.DesiredSplit`. */
export interface DesiredSplit {
  fractionOfRemainder?: number;
  allowedSplitPoints?: (number | { toNumber(): number })[];
  estimatedInputElements?: number | { toNumber(): number };
}

/** `MonitoringInfo`. */
export interface MonitoringInfo {
  urn: string;
  type: string;
  payload: Bytes;
  labels: Record<string, string>;
}

/** `InstructionResponse`, as the harness writes it. */
export interface InstructionResponse {
  instructionId: string;
  error?: string;
  processBundle?: {
    monitoringInfos: MonitoringInfo[];
    monitoringData?: Record<string, Bytes>;
    requiresFinalization?: boolean;
    residualRoots?: DelayedBundleApplication[];
  };
  processBundleProgress?: { monitoringInfos: MonitoringInfo[]; monitoringData?: Record<string, Bytes> };
  processBundleSplit?: {
    primaryRoots?: BundleApplication[];
    residualRoots?: DelayedBundleApplication[];
    channelSplits: { transformId: string; lastPrimaryElement: number; firstResidualElement: number }[];
  };
  finalizeBundle?: object;
  monitoringInfos?: { monitoringInfo: Record<string, MonitoringInfo> };
  harnessMonitoringInfos?: { monitoringData: Record<string, Bytes> };
  register?: object;
}

/** `google.protobuf.Timestamp` / `Duration`. */
export interface ProtoTime {
  seconds: number;
  nanos: number;
}

/** `BundleApplication`: work for a transform's input, as the engine holds it. */
export interface BundleApplication {
  transformId: string;
  inputId: string;
  element: Bytes;
  outputWatermarks: Record<string, ProtoTime>;
  isBounded: number;
}

/** `DelayedBundleApplication`: work to process after a delay (a residual). */
export interface DelayedBundleApplication {
  application: BundleApplication;
  requestedTimeDelay?: ProtoTime;
}

/** A time in ms since the epoch as a `Timestamp` (whole seconds down, nanos in [0, 1e9)). */
export function protoTimestamp(ms: number): ProtoTime {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A span in ms as a `Duration` (non-negative). */
export function protoDuration(ms: number): ProtoTime {
  return protoTimestamp(Math.max(0, ms));
}

/** `Elements.Data`. */
export interface DataBlock {
  instructionId?: string;
  transformId?: string;
  data?: Bytes;
  isLast?: boolean;
}

/** `Elements.Timers`. */
export interface TimerBlock {
  instructionId?: string;
  transformId?: string;
  timerFamilyId?: string;
  timers?: Bytes;
  isLast?: boolean;
}

/** `Elements`. */
export interface Elements {
  data?: DataBlock[];
  timers?: TimerBlock[];
}

/** `StateKey` (one of its kinds is set). */
export interface StateKey {
  runner?: { key: Bytes };
  iterableSideInput?: { transformId: string; sideInputId: string; window: Bytes };
  multimapSideInput?: { transformId: string; sideInputId: string; window: Bytes; key: Bytes };
  multimapKeysSideInput?: { transformId: string; sideInputId: string; window: Bytes };
  bagUserState?: { transformId: string; userStateId: string; window: Bytes; key: Bytes };
  multimapKeysUserState?: { transformId: string; userStateId: string; window: Bytes; key: Bytes };
  multimapUserState?: { transformId: string; userStateId: string; window: Bytes; key: Bytes; mapKey: Bytes };
  orderedListUserState?: { transformId: string; userStateId: string; window: Bytes; key: Bytes; range?: { start: number; end: number } };
}

/** `StateRequest`, as the harness writes it. */
export interface StateRequest {
  id: string;
  instructionId: string;
  stateKey: StateKey;
  get?: { continuationToken?: Bytes };
  append?: { data: Bytes };
  clear?: object;
}

/** `StateResponse`. */
export interface StateResponse {
  id?: string;
  error?: string;
  get?: { continuationToken?: Bytes; data?: Bytes } | null;
  append?: object | null;
  clear?: object | null;
}

/** `LogEntry`, as the harness writes it. */
export interface LogEntry {
  severity: number;
  timestamp: { seconds: number; nanos: number };
  message: string;
  trace?: string;
  instructionId?: string;
  transformId?: string;
  logLocation?: string;
  thread?: string;
}

/** `LogEntry.List`. */
export interface LogEntryList {
  logEntries: LogEntry[];
}

/** `LogEntry.Severity.Enum`. */
export const Severity = { TRACE: 1, DEBUG: 2, INFO: 3, NOTICE: 4, WARN: 5, ERROR: 6, CRITICAL: 7 } as const;

/** A number from an int64 field, whether protobufjs gave a number or a Long. */
export function int64(v: number | { toNumber(): number } | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === "number" ? v : v.toNumber();
}
