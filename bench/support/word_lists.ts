/**
 * The word-count benchmarks' input: words drawn from a vocabulary of
 * `word<i in base 36>`, by a linear congruential sequence (the `create`
 * list; other benchmarks and the peers reproduce it) or by a multiplicative
 * hash of the index (the generated source, which needs random access so that
 * every source subtask can make its share). Lists are made once per thread:
 * timings measure the runners, not the making of the input.
 */

/** How the words are drawn. */
export type WordSource = "create" | "generated";

const vocabularies = new Map<number, string[]>();

/** The vocabulary of `size` distinct words, made once per thread. */
export function vocabularyOf(size: number): string[] {
  let vocabulary = vocabularies.get(size);
  if (!vocabulary) vocabularies.set(size, (vocabulary = Array.from({ length: size }, (_, i) => `word${i.toString(36)}`)));
  return vocabulary;
}

/** The i-th word of the generated source. */
export function generatedWordAt(i: number, vocabulary: readonly string[]): string {
  return vocabulary[(Math.imul(i, 2654435761) >>> 0) % vocabulary.length]!;
}

const wordLists = new Map<string, string[]>();

/** The first `n` words of `source` over a vocabulary of `vocabularySize`, made once per thread. */
export function makeWords(n: number, vocabularySize: number, source: WordSource = "create"): string[] {
  const key = `${n}/${vocabularySize}/${source}`;
  const cached = wordLists.get(key);
  if (cached) return cached;
  const vocabulary = vocabularyOf(vocabularySize);
  const words = new Array<string>(n);
  if (source === "generated") {
    for (let i = 0; i < n; i++) words[i] = generatedWordAt(i, vocabulary);
  } else {
    let seed = 12345;
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      words[i] = vocabulary[seed % vocabularySize]!;
    }
  }
  wordLists.set(key, words);
  return words;
}
