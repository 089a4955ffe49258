/**
 * Time to recover from a killed worker on the stream runner. A paced
 * sequence (default 50,000 elements/s for 8 s) is keyed, counted per key by
 * a stateful ParDo, and measured at the end: each element's lag is how late
 * it is processed behind the source's schedule (`now - (start + n / rate)`;
 * the start travels as a pipeline flag). The same job runs uninterrupted,
 * then with task manager thread 1 exiting mid-stream (the runner's test hook,
 * MILLRACE_STREAM_FAULTS, kind "exit"): the job restarts from its last
 * completed checkpoint (--checkpointingIntervalMs, default 200), the source
 * resumes its pace from the checkpointed offset, and the elements due
 * meanwhile are replayed at once. The largest lag is then the time from that
 * checkpoint to the job being caught up again: the recovery gap. Also prints
 * the jobs' wall times, restarts, and checks that both counted every element
 * exactly once (counters are committed with checkpoints).
 *
 *   npm run bench:stream-recovery [-- --rate=50000 --seconds=8 --checkpointingIntervalMs=200 --runs=3]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

const recoveryPipeline = mr.definePipeline(
  "streamRecovery",
  (p) => {
    const rate = p.options.get<number>("rate")!;
    const seconds = p.options.get<number>("seconds")!;
    const start = p.options.get<number>("start")!;
    const perMs = Math.max(1, Math.round(rate / 1000));
    const total = perMs * 1000 * seconds;
    p.apply("Events", mr.generateSequence({ from: 0, to: total, periodMs: 1, elementsPerPeriod: perMs }))
      .apply(
        "Key",
        mr.withKeys((x: number) => x % 1000),
      )
      .apply(
        "CountPerKey",
        mr.parDo({
          state: { count: mr.state.value<number>() },
          process({ value }: mr.KV<number, number>, ctx) {
            ctx.state.count.write((ctx.state.count.read() ?? 0) + 1);
            ctx.output(value);
          },
        }),
      )
      .apply(
        "Lag",
        mr.map((x: number, ctx) => {
          ctx.metrics.counter("elements").inc();
          ctx.metrics.distribution("lagMs").update(Date.now() - (start + x / perMs));
          return x;
        }),
      );
  },
  {
    flags: {
      rate: { type: "integer", min: 1000, default: 50_000, description: "elements per second" },
      seconds: { type: "integer", min: 1, default: 8, description: "how long the source emits" },
      start: { type: "number", default: 0, description: "when the job started (epoch ms), for the lag" },
    },
  },
);

interface Run {
  readonly wallMs: number;
  readonly maxLagMs: number;
  readonly restarts: number;
  readonly checkpoints: number;
}

async function runOnce(args: readonly string[], expected: number, fault: string | undefined): Promise<Run> {
  if (fault) process.env.MILLRACE_STREAM_FAULTS = fault;
  else delete process.env.MILLRACE_STREAM_FAULTS;
  const start = Date.now();
  const t0 = performance.now();
  try {
    const result = recoveryPipeline.create(["--runner=stream", ...args, `--start=${start}`]).run();
    await result.waitUntilFinish();
    const wallMs = performance.now() - t0;
    const m = result.metrics();
    const counted = m.counters.elements ?? 0;
    if (counted !== expected) throw new Error(`counted ${counted} elements, expected ${expected} (fault: ${fault ?? "none"})`);
    return {
      wallMs,
      maxLagMs: m.distributions.lagMs!.max,
      restarts: m.counters["stream/restarts"] ?? 0,
      checkpoints: m.counters["stream/checkpoints"] ?? 0,
    };
  } finally {
    delete process.env.MILLRACE_STREAM_FAULTS;
  }
}

function option(args: readonly string[], name: string, fallback: string): string {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const describe = (xs: readonly number[]): string =>
  `${median(xs).toFixed(0)} ms (runs ${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)})`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rate = Number(option(argv, "rate", "50000"));
  const seconds = Number(option(argv, "seconds", "8"));
  const interval = Number(option(argv, "checkpointingIntervalMs", "200"));
  const runs = Number(option(argv, "runs", "3"));
  const perMs = Math.max(1, Math.round(rate / 1000));
  const total = perMs * 1000 * seconds;
  const args = [`--rate=${rate}`, `--seconds=${seconds}`, "--parallelism=2", `--checkpointingIntervalMs=${interval}`];
  // Worker 1 takes in about `total` records (its source split and its share of the keyed stage): fail half-way.
  const fault = JSON.stringify([{ worker: 1, afterRecords: Math.round(total / 2), kind: "exit", attempt: 0 }]);
  await runOnce(args, total, undefined); // warm-up: task manager threads, code
  const plain: Run[] = [];
  const killed: Run[] = [];
  for (let i = 0; i < runs; i++) {
    plain.push(await runOnce(args, total, undefined));
    killed.push(await runOnce(args, total, fault));
  }
  console.log(
    `stream runner recovery from a killed task manager thread: ${rate.toLocaleString("en-US")} elements/s for ${seconds} s, keyed count, --parallelism=2, --checkpointingIntervalMs=${interval}, ${runs} runs each, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(
    `  uninterrupted       wall ${describe(plain.map((r) => r.wallMs))}, max lag behind the source ${describe(plain.map((r) => r.maxLagMs))}, restarts ${plain.map((r) => r.restarts).join("/")}`,
  );
  console.log(
    `  thread 1 killed     wall ${describe(killed.map((r) => r.wallMs))}, max lag behind the source ${describe(killed.map((r) => r.maxLagMs))}, restarts ${killed.map((r) => r.restarts).join("/")}`,
  );
  console.log(
    `  recovery gap (max lag, killed - uninterrupted): ${describe(killed.map((r, i) => r.maxLagMs - plain[i]!.maxLagMs))}; extra wall time ${describe(killed.map((r, i) => r.wallMs - plain[i]!.wallMs))}`,
  );
  console.log(`  every run counted all ${total.toLocaleString("en-US")} elements exactly once`);
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
