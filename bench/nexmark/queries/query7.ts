import * as mr from "millrace";
import type { Bid, NexmarkEvent } from "../model";
import { justBids, windowEnd } from "./util";

/** Output of {@link query7}. */
export interface HighestBid {
  auction: number;
  price: number;
  bidder: number;
  dateTime: number;
  windowEnd: number;
}

/** Window size of Query 7 (Beam: 10 s). */
export const QUERY7_WINDOW_MS = 10_000;

/**
 * Query 7, highest bid: in fixed windows of 10 s, the bid(s) with the highest
 * price, as `{ auction, price, bidder, dateTime, windowEnd }` (all bids tied
 * for the highest price). As in Beam: the maximum price of each window is a
 * singleton side input, and the bids of the window are filtered against it.
 */
export function query7(events: mr.PCollection<NexmarkEvent>): mr.PCollection<HighestBid> {
  const bids = events.apply("Query7.Bids", justBids()).apply("Query7.Window", mr.windowInto(mr.windows.fixed(QUERY7_WINDOW_MS)));
  const maxPrice = bids
    .apply(
      "Query7.Prices",
      mr.map((b: Bid) => b.price),
    )
    .apply("Query7.MaxPrice", mr.combineGlobally(mr.combiners.max()));
  return bids.apply(
    "Query7.Select",
    mr.flatMap(
      (b: Bid, ctx): HighestBid[] =>
        b.price === ctx.sideInput("maxPrice")
          ? [{ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, windowEnd: windowEnd(ctx) }]
          : [],
      { sideInputs: { maxPrice: mr.views.singleton(maxPrice) } },
    ),
  );
}
