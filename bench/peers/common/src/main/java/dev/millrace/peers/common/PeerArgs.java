package dev.millrace.peers.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A peer's command line: {@code --workload=NAME --parallelism=N
 * [--events=N] [--words=N] [--vocabulary=N] [--keys=N]}, the flags of the
 * TypeScript workload scripts with the same defaults.
 */
public final class PeerArgs {
  public final String workload;
  public final int parallelism;
  public final int events;
  public final int words;
  public final int vocabulary;
  public final int keys;
  /** The flags as given, for the report. */
  public final String flags;

  private PeerArgs(Map<String, String> m, String flags) {
    this.workload = m.getOrDefault("workload", "");
    if (!Workloads.NAMES.contains(workload)) {
      throw new IllegalArgumentException("--workload must be one of " + Workloads.NAMES + ", got '" + workload + "'");
    }
    this.parallelism = positive(m, "parallelism", 1);
    this.events = positive(m, "events", 1_000_000);
    this.words = positive(m, "words", 1_000_000);
    this.vocabulary = positive(m, "vocabulary", 10_000);
    this.keys = positive(m, "keys", 10_000);
    this.flags = flags;
  }

  private static int positive(Map<String, String> m, String name, int fallback) {
    String raw = m.get(name);
    if (raw == null) return fallback;
    try {
      int v = Integer.parseInt(raw);
      if (v >= 1) return v;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--" + name + " takes a whole number >= 1, not '" + raw + "'");
  }

  /** Parse {@code --name=value} arguments; anything else is an error. */
  public static PeerArgs parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) throw new IllegalArgumentException("expected --name=value, got '" + a + "'");
      String name = a.substring(2, eq);
      if (!java.util.Set.of("workload", "parallelism", "events", "words", "vocabulary", "keys").contains(name)) {
        throw new IllegalArgumentException("unknown flag --" + name);
      }
      m.put(name, a.substring(eq + 1));
    }
    return new PeerArgs(m, String.join(" ", args));
  }
}
