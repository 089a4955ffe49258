package dev.millrace.peers.common;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Lets a test compare the Java ports with the TypeScript originals without
 * starting Flink or Spark: reads commands from stdin, one per line, and
 * prints one answer per command.
 *
 *   digest F0 F1 ...   -> the result digest of the tuple
 *   word W             -> ResultDigest.wordHash(W)
 *   event N            -> event N's q0 tuple (NexmarkGenerator), space-separated
 *   words N V          -> the digest sum of (wordHash, 1) over the first N create-workload words of vocabulary V
 */
public final class PortCheck {
  private PortCheck() {}

  public static void main(String[] args) throws Exception {
    NexmarkGenerator generator = new NexmarkGenerator();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] parts = line.trim().split(" ");
      switch (parts[0]) {
        case "digest" -> {
          long[] fields = new long[parts.length - 1];
          for (int i = 1; i < parts.length; i++) fields[i - 1] = Long.parseLong(parts[i]);
          out.append(ResultDigest.of(fields));
        }
        case "word" -> out.append(ResultDigest.wordHash(parts[1]));
        case "event" -> {
          long[] fields = generator.eventAt(Long.parseLong(parts[1])).fields();
          for (int i = 0; i < fields.length; i++) out.append(i == 0 ? "" : " ").append(fields[i]);
        }
        case "words" -> {
          long sum = 0;
          for (String w : Workloads.createdWords(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]))) {
            sum = ResultDigest.add(sum, ResultDigest.of(ResultDigest.wordHash(w), 1));
          }
          out.append(sum);
        }
        default -> throw new IllegalArgumentException("unknown command: " + line);
      }
      out.append('\n');
    }
    System.out.print(out);
  }
}
