/**
 * Coders: how millrace turns elements into bytes, byte-compatible with
 * Apache Beam's standard coders, plus a deterministic coder for plain JS
 * values.
 *
 * @packageDocumentation
 */
export { ByteWriter } from "./byte_writer";
export { ByteReader } from "./byte_reader";
export { type Coder, type CoderContext, CoderError, encodeToBytes, decodeFromBytes, describeValue } from "./coder";
export { coderUrns, type CoderUrn } from "./urns";
export {
  CoderRegistry,
  createDefaultCoderRegistry,
  defaultCoderRegistry,
  buildCoder,
  coders,
  type CoderSpec,
  type CoderBuildOptions,
  type CoderFactory,
} from "./coder_registry";
export { JsValueCoder, JS_VALUE_CODER, type JsValue } from "./js_value_coder";
export { valuesEqualStructurally } from "./structural_equality";
export { BytesCoder } from "./standard/bytes";
export { StringUtf8Coder } from "./standard/string_utf8";
export { BoolCoder } from "./standard/bool";
export { VarIntCoder } from "./standard/varint";
export { DoubleCoder } from "./standard/double";
export { KVCoder } from "./standard/kv";
export { IterableCoder } from "./standard/iterable";
export { StateBackedIterableCoder, type StateReader } from "./standard/state_backed_iterable";
export { LengthPrefixCoder } from "./standard/length_prefix";
export { NullableCoder } from "./standard/nullable";
export { GlobalWindowCoder } from "./standard/global_window";
export { IntervalWindowCoder } from "./standard/interval_window";
export { CustomWindowCoder } from "./standard/custom_window";
export { WindowedValueCoder, type WindowedValueMetadata } from "./standard/windowed_value";
export { ParamWindowedValueCoder, paramWindowedValuePayload } from "./standard/param_windowed_value";
export { TimerCoder, type TimerValue } from "./standard/timer";
export { ShardedKeyCoder, type ShardedKey } from "./standard/sharded_key";
export { RowCoder, type RowValue } from "./standard/row";
export { LogicalTypeUrns } from "./standard/row/field_codecs";
export { parseDecimal, formatDecimal, type DecimalParts } from "./standard/row/decimal";
export { readTimestamp, writeTimestamp } from "./standard/timestamp";
export { readPane, writePane } from "./standard/pane_info";
