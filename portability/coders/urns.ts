/**
 * Coder URNs: Beam's standard ones (so pipelines stay readable by any Beam
 * runner) and millrace's own, which carry the `millrace:` prefix.
 */

/** URNs of every coder this package implements. */
export const coderUrns = Object.freeze({
  BYTES: "beam:coder:bytes:v1",
  STRING_UTF8: "beam:coder:string_utf8:v1",
  KV: "beam:coder:kv:v1",
  BOOL: "beam:coder:bool:v1",
  VARINT: "beam:coder:varint:v1",
  DOUBLE: "beam:coder:double:v1",
  ITERABLE: "beam:coder:iterable:v1",
  TIMER: "beam:coder:timer:v1",
  INTERVAL_WINDOW: "beam:coder:interval_window:v1",
  LENGTH_PREFIX: "beam:coder:length_prefix:v1",
  GLOBAL_WINDOW: "beam:coder:global_window:v1",
  WINDOWED_VALUE: "beam:coder:windowed_value:v1",
  PARAM_WINDOWED_VALUE: "beam:coder:param_windowed_value:v1",
  STATE_BACKED_ITERABLE: "beam:coder:state_backed_iterable:v1",
  CUSTOM_WINDOW: "beam:coder:custom_window:v1",
  ROW: "beam:coder:row:v1",
  SHARDED_KEY: "beam:coder:sharded_key:v1",
  NULLABLE: "beam:coder:nullable:v1",
  JS_VALUE: "millrace:coder:js_value:v1",
} as const);

/** Any URN in {@link coderUrns}. */
export type CoderUrn = (typeof coderUrns)[keyof typeof coderUrns];
