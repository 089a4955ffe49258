/**
 * Every URN millrace writes into or reads from a Beam `Pipeline` proto.
 *
 * `beam:` URNs are Beam's standard ones and must be spelled exactly as Beam
 * spells them, or other runners will not recognise the transform / coder /
 * window fn. `millrace:` URNs are ours: they mark payloads only the millrace
 * SDK harness can interpret (serialized JS functions, JS values).
 *
 * @module
 */

/** Transforms a runner must implement itself (leaves of the graph). */
export const PrimitiveTransformUrns = {
  IMPULSE: "beam:transform:impulse:v1",
  PAR_DO: "beam:transform:pardo:v1",
  FLATTEN: "beam:transform:flatten:v1",
  GROUP_BY_KEY: "beam:transform:group_by_key:v1",
  WINDOW_INTO: "beam:transform:window_into:v1",
  TEST_STREAM: "beam:transform:teststream:v1",
  MAP_WINDOWS: "beam:transform:map_windows:v1",
  MERGE_WINDOWS: "beam:transform:merge_windows:v1",
} as const;

/**
 * Composite transforms a runner may recognise and replace with a native
 * implementation; otherwise it expands them via their subtransforms.
 */
export const CompositeTransformUrns = {
  COMBINE_PER_KEY: "beam:transform:combine_per_key:v1",
  COMBINE_GLOBALLY: "beam:transform:combine_globally:v1",
  RESHUFFLE: "beam:transform:reshuffle:v1",
  WRITE_FILES: "beam:transform:write_files:v1",
} as const;

/**
 * The phases of a lifted combine (all carry a `CombinePayload`): precombine
 * before the shuffle, merge and extract after it, or combine grouped values
 * in one step after a GroupByKey.
 */
export const CombineComponentUrns = {
  COMBINE_PER_KEY_PRECOMBINE: "beam:transform:combine_per_key_precombine:v1",
  COMBINE_PER_KEY_MERGE_ACCUMULATORS: "beam:transform:combine_per_key_merge_accumulators:v1",
  COMBINE_PER_KEY_EXTRACT_OUTPUTS: "beam:transform:combine_per_key_extract_outputs:v1",
  COMBINE_GROUPED_VALUES: "beam:transform:combine_grouped_values:v1",
} as const;

/**
 * The phases an engine expands a splittable ParDo into (Beam's
 * `sdf_components`; all carry the ParDo's `ParDoPayload`): an SDK harness
 * runs them.
 */
export const SplittableComponentUrns = {
  PAIR_WITH_RESTRICTION: "beam:transform:sdf_pair_with_restriction:v1",
  SPLIT_AND_SIZE_RESTRICTIONS: "beam:transform:sdf_split_and_size_restrictions:v1",
  PROCESS_SIZED_ELEMENTS_AND_RESTRICTIONS: "beam:transform:sdf_process_sized_element_and_restrictions:v1",
  TRUNCATE_SIZED_RESTRICTION: "beam:transform:sdf_truncate_sized_restrictions:v1",
} as const;

/**
 * All transform URNs (`FunctionSpec.urn` of a `PTransform.spec`): the union of
 * {@link PrimitiveTransformUrns}, {@link CompositeTransformUrns} and
 * {@link CombineComponentUrns}.
 */
export const TransformUrns = {
  ...PrimitiveTransformUrns,
  ...CompositeTransformUrns,
  ...CombineComponentUrns,
} as const;

/** Beam's standard coders (`Coder.spec.urn`); see standard_coders.yaml for their encodings. */
export const CoderUrns = {
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
} as const;

/**
 * Standard window fns (`WindowingStrategy.window_fn.urn`,
 * `WindowIntoPayload.window_fn.urn`); payloads are the messages of
 * standard_window_fns.proto.
 */
export const WindowFnUrns = {
  GLOBAL: "beam:window_fn:global_windows:v1",
  FIXED: "beam:window_fn:fixed_windows:v1",
  SLIDING: "beam:window_fn:sliding_windows:v1",
  SESSION: "beam:window_fn:session_windows:v1",
} as const;

/** How a DoFn reads a side input (`SideInput.access_pattern.urn`). */
export const SideInputUrns = {
  ITERABLE: "beam:side_input:iterable:v1",
  MULTIMAP: "beam:side_input:multimap:v1",
} as const;

/** Where a runner runs SDK code (`Environment.urn`). */
export const EnvironmentUrns = {
  DOCKER: "beam:env:docker:v1",
  PROCESS: "beam:env:process:v1",
  EXTERNAL: "beam:env:external:v1",
  DEFAULT: "beam:env:default:v1",
} as const;

/** What an artifact is (`ArtifactInformation.type_urn`) and what it is for (`role_urn`). */
export const ArtifactUrns = {
  /** A file on the submitting machine; payload `ArtifactFilePayload`. */
  FILE: "beam:artifact:type:file:v1",
  /** Bytes carried in the proto; payload `EmbeddedFilePayload`. */
  EMBEDDED: "beam:artifact:type:embedded:v1",
  /** Staged under a name; payload `ArtifactStagingToRolePayload`. */
  STAGING_TO_ROLE: "beam:artifact:role:staging_to:v1",
} as const;

/** `StateSpec.protocol`: how a user state cell is read and written over the Fn API state channel. */
export const UserStateProtocolUrns = {
  BAG: "beam:user_state:bag:v1",
  MULTIMAP: "beam:user_state:multimap:v1",
  ORDERED_LIST: "beam:user_state:ordered_list:v1",
} as const;

/**
 * `Environment.capabilities`: what millrace's SDK harness can do beyond the
 * Fn API's minimum (engines use them to choose how to talk to it).
 */
export const CapabilityUrns = {
  PROGRESS_REPORTING: "beam:protocol:progress_reporting:v1",
  MULTI_CORE_BUNDLE_PROCESSING: "beam:protocol:multi_core_bundle_processing:v1",
  WORKER_STATUS: "beam:protocol:worker_status:v1",
  MONITORING_INFO_SHORT_IDS: "beam:protocol:monitoring_info_short_ids:v1",
  CONTROL_REQUEST_ELEMENTS_EMBEDDING: "beam:protocol:control_request_elements_embedding:v1",
  STATE_CACHING: "beam:protocol:state_caching:v1",
  DATA_SAMPLING: "beam:protocol:data_sampling:v1",
  SDK_CONSUMING_RECEIVED_DATA: "beam:protocol:sdk_consuming_received_data:v1",
  ORDERED_LIST_STATE: "beam:protocol:ordered_list_state:v1",
  MULTIMAP_STATE: "beam:protocol:multimap_state:v1",
} as const;

/**
 * `Pipeline.requirements`: features the runner must honour for the result to
 * be correct. A runner that does not know one of them must refuse the
 * pipeline rather than silently ignore it.
 */
export const RequirementUrns = {
  STATEFUL: "beam:requirement:pardo:stateful:v1",
  STABLE_INPUT: "beam:requirement:pardo:stable_input:v1",
  TIME_SORTED_INPUT: "beam:requirement:pardo:time_sorted_input:v1",
  SPLITTABLE_DOFN: "beam:requirement:pardo:splittable_dofn:v1",
  FINALIZATION: "beam:requirement:pardo:finalization:v1",
  ON_WINDOW_EXPIRATION: "beam:requirement:pardo:on_window_expiration:v1",
} as const;

/**
 * millrace's own URNs, for payloads only the millrace SDK understands:
 * serialized DoFns, CombineFns, side-input view fns and window mapping fns,
 * the JS value coder and user-supplied coders, and the Node module
 * environment that runs them.
 */
export const MillraceUrns = {
  DO_FN: "millrace:dofn:v1",
  COMBINE_FN: "millrace:combinefn:v1",
  VIEW_FN: "millrace:view_fn:v1",
  WINDOW_MAPPING_FN: "millrace:window_mapping_fn:v1",
  JS_VALUE_CODER: "millrace:coder:js_value:v1",
  USER_CODER: "millrace:coder:user:v1",
  ENVIRONMENT: "millrace:env:node_module:v1",
  /** The sink of `io.writeText` inside a `beam:transform:write_files:v1` payload. */
  TEXT_SINK: "millrace:sink:text:v1",
  /** `io.kafka.write`'s sink composite (payload: JSON `KafkaSinkPayload`); its expansion publishes bundle by bundle. */
  KAFKA_WRITE: "millrace:transform:kafka_write:v1",
} as const;

type ValueOf<T> = T[keyof T];

/** Any transform URN in {@link TransformUrns}. */
export type TransformUrn = ValueOf<typeof TransformUrns>;
/** Any standard coder URN in {@link CoderUrns}. */
export type CoderUrn = ValueOf<typeof CoderUrns>;
/** Any standard window fn URN in {@link WindowFnUrns}. */
export type WindowFnUrn = ValueOf<typeof WindowFnUrns>;
/** Any side input access pattern URN in {@link SideInputUrns}. */
export type SideInputUrn = ValueOf<typeof SideInputUrns>;
/** Any environment URN in {@link EnvironmentUrns}. */
export type EnvironmentUrn = ValueOf<typeof EnvironmentUrns>;
/** Any requirement URN in {@link RequirementUrns}. */
export type RequirementUrn = ValueOf<typeof RequirementUrns>;
/** Any millrace-specific URN in {@link MillraceUrns}. */
export type MillraceUrn = ValueOf<typeof MillraceUrns>;

/** Every requirement URN Beam defines (as listed in {@link RequirementUrns}). */
export const ALL_REQUIREMENT_URNS: ReadonlySet<string> = new Set<string>(Object.values(RequirementUrns));
