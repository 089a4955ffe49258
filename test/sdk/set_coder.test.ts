import { expect } from "chai";
import * as mr from "../../index";
import { decodeMessage } from "../../portability/proto/messages";
import { MillraceUrns, CoderUrns } from "../../portability/urns";

/** A user's own coder: fixed-point prices in cents, as a varint. */
const centsCoder: mr.Coder<number> = {
  urn: "example:coder:cents:v1",
  components: [],
  deterministic: true,
  encode(value, writer) {
    writer.writeVarint(Math.round(value * 100));
  },
  decode(reader) {
    return reader.readVarint() / 100;
  },
};

describe("setting coders", () => {
  it("a standard coder set by the user goes into the proto and is used by the runner", async () => {
    const p = mr.Pipeline.create();
    const pairs = p
      .apply(mr.create([mr.kv("a", 1), mr.kv("b", 2), mr.kv("a", 3)]))
      .setCoder(mr.coders.kv(mr.coders.stringUtf8(), mr.coders.varint()));
    const sums = pairs.apply(mr.combinePerKey(mr.combiners.sum()));
    mr.testing.assertThat(sums).containsInAnyOrder([mr.kv("a", 4), mr.kv("b", 2)]);
    const proto = decodeMessage("Pipeline", mr.portability.toProto(p));
    const coderId = proto.components!.pcollections[pairs.id]!.coderId;
    const coder = proto.components!.coders[coderId]!;
    expect(coder.spec!.urn).to.equal(CoderUrns.KV);
    expect(coder.componentCoderIds.map((id) => proto.components!.coders[id]!.spec!.urn)).to.deep.equal([
      CoderUrns.STRING_UTF8,
      CoderUrns.VARINT,
    ]);
    await p.run().waitUntilFinish();
  });

  it("an element its standard coder cannot encode fails the run naming the producer", async () => {
    const p = mr.Pipeline.create();
    p.apply("Numbers", mr.create([1.5]))
      .apply(
        "Ints",
        mr.map((x: number) => x),
      )
      .setCoder(mr.coders.varint());
    let error: mr.PipelineExecutionError | undefined;
    await p
      .run()
      .waitUntilFinish()
      .catch((e) => (error = e));
    expect(error).to.be.instanceOf(mr.PipelineExecutionError);
    expect(error!.transform).to.equal("Ints");
    expect(error!.message).to.include("cannot be encoded").and.include("beam:coder:varint:v1");
  });

  it("a user's own coder travels by reference and round-trips every element", async () => {
    const p = mr.Pipeline.create();
    const prices = p
      .apply("Prices", mr.create([1.25, 2.5]))
      .apply(
        "Rounded",
        mr.map((x: number) => x + 0.001),
      )
      .setCoder(centsCoder);
    // Encodability is on: the consumer sees the decoded copy, so the coder's rounding shows.
    mr.testing.assertThat(prices.map((x) => x)).containsInAnyOrder([1.25, 2.5]);
    const proto = decodeMessage("Pipeline", mr.portability.toProto(p));
    const coder = proto.components!.coders[proto.components!.pcollections[prices.id]!.coderId]!;
    expect(coder.spec!.urn).to.equal(MillraceUrns.USER_CODER);
    let error: Error | undefined;
    await p
      .run()
      .waitUntilFinish()
      .catch((e) => (error = e));
    // 1.251 does not survive the cents coder: the direct runner says so, naming the producer.
    expect(error?.message).to.include("does not survive its coder example:coder:cents:v1").and.include("'Rounded'");
  });
});
