/** The Kafka client layer's option checks and serializers, without a broker. */
import { expect } from "chai";
import { parseBootstrapServers } from "../../sdk/io/kafka/bootstrap";
import { checkSerde, deserializerFor, serializerFor } from "../../sdk/io/kafka/serde";
import { StringUtf8Coder } from "../../portability/coders/standard/string_utf8";

describe("Kafka bootstrapServers and serializers", () => {
  it("accepts host:port lists as a string or an array, IPv6 in brackets", () => {
    expect(parseBootstrapServers("127.0.0.1:9092", "W")).to.deep.equal(["127.0.0.1:9092"]);
    expect(parseBootstrapServers("a:1, b:2", "W")).to.deep.equal(["a:1", "b:2"]);
    expect(parseBootstrapServers(["[::1]:9092"], "W")).to.deep.equal(["[::1]:9092"]);
  });

  it("refuses malformed addresses naming the transform and the entry", () => {
    expect(() => parseBootstrapServers("localhost", "WriteClicks")).to.throw(TypeError, /WriteClicks: 'localhost' in bootstrapServers/);
    expect(() => parseBootstrapServers("h:0", "W")).to.throw(/port from 1 to 65535/);
    expect(() => parseBootstrapServers("", "W")).to.throw(/empty/);
    expect(() => parseBootstrapServers(9092, "W")).to.throw(/bootstrapServers must be/);
  });

  it("serializes strings, JSON, bytes and coder values, and reads them back", () => {
    const cases: Array<[Parameters<typeof serializerFor>[0], unknown]> = [
      ["string", "héllo"],
      ["json", { a: [1, 2], b: "x" }],
      ["bytes", new Uint8Array([1, 2, 3])],
      [new StringUtf8Coder(), "coded"],
    ];
    for (const [spec, v] of cases) {
      const bytes = serializerFor(spec, "W", "value")(v);
      expect(deserializerFor(spec)(bytes)).to.deep.equal(v);
    }
    expect(serializerFor("string", "W", "key")(undefined), "an absent key stays absent").to.equal(undefined);
  });

  it("a value that does not fit its serializer names the transform, the role and the value", () => {
    expect(() => serializerFor("string", "WriteClicks", "value")(42)).to.throw(
      TypeError,
      /WriteClicks: cannot serialize the value 42 as string/,
    );
    expect(() => serializerFor("bytes", "W", "key")("x")).to.throw(/the key "x" as bytes/);
    expect(() => checkSerde("xml", "W", "valueSerializer")).to.throw(/valueSerializer must be "string", "json", "bytes" or a coder/);
  });
});
