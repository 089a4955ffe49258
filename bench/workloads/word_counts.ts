/**
 * Word counts, the TypeScript side of the word count workloads shared with
 * the peers in bench/peers (Java: WordCounts.java).
 *
 * Vocabulary: V words (default 10,000), word j = "word" + j in base 36
 * (lower case). N words (default 1,000,000) are counted per word:
 *   create:    the words are a list made in the driver and fed through
 *              `mr.create` (Flink: `fromData`, Spark: `createDataset`), word
 *              i = vocabulary[seed_i mod V] with the LCG of bench/wordcount.ts:
 *              seed_0 = 12345, seed_{i+1} = (seed_i * 1103515245 + 12345) mod 2^31
 *              (32-bit wrapping multiplication), word i uses seed_{i+1};
 *   generated: the words come from a bounded number sequence 0..N-1, word
 *              i = vocabulary[((i * 2654435761) mod 2^32) mod V].
 * Each result (word, count) enters the digest (result_digest.ts) as
 * (wordHash(word), count), wordHash(w) = sum(charCode(k) * 31^k) mod 2^61-1.
 *
 *   node dist/bench/workloads/word_counts.js --workload=create|generated --runner=stream --parallelism=2
 *     [--words=1000000] [--vocabulary=10000] [--warmups=0] [--runs=1] [other runner flags]
 */
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";
import { runWorkloadMain } from "./measured_run";
import { wordHash } from "./result_digest";
import { tallyResults } from "./result_tally";

/** The workloads of this family, by `--workload` name. */
export const WORD_COUNT_WORKLOADS = ["create", "generated"] as const;

/** The vocabulary: word j is "word" + j in base 36. */
export function vocabulary(size: number): string[] {
  return Array.from({ length: size }, (_, j) => `word${j.toString(36)}`);
}

/** Word i of the generated workload's vocabulary index: Knuth's multiplicative hash mod 2^32, mod V. */
export function generatedWordIndex(i: number, vocabularySize: number): number {
  return (Math.imul(i, 2654435761 | 0) >>> 0) % vocabularySize;
}

/** The create workload's words (made once per process: executor threads rebuilding the pipeline make their own). */
export function createdWords(n: number, vocabularySize: number): string[] {
  const words = vocabulary(vocabularySize);
  const out = new Array<string>(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    out[i] = words[seed % vocabularySize]!;
  }
  return out;
}

/** The word count pipeline, defined in this module so that runners with worker threads rebuild it there. */
export const wordCounts = mr.definePipeline(
  "wordCounts",
  (p) => {
    const n = p.options.get<number>("words")!;
    const v = p.options.get<number>("vocabulary")!;
    const words =
      p.options.get<string>("workload") === "create"
        ? p.apply("Words", mr.create(createdWords(n, v)))
        : p.apply("Numbers", mr.generateSequence({ from: 0, to: n })).apply(
            "Words",
            mr.map(
              (
                (vocab: string[]) => (i: number) =>
                  vocab[generatedWordIndex(i, v)]!
              )(vocabulary(v)),
            ),
          );
    words.apply("Count", mr.countPerElement()).apply(
      "Tally",
      tallyResults((r: mr.KV<string, number>) => [wordHash(r.key), r.value]),
    );
  },
  {
    flags: {
      workload: { type: "string", default: "create", choices: WORD_COUNT_WORKLOADS, description: "where the words come from" },
      words: { type: "integer", default: 1_000_000, min: 1, description: "words to count" },
      vocabulary: { type: "integer", default: 10_000, min: 1, description: "distinct words" },
    },
  },
);

// Worker threads load this module to rebuild the pipeline; only a main thread that ran this file measures.
if (isMainThread && require.main === module) runWorkloadMain(wordCounts);
