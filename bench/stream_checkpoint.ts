/**
 * Checkpoint duration and size on the stream runner with 1,000,000 keys in
 * keyed state: a stateful ParDo keeps a count per key (a value state cell)
 * for keys 0..999,999, read from a bounded sequence, while an endless slow
 * sequence (10 elements/s, over the same keys) keeps the job running and
 * its watermark short of the end of the global window (which would clear
 * the state).
 *
 * Two jobs share a checkpoint directory (a temporary one):
 * 1. fill: runs until a completed checkpoint holds every key (the
 *    per-key "new key" counter, committed with the checkpoints, reaches
 *    the key count), then is cancelled;
 * 2. measure: restarts from that checkpoint (`--fromCheckpoint`), so every
 *    checkpoint it takes holds all the keys, and runs until it has completed
 *    `--checkpoints` of them (or `--maxSeconds` have passed).
 * Prints the measure job's checkpoint count, duration (min / mean / max,
 * from `stream/checkpointDurationMs`: trigger at the sources to the
 * metadata written, fsync included) and size (`stream/checkpointSizeBytes`,
 * and per subtask from the checkpoint files), and how long the fill job took
 * to get a checkpoint of every key.
 *
 * The fill job checkpoints every `--fillCheckpointingIntervalMs` (default
 * 10 s: each checkpoint stops its subtasks while they snapshot).
 *
 *   npm run bench:stream-checkpoint [-- --keys=1000000 --checkpoints=3 --checkpointingIntervalMs=1000 --parallelism=2]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

const keyedState = mr.definePipeline(
  "streamCheckpointKeys",
  (p) => {
    const keys = p.options.get<number>("keys")!;
    const fill = p.apply("Fill", mr.generateSequence({ from: 0, to: keys }));
    const trickle = p.apply("Trickle", mr.generateSequence({ from: 0, periodMs: 100 })).apply(
      "OnKeys",
      mr.map((x: number) => x % keys),
    );
    p.apply("Both", mr.flatten([fill, trickle]))
      .apply(
        "Key",
        mr.withKeys((x: number) => x),
      )
      .apply(
        "CountPerKey",
        mr.parDo({
          state: { count: mr.state.value<number>() },
          process(_el: mr.KV<number, number>, ctx) {
            const count = ctx.state.count.read();
            if (count === undefined) ctx.metrics.counter("keys").inc();
            ctx.state.count.write((count ?? 0) + 1);
          },
        }),
      );
  },
  { flags: { keys: { type: "integer", min: 1, default: 1_000_000, description: "distinct keys in state" } } },
);

function option(args: readonly string[], name: string, fallback: string): string {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const keys = Number(option(argv, "keys", "1000000"));
  const wanted = Number(option(argv, "checkpoints", "3"));
  const maxSeconds = Number(option(argv, "maxSeconds", "300"));
  const interval = Number(option(argv, "checkpointingIntervalMs", "1000"));
  const fillInterval = Number(option(argv, "fillCheckpointingIntervalMs", "10000"));
  const parallelism = option(argv, "parallelism", "2");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-checkpoint-bench-"));
  const common = [
    "--runner=stream",
    `--keys=${keys}`,
    `--parallelism=${parallelism}`,
    `--checkpointDir=${dir}`,
    "--retainedCheckpoints=100",
  ];
  try {
    // 1. Fill.
    const fillStart = performance.now();
    const fill = keyedState.create([...common, `--checkpointingIntervalMs=${fillInterval}`]).run();
    let filledAfterMs: number | undefined;
    const ended = fill.waitUntilFinish();
    while (filledAfterMs === undefined) {
      await Promise.race([ended, new Promise((r) => setTimeout(r, 50))]);
      if (fill.state === "FAILED") await ended;
      if ((fill.metrics().counters.keys ?? 0) >= keys) filledAfterMs = performance.now() - fillStart;
    }
    fill.cancel();
    await ended;
    const restoredIds = completedIds(dir);

    // 2. Measure, from the last checkpoint of the fill job.
    const restoredId = Math.max(...restoredIds);
    const measureStart = performance.now();
    const measure = keyedState.create([...common, `--checkpointingIntervalMs=${interval}`, `--fromCheckpoint=${dir}`]).run();
    const measured = measure.waitUntilFinish();
    while (completedIds(dir).filter((id) => id > restoredId).length < wanted && performance.now() - measureStart < maxSeconds * 1000) {
      await Promise.race([measured, new Promise((r) => setTimeout(r, 20))]);
      if (measure.state === "FAILED") await measured;
    }
    const measureSeconds = (performance.now() - measureStart) / 1000;
    measure.cancel();
    await measured;
    const m = measure.metrics();
    const d = m.distributions["stream/checkpointDurationMs"];
    const s = m.distributions["stream/checkpointSizeBytes"];
    if (!d || !s) throw new Error(`no checkpoint completed in ${measureSeconds.toFixed(0)} s`);
    const newIds = completedIds(dir).filter((id) => id > restoredId);
    const perSubtask: number[] = [];
    for (const id of newIds) {
      const cdir = path.join(dir, `chk-${String(id).padStart(6, "0")}`);
      // _metadata is { crc32, metadata: "<JSON>" }: the checksum covers the inner JSON.
      const outer = JSON.parse(fs.readFileSync(path.join(cdir, "_metadata"), "utf8")) as { metadata: string };
      const meta = JSON.parse(outer.metadata) as { files: string[][] };
      const keyed = meta.files.map((perVertex) => perVertex.map((f) => fs.statSync(path.join(cdir, f)).size));
      // The stateful task holds the keyed state: its subtasks' files are the large ones.
      const biggest = keyed.reduce((a, b) => (b.reduce((x, y) => x + y, 0) > a.reduce((x, y) => x + y, 0) ? b : a));
      perSubtask.push(...biggest);
    }
    console.log(
      `stream runner checkpoints with ${keys.toLocaleString("en-US")} keys in state (value state per key), --parallelism=${parallelism}, --checkpointingIntervalMs=${interval} (fill job ${fillInterval}), ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log(`  fill job: every key in a completed checkpoint after ${(filledAfterMs / 1000).toFixed(1)} s`);
    console.log(`  measure job (restored from that checkpoint): ${d.count} checkpoints in ${measureSeconds.toFixed(1)} s`);
    console.log(`  duration  min ${d.min.toFixed(0)} ms, mean ${(d.sum / d.count).toFixed(0)} ms, max ${d.max.toFixed(0)} ms`);
    console.log(
      `  size      mean ${mb(s.sum / s.count)} (min ${mb(s.min)}, max ${mb(s.max)}; ${(s.sum / s.count / keys).toFixed(1)} bytes per key)` +
        (perSubtask.length > 0 ? `; keyed state per subtask ${mb(Math.min(...perSubtask))}..${mb(Math.max(...perSubtask))}` : ""),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function completedIds(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((n) => /^chk-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(dir, m[0], "_metadata")))
    .map((m) => Number(m[1]));
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
