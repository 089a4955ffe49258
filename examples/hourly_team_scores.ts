/**
 * End to end: read events, give them their event time, window them by the
 * hour, sum the scores of each team in each hour, and write one line per team
 * and hour. The API reference's "End to end" page walks through it.
 *
 *   npx millrace run examples/hourly_team_scores.ts --output=/tmp/scores
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as mr from "millrace";

/** One line of the input: `user,team,score,ISO time`. */
interface Score {
  readonly user: string;
  readonly team: string;
  readonly score: number;
  readonly at: number;
}

function parseScore(line: string): Score {
  const [user, team, score, time] = line.split(",");
  const at = Date.parse(time ?? "");
  if (!user || !team || !Number.isFinite(Number(score)) || Number.isNaN(at)) throw new Error(`not 'user,team,score,ISO time': ${line}`);
  return { user, team, score: Number(score), at };
}

/** The bundled data: next to this file when run from source, or in the repo when run compiled from dist/. */
function bundledScores(): string {
  const beside = path.join(__dirname, "data", "scores.csv");
  return fs.existsSync(beside) ? beside : path.join(__dirname, "..", "..", "examples", "data", "scores.csv");
}

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), {
    flags: {
      input: { type: "string", description: "CSV file or glob of user,team,score,ISO time", default: bundledScores() },
      output: { type: "string", description: "prefix of the file written", default: "out/hourly_team_scores" },
    },
  });
  const p = mr.Pipeline.create(options);

  p.apply("Read", mr.io.readText(options.get<string>("input")!))
    .apply("Parse", mr.map(parseScore))
    // Event time is when the score happened, not when the line was read.
    .apply(
      "EventTime",
      mr.withTimestamps((s: Score) => s.at),
    )
    .apply("Hourly", mr.windowInto(mr.windows.fixed(60 * 60_000)))
    .apply(
      "ByTeam",
      mr.map((s: Score) => mr.kv(s.team, s.score)),
    )
    .apply("Sum", mr.combinePerKey(mr.combiners.sum()))
    .apply(
      "Format",
      mr.parDo<mr.KV<string, number>, string>({
        process({ key, value }, ctx) {
          ctx.output(`${new Date((ctx.window as mr.IntervalWindow).start).toISOString()} ${key} ${value}`);
        },
      }),
    )
    // One file for the whole input: back to the global window before writing.
    .apply("OneFile", mr.windowInto(mr.windows.global()))
    .apply("Write", mr.io.writeText(options.get<string>("output")!, { numShards: 1, suffix: ".txt" }));

  await p.run().waitUntilFinish();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
