// Keys with a user's coder that is not self-delimiting, grouped by Prism
// (scripts/prism.sh install puts it in GOPATH/bin; .ci/run does it): the
// submitted pipeline length-prefixes the coder, the engine groups the
// prefixed bytes, and the harness reads them back with the user's coder.
import { expect } from "chai";
import * as mr from "../../../index";
import { decodeMessage } from "../../../portability/proto/messages";
import { pipelineForEngine } from "../../../portability/engine/engine_pipeline";
import { CoderUrns, MillraceUrns } from "../../../portability/urns";
import { customKeyCoderCounts } from "./custom_coder_pipelines";

describe("--runner=prism: grouping keys in a user's coder", function () {
  this.timeout(180_000);

  it("the submitted pipeline wraps the user's coder in a length prefix inside the GroupByKey's KV coder", () => {
    const proto = mr.portability.toProto(customKeyCoderCounts.create());
    const engine = decodeMessage(
      "Pipeline",
      pipelineForEngine(proto, { urn: "beam:env:external:v1", payload: new Uint8Array(0), capabilities: [], dependencies: [] } as never),
    );
    const c = engine.components!;
    const group = Object.values(c.transforms).find((t) => t.uniqueName === "Group")!;
    const kv = c.coders[c.pcollections[Object.values(group.inputs)[0]!]!.coderId]!;
    expect(kv.spec!.urn).to.equal(CoderUrns.KV);
    const key = c.coders[kv.componentCoderIds[0]!]!;
    expect(key.spec!.urn).to.equal(CoderUrns.LENGTH_PREFIX);
    expect(c.coders[key.componentCoderIds[0]!]!.spec!.urn).to.equal(MillraceUrns.USER_CODER);
    expect(c.coders[kv.componentCoderIds[1]!]!.spec!.urn, "the standard value coder is left alone").to.equal(CoderUrns.VARINT);
  });

  it("Prism groups them and the counts come out per key", async () => {
    const result = customKeyCoderCounts.create(["--runner=prism"]).run();
    expect(await result.waitUntilFinish()).to.equal("DONE");
    expect(result.metrics().counters[mr.testing.ASSERTIONS_PASSED_COUNTER]).to.equal(1);
  });
});
