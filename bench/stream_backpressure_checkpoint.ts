/**
 * Checkpoint duration on the stream runner under backpressure, without and
 * with buffer debloating (`--bufferDebloatTargetMs`).
 *
 * An endless sequence, as fast as it goes, feeds a slow sink (a map that
 * busy-waits `--sinkMicros` per element) through a Reshuffle, so the sink
 * holds the whole job back and its input channels stay full. Each run lasts
 * `--seconds` with a checkpoint every `--checkpointingIntervalMs`, then is
 * cancelled. Prints per run: checkpoints completed, their duration (min /
 * mean / max, from `stream/checkpointDurationMs`: trigger at the sources to
 * the last acknowledgement) and the most records a barrier waited behind on
 * one channel (`stream/<task>/maxRecordsAheadOfBarrier`).
 *
 *   npm run bench:stream-backpressure [-- --seconds=20 --sinkMicros=200 --targets=0,100 --parallelism=2]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

const slowSinkForever = mr.definePipeline(
  "slowSinkForever",
  (p) => {
    const micros = p.options.get<number>("sinkMicros")!;
    p.apply(mr.generateSequence({ from: 0 }))
      // (An unbounded Reshuffle needs windows that end.)
      .apply(mr.windowInto(mr.windows.fixed(1000)))
      .apply(mr.reshuffle())
      .apply(
        "SlowSink",
        mr.map((x: number) => {
          const until = performance.now() + micros / 1000;
          while (performance.now() < until) {
            // A slow consumer.
          }
          return x;
        }),
      );
  },
  { flags: { sinkMicros: { type: "integer", min: 0, default: 200, description: "busy time of the slow sink per element, microseconds" } } },
);

function option(args: readonly string[], name: string, fallback: string): string {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

async function runOnce(common: readonly string[], targetMs: number, seconds: number): Promise<string> {
  const result = slowSinkForever.create([...common, `--bufferDebloatTargetMs=${targetMs}`]).run();
  const ended = result.waitUntilFinish();
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline && result.state !== "FAILED") await Promise.race([ended, new Promise((r) => setTimeout(r, 100))]);
  if (result.state === "FAILED") await ended;
  result.cancel();
  await ended;
  const m = result.metrics();
  const d = m.distributions["stream/checkpointDurationMs"];
  const ahead = Math.max(
    0,
    ...Object.entries(m.gauges)
      .filter(([k]) => k.endsWith("/maxRecordsAheadOfBarrier"))
      .map(([, g]) => g.value),
  );
  const sunk = Object.entries(m.counters)
    .filter(([k]) => /^stream\/.*\/recordsIn$/.test(k))
    .map(([k, v]) => `${k.split("/")[1]} ${v.toLocaleString("en-US")}`);
  const label = targetMs === 0 ? "debloating off" : `--bufferDebloatTargetMs=${targetMs}`;
  if (!d)
    return `  ${label.padEnd(28)} no checkpoint completed in ${seconds} s; most records ahead of a barrier ${ahead.toLocaleString("en-US")}`;
  return (
    `  ${label.padEnd(28)} ${String(d.count).padStart(4)} checkpoints in ${seconds} s, duration min ${d.min.toFixed(0)} / mean ${(d.sum / d.count).toFixed(0)} / max ${d.max.toFixed(0)} ms;` +
    ` most records ahead of a barrier ${ahead.toLocaleString("en-US")}; records in: ${sunk.join(", ")}`
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seconds = Number(option(argv, "seconds", "20"));
  const sinkMicros = option(argv, "sinkMicros", "200");
  const parallelism = option(argv, "parallelism", "2");
  const interval = option(argv, "checkpointingIntervalMs", "500");
  const targets = option(argv, "targets", "0,100").split(",").map(Number);
  const common = ["--runner=stream", `--parallelism=${parallelism}`, `--sinkMicros=${sinkMicros}`, `--checkpointingIntervalMs=${interval}`];
  console.log(
    `stream runner checkpoints under backpressure: endless fast sequence -> 1-s windows -> Reshuffle -> sink busy ${sinkMicros} us per element, --parallelism=${parallelism}, --checkpointingIntervalMs=${interval}, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  for (const t of targets) console.log(await runOnce(common, t, seconds));
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
