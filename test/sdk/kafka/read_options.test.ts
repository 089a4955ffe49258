import { expect } from "chai";
import { resolveKafkaReadOptions, type KafkaReadOptions } from "../../../sdk/io/kafka/read_options";

describe("kafka source: options", () => {
  const base = { bootstrapServers: "127.0.0.1:9092", topics: ["t"] };

  it("fills in Kafka's and Flink's defaults: earliest, read_committed, string values", () => {
    const o = resolveKafkaReadOptions(base);
    expect(o.startFrom).to.equal("earliest");
    expect(o.readCommitted).to.equal(true);
    expect(o.valueDeserializer).to.equal("string");
    expect(o.bootstrapServers).to.deep.equal(["127.0.0.1:9092"]);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["no address", { topics: ["t"] }, /bootstrapServers is required/],
    ["an address without port", { bootstrapServers: "localhost", topics: ["t"] }, /'localhost' in bootstrapServers is not "host:port"/],
    ["neither topics nor pattern", { bootstrapServers: "h:1" }, /give topics or a topicPattern/],
    ["both topics and pattern", { ...base, topicPattern: "x.*" }, /not both/],
    ["a bad start", { ...base, startFrom: "beginning" }, /startFrom must be/],
    ["committed without group", { ...base, startFrom: "committed" }, /needs a groupId/],
    ["a bad deserializer", { ...base, valueDeserializer: "avro" }, /valueDeserializer must be/],
    ["a negative bound", { ...base, maxRecords: 0 }, /maxRecords must be a whole number >= 1/],
    ["an unknown option", { ...base, maxRecord: 5 }, /unknown option 'maxRecord'/],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what}, naming the option`, () => {
      const attempt = () => resolveKafkaReadOptions(options as unknown as KafkaReadOptions);
      expect(attempt).to.throw(/^mr\.io\.kafka\.read: /);
      expect(attempt).to.throw(message);
    });
  }
});
