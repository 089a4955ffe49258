package dev.millrace.peers.common;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The line a peer prints for bench/peers/compare.ts, the same tab-separated
 * {@code RESULT} line as the TypeScript workload scripts: flags, results,
 * digest, jobMs (the engine's own job time), cpuMs (this process's CPU
 * during the job, all threads), peakRssMiB (the process's peak resident
 * set so far), load (1-minute load average).
 */
public final class RunReport {
  private RunReport() {}

  /** CPU time of this process so far, all threads, in ms. */
  public static double processCpuMs() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime() / 1e6;
    return Double.NaN;
  }

  /** The process's peak resident set (VmHWM), in MiB; NaN where /proc is missing. */
  public static double peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    } catch (Exception e) {
      // not Linux: no figure
    }
    return Double.NaN;
  }

  /** Print the RESULT line. */
  public static void print(String flags, long results, long digest, double jobMs, double cpuMs) {
    System.out.println(
        String.join(
            "\t",
            "RESULT",
            "flags=" + flags,
            "warm=false",
            "results=" + results,
            "digest=" + digest,
            String.format("jobMs=%.0f", jobMs),
            String.format("cpuMs=%.0f", cpuMs),
            String.format("peakRssMiB=%.0f", peakRssMiB()),
            String.format("load=%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())));
  }
}
