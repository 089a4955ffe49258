/**
 * LeaderBoard, after Beam's mobile-gaming example: a generated, unbounded
 * stream of game events (user, team, score, event time), some arriving late.
 *
 * - Team scores per fixed window, with early (speculative) panes every few
 *   seconds of processing time, the on-time pane when the watermark passes
 *   the end of the window, and late panes for late events within the allowed
 *   lateness; accumulating, so each pane is the running total.
 * - User totals in the global window, re-emitted on a processing-time
 *   trigger.
 *
 *   npm run leaderboard                          # until Ctrl-C
 *   npm run leaderboard -- --maxDurationMs=20000 --teamWindowMs=5000
 */
import * as mr from "millrace";

interface GameEvent {
  user: string;
  team: string;
  score: number;
  /** How late the event arrives, in ms of event time. */
  delayMs: number;
  /** When the event was emitted (processing time). */
  emittedAt: number;
}

const TEAMS = ["red", "blue", "green", "amber"];

/** A deterministic pseudo-random event for sequence number `i`. */
function gameEvent(i: number, emittedAt: number): GameEvent {
  const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const team = TEAMS[h % TEAMS.length]!;
  const user = `${team}-player-${(h >>> 3) % 5}`;
  // One event in ten is late by up to eight seconds of event time.
  const delayMs = (h >>> 8) % 10 === 0 ? (h >>> 12) % 8_000 : 0;
  return { user, team, score: 1 + ((h >>> 16) % 10), delayMs, emittedAt };
}

function describePane(pane: mr.PaneInfo): string {
  return `${pane.timing.toLowerCase()} #${pane.index}${pane.isLast ? " (final)" : ""}`;
}

async function main(): Promise<void> {
  const options = mr.PipelineOptions.fromArgs(process.argv.slice(2), {
    flags: {
      eventsPerSecond: { type: "integer", min: 1, default: 200, description: "events generated per second" },
      teamWindowMs: { type: "integer", min: 1, default: 10_000, description: "size of the team-score windows" },
      allowedLatenessMs: { type: "integer", min: 0, default: 5_000, description: "how late events may be and still count" },
      earlyFiringMs: { type: "integer", min: 1, default: 2_000, description: "processing time between early team panes" },
      userUpdateMs: { type: "integer", min: 1, default: 5_000, description: "processing time between user-total updates" },
      maxDurationMs: { type: "integer", min: 1, description: "stop after this long (default: run until Ctrl-C)" },
    },
  });
  const p = mr.Pipeline.create(options);
  const perSecond = options.get<number>("eventsPerSecond")!;
  const periodMs = 50;

  const events = p
    .apply(
      "Generate",
      mr.generateSequence({ from: 0, periodMs, elementsPerPeriod: Math.max(1, Math.round((perSecond * periodMs) / 1000)) }),
    )
    .apply(
      "ToEvents",
      mr.map((i: number, ctx) => gameEvent(i, ctx.timestamp)),
    )
    // Event time is the emission time minus the event's delay: late events
    // look back in time, which Beam allows only within a declared skew.
    .apply(
      "EventTime",
      mr.withTimestamps((e: GameEvent) => e.emittedAt - e.delayMs, { allowedSkewMs: 8_000 }),
    );
  const teamWindowMs = options.get<number>("teamWindowMs")!;
  events
    .apply(
      "TeamWindows",
      mr.windowInto<GameEvent>(mr.windows.fixed(teamWindowMs), {
        trigger: mr.triggers.afterWatermark({
          early: mr.triggers.afterProcessingTime({ delayMs: options.get<number>("earlyFiringMs")! }),
          late: mr.triggers.afterCount(1),
        }),
        allowedLatenessMs: options.get<number>("allowedLatenessMs")!,
        accumulation: "accumulating",
      }),
    )
    .apply(
      "TeamScore",
      mr.map((e: GameEvent) => mr.kv(e.team, e.score)),
    )
    .apply("SumPerTeam", mr.combinePerKey(mr.combiners.sum()))
    .apply(
      "PrintTeams",
      mr.map((kv: mr.KV<string, number>, ctx) => {
        const w = ctx.window as mr.IntervalWindow;
        console.log(
          `team  ${kv.key.padEnd(6)} ${String(kv.value).padStart(6)}  window ${new Date(w.start).toISOString().slice(11, 19)} ${describePane(ctx.pane)}`,
        );
      }),
    );

  events
    .apply(
      "UserGlobalWindow",
      mr.windowInto<GameEvent>(mr.windows.global(), {
        trigger: mr.triggers.repeatedly(mr.triggers.afterProcessingTime({ delayMs: options.get<number>("userUpdateMs")! })),
        accumulation: "accumulating",
      }),
    )
    .apply(
      "UserScore",
      mr.map((e: GameEvent) => mr.kv(e.user, e.score)),
    )
    .apply("SumPerUser", mr.combinePerKey(mr.combiners.sum()))
    .apply("Leader", mr.combineGlobally(mr.combiners.top<mr.KV<string, number>>(3, (a, b) => a.value - b.value)))
    .apply(
      "PrintUsers",
      mr.map((top: mr.KV<string, number>[]) => {
        console.log(`users ${top.map((kv) => `${kv.key}=${kv.value}`).join("  ")}`);
      }),
    );

  const result = p.run();
  const stop = (): void => result.cancel();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const maxDurationMs = options.get<number>("maxDurationMs");
  const timer = maxDurationMs !== undefined ? setTimeout(stop, maxDurationMs) : undefined;
  const state = await result.waitUntilFinish();
  if (timer) clearTimeout(timer);
  const dropped = result.metrics().counters.droppedDueToLateness ?? 0;
  console.log(`${state.toLowerCase()}; ${dropped} events dropped as too late`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
