import * as mr from "millrace";
import type { Bid, NexmarkEvent } from "../model";
import { justBids, windowEnd } from "./util";

/** Output of {@link query11}. */
export interface BidsPerSession {
  bidder: number;
  count: number;
  windowEnd: number;
}

/** Session gap of Query 11 (Beam: windowSizeSec, 10 s). */
export const QUERY11_GAP_MS = 10_000;

/**
 * Query 11, user sessions: per bidder, session windows closed by 10 s
 * without a bid; for each session the number of bids, as `{ bidder, count,
 * windowEnd }` (the session's end: its last bid's time plus the gap). Beam
 * also fires early every `maxLogEvents` bids; with the default trigger there
 * is one result per session.
 */
export function query11(events: mr.PCollection<NexmarkEvent>): mr.PCollection<BidsPerSession> {
  return events
    .apply("Query11.Bids", justBids())
    .apply(
      "Query11.ByBidder",
      mr.map((b: Bid) => mr.kv(b.bidder, 1)),
    )
    .apply("Query11.Sessions", mr.windowInto(mr.windows.sessions(QUERY11_GAP_MS)))
    .apply("Query11.Count", mr.countPerKey())
    .apply(
      "Query11.Project",
      mr.map(({ key, value }: mr.KV<number, number>, ctx): BidsPerSession => ({ bidder: key, count: value, windowEnd: windowEnd(ctx) })),
    );
}
