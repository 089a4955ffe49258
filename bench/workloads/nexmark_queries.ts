/**
 * Nexmark queries 0, 1, 5 and 7 as peer workloads: bench/nexmark's
 * generator and queries (reused, not copied), with each result reduced to a
 * tuple of whole numbers for the order-independent digest
 * (result_digest.ts). The Java peers (bench/peers, NexmarkGenerator.java)
 * generate the identical events with a port of the generator's formulas:
 * every event is a pure function of (seed, event number), so each side
 * generates its events where they are consumed, as a real source would,
 * and neither pays for reading a file the other wrote. The digests prove
 * the port exact.
 *
 * Events: Beam's default Nexmark configuration (bench/nexmark/model.ts,
 * seed 1, 1 person : 3 auctions : 46 bids, 10,000 events per second of event
 * time, in order), N events (default 1,000,000). Result tuples:
 *   q0 (pass-through): person  [0, id, dateTime, name length, email length, extra length]
 *                      auction [1, id, dateTime, seller, category, initialBid, reserve, extra length]
 *                      bid     [2, auction, bidder, price, dateTime, extra length]
 *   q1 (bids in euros): [auction, bidder, floor(price * 89 / 100), dateTime]
 *   q5 (hot items, 10-s windows every 5 s): [auction, count, windowEnd]
 *   q7 (highest bid, 10-s windows): [auction, price, bidder, dateTime, windowEnd]
 *
 *   node dist/bench/workloads/nexmark_queries.js --workload=q0|q1|q5|q7 --runner=stream --parallelism=2
 *     [--events=1000000] [--warmups=0] [--runs=1] [other runner flags]
 */
import { isMainThread } from "node:worker_threads";
import * as mr from "millrace";
import { DEFAULT_NEXMARK_CONFIG, type Bid, type NexmarkEvent } from "../nexmark/model";
import { nexmarkSource, query0, query1, query5, query7 } from "../nexmark/queries";
import type { AuctionCount } from "../nexmark/queries/query5";
import type { HighestBid } from "../nexmark/queries/query7";
import { runWorkloadMain } from "./measured_run";
import { tallyResults } from "./result_tally";

/** The workloads of this family, by `--workload` name. */
export const NEXMARK_WORKLOADS = ["q0", "q1", "q5", "q7"] as const;
type NexmarkWorkload = (typeof NEXMARK_WORKLOADS)[number];

/** A q0 result (an event) as a tuple. */
export function eventFields(e: NexmarkEvent): number[] {
  if ("person" in e) {
    const p = e.person;
    return [0, p.id, p.dateTime, p.name.length, p.emailAddress.length, p.extra.length];
  }
  if ("auction" in e) {
    const a = e.auction;
    return [1, a.id, a.dateTime, a.seller, a.category, a.initialBid, a.reserve, a.extra.length];
  }
  const b = e.bid;
  return [2, b.auction, b.bidder, b.price, b.dateTime, b.extra.length];
}

/** Each query with its result's tuple. */
function queryWithTally(workload: NexmarkWorkload, events: mr.PCollection<NexmarkEvent>): void {
  switch (workload) {
    case "q0":
      query0(events).apply("Tally", tallyResults(eventFields));
      return;
    case "q1":
      query1(events).apply(
        "Tally",
        tallyResults((b: Bid) => [b.auction, b.bidder, b.price, b.dateTime]),
      );
      return;
    case "q5":
      query5(events).apply(
        "Tally",
        tallyResults((r: AuctionCount) => [r.auction, r.count, r.windowEnd]),
      );
      return;
    case "q7":
      query7(events).apply(
        "Tally",
        tallyResults((r: HighestBid) => [r.auction, r.price, r.bidder, r.dateTime, r.windowEnd]),
      );
      return;
  }
}

/** The Nexmark workloads' pipeline, defined in this module so that runners with worker threads rebuild it there. */
export const nexmarkQueries = mr.definePipeline(
  "nexmarkQueries",
  (p) => {
    const config = { ...DEFAULT_NEXMARK_CONFIG, numEvents: p.options.get<number>("events")! };
    queryWithTally(p.options.get<string>("workload") as NexmarkWorkload, p.apply("Events", nexmarkSource(config)));
  },
  {
    flags: {
      workload: { type: "string", default: "q0", choices: NEXMARK_WORKLOADS, description: "which Nexmark query" },
      events: { type: "integer", default: 1_000_000, min: 1, description: "events to generate" },
    },
  },
);

// Worker threads load this module to rebuild the pipeline; only a main thread that ran this file measures.
if (isMainThread && require.main === module) runWorkloadMain(nexmarkQueries);
