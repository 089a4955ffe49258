// Guards the wire contract: every field name, number, type and enum value
// below is copied from shared/beam-model/README.md (Beam's Runner API). If a
// .proto file drifts (renumbered, renamed, retyped, extra field), this fails.
import { expect } from "chai";
import * as protobuf from "protobufjs";
import {
  BEAM_PROTO_PACKAGE,
  BeamTypes,
  loadBeamProtoRoot,
  lookupBeamEnum,
  lookupBeamType,
  protoRoot,
} from "../../../portability/proto/proto_root";

// One line per message: `Name: field=number [repeated ]type[ oneof:name]; ...`.
// Types are relative to the Beam package unless they start with "google.".
const SCHEMA = `
Pipeline: components=1 Components; root_transform_ids=2 repeated string; display_data=3 repeated DisplayData; requirements=4 repeated string
Components: transforms=1 map<string,PTransform>; pcollections=2 map<string,PCollection>; windowing_strategies=3 map<string,WindowingStrategy>; coders=4 map<string,Coder>; environments=5 map<string,Environment>
PTransform: spec=1 FunctionSpec; subtransforms=2 repeated string; inputs=3 map<string,string>; outputs=4 map<string,string>; unique_name=5 string; display_data=6 repeated DisplayData; environment_id=7 string; annotations=8 map<string,bytes>
PCollection: unique_name=1 string; coder_id=2 string; is_bounded=3 IsBounded.Enum; windowing_strategy_id=4 string; display_data=5 repeated DisplayData
FunctionSpec: urn=1 string; payload=3 bytes
Coder: spec=1 FunctionSpec; component_coder_ids=2 repeated string
Environment: urn=2 string; payload=3 bytes; display_data=4 repeated DisplayData; capabilities=5 repeated string; dependencies=6 repeated ArtifactInformation; resource_hints=7 map<string,bytes>
ArtifactInformation: type_urn=1 string; type_payload=2 bytes; role_urn=3 string; role_payload=4 bytes
WindowingStrategy: window_fn=1 FunctionSpec; merge_status=2 MergeStatus.Enum; window_coder_id=3 string; trigger=4 Trigger; accumulation_mode=5 AccumulationMode.Enum; output_time=6 OutputTime.Enum; closing_behavior=7 ClosingBehavior.Enum; allowed_lateness=8 int64; on_time_behavior=9 OnTimeBehavior.Enum; assigns_to_one_window=10 bool; environment_id=11 string
ParDoPayload: do_fn=1 FunctionSpec; side_inputs=3 map<string,SideInput>; state_specs=4 map<string,StateSpec>; restriction_coder_id=7 string; requests_finalization=8 bool; timer_family_specs=9 map<string,TimerFamilySpec>; requires_time_sorted_input=10 bool; requires_stable_input=11 bool; on_window_expiration_timer_family_spec=12 string
SideInput: access_pattern=1 FunctionSpec; view_fn=2 FunctionSpec; window_mapping_fn=3 FunctionSpec
StateSpec: read_modify_write_spec=1 ReadModifyWriteStateSpec oneof:spec; bag_spec=2 BagStateSpec oneof:spec; combining_spec=3 CombiningStateSpec oneof:spec; map_spec=4 MapStateSpec oneof:spec; set_spec=5 SetStateSpec oneof:spec; ordered_list_spec=6 OrderedListStateSpec oneof:spec; multimap_spec=8 MultimapStateSpec oneof:spec; protocol=7 FunctionSpec
ReadModifyWriteStateSpec: coder_id=1 string
BagStateSpec: element_coder_id=1 string
CombiningStateSpec: accumulator_coder_id=1 string; combine_fn=2 FunctionSpec
MapStateSpec: key_coder_id=1 string; value_coder_id=2 string
SetStateSpec: element_coder_id=1 string
OrderedListStateSpec: element_coder_id=1 string
MultimapStateSpec: key_coder_id=1 string; value_coder_id=2 string
TimerFamilySpec: time_domain=1 TimeDomain.Enum; timer_family_coder_id=2 string
CombinePayload: combine_fn=1 FunctionSpec; accumulator_coder_id=2 string
ReadPayload: source=1 FunctionSpec; is_bounded=2 IsBounded.Enum
WindowIntoPayload: window_fn=1 FunctionSpec
TestStreamPayload: coder_id=1 string; events=2 repeated TestStreamPayload.Event; endpoint=3 ApiServiceDescriptor
TestStreamPayload.Event: watermark_event=1 TestStreamPayload.Event.AdvanceWatermark oneof:event; processing_time_event=2 TestStreamPayload.Event.AdvanceProcessingTime oneof:event; element_event=3 TestStreamPayload.Event.AddElements oneof:event
TestStreamPayload.Event.AdvanceWatermark: new_watermark=1 int64; tag=2 string
TestStreamPayload.Event.AdvanceProcessingTime: advance_duration=1 int64
TestStreamPayload.Event.AddElements: elements=1 repeated TestStreamPayload.TimestampedElement; tag=3 string
TestStreamPayload.TimestampedElement: encoded_element=1 bytes; timestamp=2 int64
Trigger: after_all=1 Trigger.AfterAll oneof:trigger; after_any=2 Trigger.AfterAny oneof:trigger; after_each=3 Trigger.AfterEach oneof:trigger; after_end_of_window=4 Trigger.AfterEndOfWindow oneof:trigger; after_processing_time=5 Trigger.AfterProcessingTime oneof:trigger; after_synchronized_processing_time=6 Trigger.AfterSynchronizedProcessingTime oneof:trigger; default=7 Trigger.Default oneof:trigger; element_count=8 Trigger.ElementCount oneof:trigger; never=9 Trigger.Never oneof:trigger; or_finally=10 Trigger.OrFinally oneof:trigger; repeat=11 Trigger.Repeat oneof:trigger; always=12 Trigger.Always oneof:trigger
Trigger.AfterAll: subtriggers=1 repeated Trigger
Trigger.AfterAny: subtriggers=1 repeated Trigger
Trigger.AfterEach: subtriggers=1 repeated Trigger
Trigger.AfterEndOfWindow: early_firings=1 Trigger; late_firings=2 Trigger
Trigger.AfterProcessingTime: timestamp_transforms=1 repeated TimestampTransform
Trigger.AfterSynchronizedProcessingTime:
Trigger.Default:
Trigger.ElementCount: element_count=1 int32
Trigger.Never:
Trigger.Always:
Trigger.OrFinally: main=1 Trigger; finally=2 Trigger
Trigger.Repeat: subtrigger=1 Trigger
TimestampTransform: delay=1 TimestampTransform.Delay oneof:timestamp_transform; align_to=2 TimestampTransform.AlignTo oneof:timestamp_transform
TimestampTransform.Delay: delay_millis=1 int64
TimestampTransform.AlignTo: period=3 int64; offset=4 int64
DisplayData: urn=1 string; payload=2 bytes
ApiServiceDescriptor: url=1 string; authentication=2 AuthenticationSpec
AuthenticationSpec: urn=1 string; payload=2 bytes
GlobalWindowsPayload:
FixedWindowsPayload: size=1 google.protobuf.Duration; offset=2 google.protobuf.Timestamp
SlidingWindowsPayload: size=1 google.protobuf.Duration; offset=2 google.protobuf.Timestamp; period=3 google.protobuf.Duration
SessionWindowsPayload: gap_size=1 google.protobuf.Duration
IsBounded:
MergeStatus:
AccumulationMode:
ClosingBehavior:
OnTimeBehavior:
OutputTime:
TimeDomain:
`;

const ENUMS: Record<string, Record<string, number>> = {
  "IsBounded.Enum": { UNSPECIFIED: 0, UNBOUNDED: 1, BOUNDED: 2 },
  "MergeStatus.Enum": { UNSPECIFIED: 0, NON_MERGING: 1, NEEDS_MERGE: 2, ALREADY_MERGED: 3 },
  "AccumulationMode.Enum": { UNSPECIFIED: 0, DISCARDING: 1, ACCUMULATING: 2, RETRACTING: 3 },
  "ClosingBehavior.Enum": { UNSPECIFIED: 0, EMIT_ALWAYS: 1, EMIT_IF_NONEMPTY: 2 },
  "OnTimeBehavior.Enum": { UNSPECIFIED: 0, FIRE_ALWAYS: 1, FIRE_IF_NONEMPTY: 2 },
  "OutputTime.Enum": { UNSPECIFIED: 0, END_OF_WINDOW: 1, LATEST_IN_PANE: 2, EARLIEST_IN_PANE: 3 },
  "TimeDomain.Enum": { UNSPECIFIED: 0, EVENT_TIME: 1, PROCESSING_TIME: 2 },
};

const SCALARS = new Set([
  "double",
  "float",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
  "bool",
  "string",
  "bytes",
]);

interface FieldSpec {
  name: string;
  id: number;
  repeated: boolean;
  mapKey?: string;
  type: string;
  oneof?: string;
}

function parseSchema(text: string): Map<string, FieldSpec[]> {
  const out = new Map<string, FieldSpec[]>();
  const fieldRe = /^(\w+)=(\d+) (repeated )?(?:map<(\w+),([\w.]+)>|([\w.]+))(?: oneof:(\w+))?$/;
  for (const line of text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)) {
    const colon = line.indexOf(":");
    const message = line.slice(0, colon);
    const rest = line.slice(colon + 1).trim();
    const fields = rest === "" ? [] : rest.split(";").map((f) => f.trim());
    out.set(
      message,
      fields.map((f) => {
        const m = fieldRe.exec(f);
        if (!m) throw new Error(`bad schema line for ${message}: ${f}`);
        return {
          name: m[1]!,
          id: Number(m[2]),
          repeated: m[3] !== undefined,
          mapKey: m[4],
          type: (m[5] ?? m[6])!,
          oneof: m[7],
        };
      }),
    );
  }
  return out;
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const fullName = (t: string) => (t.startsWith("google.") ? `.${t}` : `.${BEAM_PROTO_PACKAGE}.${t}`);

function checkType(root: protobuf.Root, message: string, specs: FieldSpec[], nameOf: (s: string) => string): void {
  const type = root.lookupType(`${BEAM_PROTO_PACKAGE}.${message}`);
  expect(Object.keys(type.fields).sort(), `${message}: field set`).to.deep.equal(specs.map((s) => nameOf(s.name)).sort());
  for (const spec of specs) {
    const where = `${message}.${spec.name}`;
    const field = type.fields[nameOf(spec.name)]!;
    expect(field.id, `${where}: number`).to.equal(spec.id);
    expect(field.repeated, `${where}: repeated`).to.equal(spec.repeated);
    if (spec.mapKey !== undefined) {
      expect(field.map, `${where}: map`).to.equal(true);
      expect((field as unknown as protobuf.MapField).keyType, `${where}: map key type`).to.equal(spec.mapKey);
    } else {
      expect(field.map, `${where}: map`).to.equal(false);
    }
    if (SCALARS.has(spec.type)) {
      expect(field.type, `${where}: type`).to.equal(spec.type);
      expect(field.resolvedType, `${where}: scalar`).to.equal(null);
    } else {
      expect(field.resolvedType, `${where}: resolved`).to.not.equal(null);
      expect(field.resolvedType!.fullName, `${where}: type`).to.equal(fullName(spec.type));
    }
    expect(field.partOf?.name, `${where}: oneof`).to.equal(spec.oneof === undefined ? undefined : nameOf(spec.oneof));
  }
}

describe("portability/proto schema (README field names and numbers)", () => {
  const schema = parseSchema(SCHEMA);

  it("covers every message listed in the README", () => {
    expect(schema.size).to.be.greaterThan(50);
  });

  describe("snake_case names as written in the .proto files (keepCase root)", () => {
    const snakeRoot = loadBeamProtoRoot({ keepCase: true });
    for (const [message, specs] of schema) {
      it(message, () => checkType(snakeRoot, message, specs, (s) => s));
    }
  });

  describe("camelCase names in the shared root used by encode/decode", () => {
    for (const [message, specs] of schema) {
      it(message, () => checkType(protoRoot, message, specs, camel));
    }
  });

  describe("enums", () => {
    for (const [name, values] of Object.entries(ENUMS)) {
      it(name, () => {
        expect({ ...lookupBeamEnum(name).values }).to.deep.equal(values);
      });
    }
    it("each enum holder message contains only its Enum", () => {
      for (const name of Object.keys(ENUMS)) {
        const holder = lookupBeamType(name.replace(/\.Enum$/, ""));
        expect(
          holder.nestedArray.map((n) => n.name),
          name,
        ).to.deep.equal(["Enum"]);
      }
    });
  });

  it("keeps the reserved field numbers reserved", () => {
    expect(lookupBeamType("Environment").reserved).to.deep.equal([[1, 1]]);
    expect(lookupBeamType("ParDoPayload").reserved).to.deep.equal([[6, 6]]);
  });

  it("exposes every typed export from the Beam package", () => {
    for (const [name, type] of Object.entries(BeamTypes)) {
      expect(type.fullName, name).to.equal(`.${BEAM_PROTO_PACKAGE}.${name}`);
    }
  });
});
