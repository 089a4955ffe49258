import { expect } from "chai";
import * as mr from "../../index";
import { decodeMessage, encodeMessage, type Pipeline } from "../../portability/proto/messages";
import { InvalidPipelineError } from "../../portability/from_proto";
import { runDirect } from "../../runners/direct/direct_runner";

function validProto(): Uint8Array {
  const p = mr.Pipeline.create();
  p.apply("Nums", mr.create([1, 2, 3]))
    .apply(
      "Keyed",
      mr.withKeys((x: number) => x % 2),
    )
    .apply("Group", mr.groupByKey());
  return mr.portability.toProto(p);
}

function tampered(edit: (p: Pipeline) => void): Uint8Array {
  const proto = decodeMessage("Pipeline", validProto());
  edit(proto);
  return encodeMessage("Pipeline", proto as never);
}

function rejection(bytes: Uint8Array): string {
  try {
    mr.portability.fromProto(bytes);
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidPipelineError);
    return (e as Error).message;
  }
  throw new Error("fromProto accepted invalid bytes");
}

describe("fromProto", () => {
  it("decodes a valid pipeline into a model with leaves in topological order", () => {
    const model = mr.portability.fromProto(validProto());
    expect(model.leaves.map((l) => l.id)).to.deep.equal(["Nums/Impulse", "Nums/Values", "Keyed", "Group"]);
  });

  it("rejects truncated bytes with a clear error", () => {
    const bytes = validProto();
    expect(rejection(bytes.subarray(0, Math.floor(bytes.length / 2)))).to.match(/^malformed pipeline proto/);
  });

  it("rejects garbage bytes with a clear error", () => {
    expect(rejection(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]))).to.match(/malformed pipeline proto|invalid pipeline/);
    expect(rejection(new Uint8Array(0))).to.match(/no components/);
  });

  it("rejects dangling ids, naming what points where", () => {
    expect(rejection(tampered((p) => (p.components!.pcollections["Keyed.main"]!.coderId = "nowhere")))).to.match(
      /PCollection 'Keyed.main' names coder 'nowhere', which does not exist/,
    );
    expect(rejection(tampered((p) => (p.components!.transforms["Group"]!.inputs.main = "ghost")))).to.match(
      /transform 'Group' input 'main' names PCollection 'ghost'/,
    );
    expect(rejection(tampered((p) => p.rootTransformIds.push("Missing")))).to.match(/root transform 'Missing' does not exist/);
    expect(rejection(tampered((p) => (p.components!.transforms["Keyed"]!.environmentId = "docker")))).to.match(
      /transform 'Keyed' names environment 'docker'/,
    );
  });

  it("rejects unknown URNs on leaves and coders", () => {
    expect(rejection(tampered((p) => (p.components!.transforms["Group"]!.spec!.urn = "beam:transform:mystery:v1")))).to.match(
      /transform 'Group' has unknown URN 'beam:transform:mystery:v1'/,
    );
    expect(
      rejection(
        tampered((p) => {
          const id = p.components!.pcollections["Keyed.main"]!.coderId;
          p.components!.coders[id]!.spec!.urn = "beam:coder:mystery:v1";
        }),
      ),
    ).to.match(/has unknown URN 'beam:coder:mystery:v1'/);
  });

  it("rejects requirements it does not support", () => {
    expect(rejection(tampered((p) => p.requirements.push("beam:requirement:pardo:stateful:v1")))).to.match(
      /requires 'beam:requirement:pardo:stateful:v1', which this runner does not support/,
    );
  });

  it("rejects a malformed ParDo payload, naming the transform", () => {
    expect(rejection(tampered((p) => (p.components!.transforms["Keyed"]!.spec!.payload = new Uint8Array([0x0a, 0x05, 0x01]))))).to.match(
      /transform 'Keyed' has a malformed ParDo payload/,
    );
  });

  it("reads a map entry without a value as the default message, then names what is missing", () => {
    // Components.coders = { "c": <entry with no value> }: the protobuf spec says the value is the default.
    const entryWithoutValue = [0x0a, 0x05, 0x22, 0x03, 0x0a, 0x01, 0x63];
    expect(rejection(new Uint8Array(entryWithoutValue))).to.match(/^invalid pipeline: it has no root transforms/);
    // The same coders entry added inside a valid pipeline's components (field 1, encoded first).
    const valid = validProto();
    expect(valid[0]).to.equal(0x0a);
    let length = 0;
    let at = 1;
    for (let shift = 0; ; shift += 7) {
      const b = valid[at++]!;
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const components = [...valid.subarray(at, at + length), ...entryWithoutValue.slice(2)];
    const varint: number[] = [];
    for (let n = components.length; ; n = Math.floor(n / 128)) {
      varint.push(n >= 128 ? (n % 128) | 0x80 : n);
      if (n < 128) break;
    }
    const spliced = new Uint8Array([0x0a, ...varint, ...components, ...valid.subarray(at + length)]);
    expect(rejection(spliced)).to.match(/coder 'c' has no spec/);
  });

  it("rejects a coder with the wrong number of components, naming the coder", () => {
    const message = rejection(
      tampered((p) => {
        const id = p.components!.pcollections["Keyed.main"]!.coderId;
        p.components!.coders[id]!.componentCoderIds.pop();
      }),
    );
    expect(message).to.match(/coder '.+' \(beam:coder:kv:v1\) has 1 component coder\(s\); it takes 2/);
  });

  it("rejects a coder that contains itself instead of overflowing the stack later", () => {
    const message = rejection(
      tampered((p) => {
        const id = p.components!.pcollections["Keyed.main"]!.coderId;
        p.components!.coders[id]!.componentCoderIds[1] = id;
      }),
    );
    expect(message).to.match(/coder '.+' contains itself: (.+) -> .+ -> \1|contains itself: (.+) -> \2/);
  });

  it("rejects a cycle in the data graph and in the nesting of transforms", () => {
    expect(rejection(tampered((p) => (p.components!.transforms["Keyed"]!.inputs.main = "Group.main")))).to.match(
      /the pipeline graph has a cycle: .*Keyed.*Group|the pipeline graph has a cycle: .*Group.*Keyed/,
    );
    expect(
      rejection(
        tampered((p) => {
          const nums = p.components!.transforms["Nums"]!;
          nums.subtransforms.push("Nums");
        }),
      ),
    ).to.match(/transform 'Nums' contains itself: Nums -> Nums/);
  });

  it("a runner given malformed bytes fails the job with the same clear error", async () => {
    const result = runDirect({ pipelineProto: new Uint8Array([1, 2, 3]), options: {}, userCode: { lookup: () => undefined } });
    let message = "";
    await result.waitUntilFinish().catch((e: Error) => (message = e.message));
    expect(message).to.match(/malformed pipeline proto/);
    expect(result.state).to.equal("FAILED");
  });
});
