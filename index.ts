/**
 * millrace: portable data pipelines for TypeScript, in the style of Apache
 * Beam. Write a pipeline once; choose where it runs with `--runner`.
 *
 * @example
 * ```ts
 * import * as mr from "millrace";
 *
 * const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(process.argv.slice(2)));
 * p.apply(mr.create(["to be or not to be"]))
 *   .flatMap((line) => line.split(" "))
 *   .apply(mr.countPerElement())
 *   .map(({ key, value }) => `${key}: ${value}`);
 * await p.run().waitUntilFinish();
 * ```
 *
 * @packageDocumentation
 * @module millrace
 */
import "./portability/provide_pipeline_launch";
import { lazyRunner, registerRunner } from "./sdk/options/runner_registry";
import { provideLoopbackWorkerPool } from "./runners/portable/harness_environment";

import type { RunnerDefinition } from "./sdk/options/runner_registry";

type DirectRunners = typeof import("./runners/direct/direct_runner");
type MicrobatchRunners = typeof import("./runners/microbatch/microbatch_runner");
type StreamRunners = typeof import("./runners/stream/stream_runner");
type PortableRunners = typeof import("./runners/portable/portable_runner");
type PrismRunners = typeof import("./runners/portable/prism/prism_runner");
type EngineRunners = typeof import("./runners/portable/engines/engine_runners");
type Loopback = typeof import("./portability/fn_harness/loopback_runner");
type WorkerPool = typeof import("./portability/fn_harness/worker_pool");

// Runners load on first use, not with the package: worker threads of the in-process runners
// load the package to rebuild pipelines, and should not pay for the other runners (the
// engine runners bring gRPC and the SDK harness) on every start.
/* eslint-disable @typescript-eslint/no-require-imports -- synchronous, and only when used */
const withLoopback = (runner: () => RunnerDefinition) => (): RunnerDefinition =>
  (require("./portability/fn_harness/loopback_runner") as Loopback).withLoopbackUserCode(runner());
const direct = (): DirectRunners => require("./runners/direct/direct_runner") as DirectRunners;
const microbatch = (): MicrobatchRunners => require("./runners/microbatch/microbatch_runner") as MicrobatchRunners;
const stream = (): StreamRunners => require("./runners/stream/stream_runner") as StreamRunners;
const portable = (): PortableRunners => require("./runners/portable/portable_runner") as PortableRunners;
const prism = (): PrismRunners => require("./runners/portable/prism/prism_runner") as PrismRunners;
const engines = (): EngineRunners => require("./runners/portable/engines/engine_runners") as EngineRunners;
const workerPool = (): WorkerPool => require("./portability/fn_harness/worker_pool") as WorkerPool;
/* eslint-enable @typescript-eslint/no-require-imports */

registerRunner(lazyRunner("direct", () => direct().directRunner));
registerRunner(lazyRunner("microbatch", () => microbatch().microbatchRunner));
registerRunner(lazyRunner("stream", () => stream().streamRunner));
registerRunner(
  lazyRunner(
    "portable",
    withLoopback(() => portable().portableRunner),
  ),
);
registerRunner(
  lazyRunner(
    "prism",
    withLoopback(() => prism().prismRunner),
  ),
);
registerRunner(
  lazyRunner(
    "flink",
    withLoopback(() => engines().flinkRunner),
  ),
);
registerRunner(
  lazyRunner(
    "spark",
    withLoopback(() => engines().sparkRunner),
  ),
);
// LOOPBACK: the engine asks this process's worker pool for SDK harnesses.
provideLoopbackWorkerPool((options) => workerPool().startWorkerPool(options));

export { Pipeline } from "./sdk/pipeline";
export { definePipeline, PipelineDefinition } from "./sdk/pipeline_definition";
export {
  PipelineOptions,
  InvalidOptionsError,
  DEFAULT_RUNNER,
  COMMON_FLAGS,
  helpText,
  type FromArgsConfig,
} from "./sdk/options/pipeline_options";
export type { FlagSpec, FlagSpecs, FlagType } from "./sdk/options/flag_spec";
export { registerRunner, findRunner, registeredRunners, type RunnerDefinition, type RunRequest } from "./sdk/options/runner_registry";
export {
  PipelineExecutionError,
  type PipelineResult,
  type PipelineState,
  type MetricResults,
  type DistributionResult,
  type GaugeResult,
} from "./model/pipeline_result";
export { PCollection } from "./sdk/pcollection";
export { PBegin } from "./sdk/graph/pvalue";
export { PTransform, ptransform } from "./sdk/ptransform";
export { kv, isKV, type KV } from "./model/kv";
export { MIN_TIMESTAMP, MAX_TIMESTAMP, GLOBAL_WINDOW_MAX_TIMESTAMP } from "./model/time";
export { GLOBAL_WINDOW, isGlobalWindow, maxTimestampOf, type BoundedWindow, type GlobalWindow, type IntervalWindow } from "./model/windows";
export type { PaneInfo, PaneTiming } from "./model/pane";
export type { WindowedValue } from "./model/windowed_value";
export type { Counter, Distribution, Gauge, MetricsContext } from "./sdk/metrics/metrics_context";

export { create, createTimestamped, impulse, type TimestampedValue } from "./sdk/transforms/create";
export {
  map,
  flatMap,
  filter,
  withKeys,
  keys,
  values,
  kvSwap,
  withTimestamps,
  type ElementWiseOptions,
  type WithTimestampsOptions,
} from "./sdk/transforms/element_wise";
export {
  parDo,
  splittableParDo,
  type ParDoOptions,
  type MultiOutputParDoOptions,
  type TaggedOutputs,
  type ParDoDeclarations,
} from "./sdk/transforms/pardo";
export { outputTag, type OutputTag, type OutputDeclarations, type OutputTypes } from "./sdk/transforms/output_tag";
export { DoFn, type DoFnObject, type AnyDoFn, type TimerCallbacks } from "./sdk/transforms/dofn";
export type {
  ProcessContext,
  BundleContext,
  TransformContext,
  DoFnDeclarations,
  ElementContext,
  StateOf,
  TimersOf,
  SideInputAccess,
  TaggedOutputAccess,
  ElementFn,
} from "./sdk/transforms/transform_context";
export { groupByKey } from "./sdk/transforms/group_by_key";
export { combinePerKey, combineGlobally, type CombineOptions } from "./sdk/transforms/combine";
export type { CombineFn } from "./sdk/transforms/combine_fn";
export { combiners, type Comparator } from "./sdk/transforms/combiners";
export { countPerElement, countPerKey, countGlobally, distinct } from "./sdk/transforms/count";
export { flatten } from "./sdk/transforms/flatten";
export { coGroupByKey, type CoGbkResult, type CoGbkKey } from "./sdk/transforms/cogroup_by_key";
export { partition } from "./sdk/transforms/partition";
export { reshuffle } from "./sdk/transforms/reshuffle";
export { views, PCollectionView, type SideInputDeclarations, type SideInputValues } from "./sdk/transforms/views";
export { generateSequence, type GenerateSequenceOptions } from "./sdk/transforms/generate_sequence";
export {
  SplittableDoFn,
  isSplittableDoFn,
  type SplittableDoFnObject,
  type SplittableProcessContext,
} from "./sdk/transforms/splittable/splittable_dofn";
export type { RestrictionTracker, SplitResult, RestrictionProgress } from "./sdk/transforms/splittable/restriction_tracker";
export { OffsetRange } from "./sdk/transforms/splittable/offset_range";
export { OffsetRangeTracker } from "./sdk/transforms/splittable/offset_range_tracker";
export { GrowableOffsetRangeTracker, type RangeEndEstimator } from "./sdk/transforms/splittable/growable_offset_range_tracker";
export { ProcessContinuation } from "./sdk/transforms/splittable/process_continuation";
export {
  ManualWatermarkEstimator,
  MonotonicallyIncreasingWatermarkEstimator,
  WallTimeWatermarkEstimator,
  type WatermarkEstimator,
} from "./sdk/transforms/splittable/watermark_estimators";
export type { BundleFinalizer } from "./sdk/transforms/splittable/bundle_finalizer";
export { DefaultRestrictionCoder } from "./sdk/transforms/splittable/restriction_coder";
export { windowInto, type WindowIntoOptions } from "./sdk/windowing/window_into";
export { windows } from "./sdk/windowing/windows";
export { triggers } from "./sdk/windowing/triggers";
export {
  state,
  type StateSpec,
  type ValueState,
  type BagState,
  type CombiningState,
  type MapState,
  type SetState,
  type OrderedListState,
  type TimestampedElement,
  type ValueStateSpec,
  type BagStateSpec,
  type CombiningStateSpec,
  type MapStateSpec,
  type SetStateSpec,
  type OrderedListStateSpec,
  type DeclaresCell,
  type StateDeclarations,
  type StateCellOf,
  type StateCells,
} from "./sdk/state/state_specs";
export { timers, type TimerSpec, type Timer, type TimerDeclarations, type Timers } from "./sdk/state/timer_specs";
export { groupIntoBatches, type GroupIntoBatchesOptions } from "./sdk/transforms/group_into_batches";
export { deduplicate, DEFAULT_DEDUPLICATE_DURATION_MS, type DeduplicateOptions } from "./sdk/transforms/deduplicate";
export { sample } from "./sdk/transforms/sample";
export { latest, type Timestamped } from "./sdk/transforms/latest";
export {
  approximateUnique,
  approximateCountDistinct,
  type ApproximateUniqueOptions,
  type ApproximateCountDistinctOptions,
} from "./sdk/transforms/approximate_unique";
export { approximateQuantiles } from "./sdk/transforms/approximate_quantiles";
export { regex, type Pattern, type Group } from "./sdk/transforms/regex";
export { toString, stringOf } from "./sdk/transforms/to_string";
export { waitOn } from "./sdk/transforms/wait_on";
export {
  schemaFromFields,
  schemaOf,
  rowCoderOf,
  toSchemaProto,
  fromSchemaProto,
  type Row,
  type Schema,
  type Field,
  type FieldType,
  type FieldDeclaration,
  type AtomicTypeName,
} from "./sdk/schemas/schema";
export { inferSchema } from "./sdk/schemas/infer_schema";
export { withSchema, createRows, type SchemaLike } from "./sdk/schemas/with_schema";
export { select } from "./sdk/schemas/select";
export { filterFields, type FieldPredicates } from "./sdk/schemas/filter_fields";
export { groupBy, GroupByFields, type AggregateOptions } from "./sdk/schemas/group_by";
export type { CombineResultType } from "./sdk/transforms/combine_fn_result_type";

export * as io from "./sdk/io";
export * as testing from "./sdk/testing";
export * as portability from "./portability/public_api";
export { coders, type Coder, type CoderContext, CoderError } from "./portability/coders";
export {
  ByteReader,
  ByteWriter,
  JsValueCoder,
  BytesCoder,
  StringUtf8Coder,
  BoolCoder,
  VarIntCoder,
  DoubleCoder,
  KVCoder,
  IterableCoder,
  StateBackedIterableCoder,
  LengthPrefixCoder,
  NullableCoder,
  GlobalWindowCoder,
  IntervalWindowCoder,
  CustomWindowCoder,
  WindowedValueCoder,
  ParamWindowedValueCoder,
  TimerCoder,
  ShardedKeyCoder,
  RowCoder,
  type RowValue,
} from "./portability/coders";
export { AtomicType, type SchemaProto, type FieldProto, type FieldTypeProto, type LogicalTypeProto } from "./portability/proto/schema_root";
export {
  paramWindowedValuePayload,
  type JsValue,
  type WindowedValueMetadata,
  type StateReader,
  type TimerValue,
  type ShardedKey,
} from "./portability/coders";
export type {
  WindowingStrategy,
  WindowFnSpec,
  TriggerSpec,
  AccumulationMode,
  TimestampCombiner,
  ClosingBehavior,
  OnTimeBehavior,
} from "./sdk/windowing/windowing_strategy";
export type { ViewKind, DoFnShape } from "./sdk/graph/primitive_spec";
export type { UserCodeSource } from "./sdk/user_code/user_code_source";
export type { DoFnPayload, TextSinkPayload } from "./portability/payloads";
export * as runnerApi from "./portability/proto/messages";
