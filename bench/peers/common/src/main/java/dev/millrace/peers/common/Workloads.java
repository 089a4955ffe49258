package dev.millrace.peers.common;

import java.util.ArrayList;
import java.util.List;

/**
 * The workload definitions of bench/workloads (windowed_counts.ts,
 * word_counts.ts, nexmark_queries.ts) on the Java side: names, inputs and
 * the shape of each result, the same formulas so the digests agree.
 */
public final class Workloads {
  private Workloads() {}

  /** Every workload name a peer accepts. */
  public static final List<String> NAMES =
      List.of("wordcount-create", "wordcount-generated", "tumbling", "sliding", "sessions", "q0", "q1", "q5", "q7");

  /** Knuth's multiplicative hash of {@code i} mod 2^32, mod {@code buckets}: the windowed key and the generated word. */
  public static long hashIndex(long i, long buckets) {
    return ((i * 2654435761L) & 0xffffffffL) % buckets;
  }

  /** The event time (ms) of windowed event {@code i}. */
  public static long windowedTimestamp(long i) {
    return i / 100;
  }

  /** The vocabulary: word j is "word" + j in base 36. */
  public static String[] vocabulary(int size) {
    String[] words = new String[size];
    for (int j = 0; j < size; j++) words[j] = "word" + Integer.toString(j, 36);
    return words;
  }

  /** The create workload's words: the LCG of bench/wordcount.ts. */
  public static List<String> createdWords(int n, int vocabularySize) {
    String[] vocabulary = vocabulary(vocabularySize);
    List<String> out = new ArrayList<>(n);
    int seed = 12345;
    for (int i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      out.add(vocabulary[seed % vocabularySize]);
    }
    return out;
  }

  /** A word count result's tuple. */
  public static long[] wordCountFields(String word, long count) {
    return new long[] {ResultDigest.wordHash(word), count};
  }
}
