import * as mr from "millrace";
import type { Bid, NexmarkEvent } from "../model";
import { justBids } from "./util";

/** Output of {@link query12}. */
export interface BidsPerBidder {
  bidder: number;
  count: number;
}

/** Processing-time window of Query 12 (Beam: windowSizeSec, 10 s). */
export const QUERY12_WINDOW_MS = 10_000;

/**
 * Query 12, processing-time windows: the number of bids per bidder in
 * processing-time windows of 10 s: in the global window, a trigger that
 * fires 10 s of processing time after the first bid of a pane, repeatedly,
 * discarding what it fired. The split of the counts into panes depends on
 * timing (not deterministic); their sum per bidder is the bidder's number of
 * bids (the rest fires when the global window closes, at the end of a
 * bounded input).
 */
export function query12(events: mr.PCollection<NexmarkEvent>): mr.PCollection<BidsPerBidder> {
  return events
    .apply("Query12.Bids", justBids())
    .apply(
      "Query12.ByBidder",
      mr.map((b: Bid) => mr.kv(b.bidder, 1)),
    )
    .apply(
      "Query12.Window",
      mr.windowInto(mr.windows.global(), {
        trigger: mr.triggers.repeatedly(mr.triggers.afterProcessingTime({ delayMs: QUERY12_WINDOW_MS })),
        accumulation: "discarding",
      }),
    )
    .apply("Query12.Count", mr.countPerKey())
    .apply(
      "Query12.Project",
      mr.map(({ key, value }: mr.KV<number, number>): BidsPerBidder => ({ bidder: key, count: value })),
    );
}
