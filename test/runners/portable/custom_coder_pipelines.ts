/**
 * A pipeline whose grouping keys use a user's coder that is not
 * self-delimiting (it writes a string's UTF-8 bytes and reads to the end):
 * an engine can only split such keys out of a KV and group them when the
 * coder is length-prefixed in the submitted pipeline
 * (`portability/engine/length_prefix_unknown_coders.ts`).
 */
import * as mr from "../../../index";

/** Raw UTF-8, no length: correct only where it is given exactly its own bytes (outer context, or inside a length prefix). */
export const rawUtf8Coder: mr.Coder<string> = {
  urn: "example:coder:raw_utf8:v1",
  components: [],
  deterministic: true,
  encode(value, writer) {
    writer.writeBytes(Buffer.from(value, "utf8"));
  },
  decode(reader) {
    return Buffer.from(reader.readBytes(reader.remaining)).toString("utf8");
  },
};

/** Counts words grouped by keys coded with {@link rawUtf8Coder}. */
export const customKeyCoderCounts = mr.definePipeline("custom key coder: counts per key", (p) => {
  const counts = p
    .apply("Words", mr.create(["otter", "heron", "otter", "kingfisher", "otter", "heron"]))
    .apply(
      "PairWithOne",
      mr.map((w: string) => mr.kv(w, 1)),
    )
    .setCoder(mr.coders.kv(rawUtf8Coder, mr.coders.varint()))
    .apply("Group", mr.groupByKey())
    .apply(
      "Count",
      mr.map((kv: mr.KV<string, Iterable<number>>) => `${kv.key}=${[...kv.value].length}`),
    );
  mr.testing.assertThat(counts).containsInAnyOrder(["otter=3", "heron=2", "kingfisher=1"]);
});
