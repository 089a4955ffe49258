/**
 * How long a user sees nothing when a DoFn throws the same error on the
 * same element every time: a paced sequence (default 20,000 elements over
 * 1 s) whose DoFn throws on the middle element, run on the stream runner
 * (default --restartAttempts, --restartDelayMs) and on the micro-batch runner
 * (default --maxTaskAttempts, bounded input). Prints, per runner, the wall
 * time from run() to the job's error, and the error's first line, which says
 * how many restarts or attempts were made.
 *
 *   npm run bench:deterministic-failure [-- --count=20000 --runs=3]
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";

const failsMidway = mr.definePipeline(
  "failsMidway",
  (p) => {
    const count = p.options.get<number>("count")!;
    p.apply(
      "Events",
      mr.generateSequence({ from: 0, to: count, periodMs: 1, elementsPerPeriod: Math.max(1, Math.round(count / 1000)) }),
    ).apply(
      "Reject",
      mr.map((x: number) => {
        if (x === Math.floor(count / 2)) throw new RangeError(`element ${x} is not allowed`);
        return x;
      }),
    );
  },
  { flags: { count: { type: "integer", min: 2, default: 20_000, description: "elements, emitted over about one second" } } },
);

function option(argv: readonly string[], name: string, fallback: string): string {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

async function timeToError(args: readonly string[]): Promise<{ ms: number; firstLine: string }> {
  const started = performance.now();
  try {
    await failsMidway
      .create([...args])
      .run()
      .waitUntilFinish();
  } catch (e) {
    return { ms: performance.now() - started, firstLine: (e as Error).message.split("\n")[0]! };
  }
  throw new Error(`the job did not fail: ${args.join(" ")}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const count = Number(option(argv, "count", "20000"));
  const runs = Number(option(argv, "runs", "3"));
  console.log(
    `time until a deterministic DoFn error reaches the user: ${count.toLocaleString("en-US")} elements, ${runs} runs each, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  for (const runner of [
    ["--runner=stream", "--parallelism=2"],
    ["--runner=microbatch", "--executors=2"],
  ]) {
    const args = [...runner, `--count=${count}`];
    const times: number[] = [];
    let firstLine = "";
    for (let i = 0; i < runs; i++) {
      const r = await timeToError(args);
      times.push(r.ms);
      firstLine = r.firstLine;
    }
    times.sort((a, b) => a - b);
    console.log(
      `  ${runner[0]!.padEnd(20)} median ${Math.round(times[Math.floor(times.length / 2)]!)} ms (min ${Math.round(times[0]!)}, max ${Math.round(times[times.length - 1]!)}): ${firstLine}`,
    );
  }
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
