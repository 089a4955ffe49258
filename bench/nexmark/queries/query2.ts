import * as mr from "millrace";
import type { Bid, NexmarkEvent } from "../model";
import { justBids } from "./util";

/** Output of {@link query2}. */
export interface AuctionPrice {
  auction: number;
  price: number;
}

/**
 * Query 2, selection: `{ auction, price }` of the bids on auctions whose id is
 * a multiple of 123.
 */
export function query2(events: mr.PCollection<NexmarkEvent>): mr.PCollection<AuctionPrice> {
  return events
    .apply("Query2.Bids", justBids())
    .apply(
      "Query2.Select",
      mr.filter((b: Bid) => b.auction % 123 === 0),
    )
    .apply(
      "Query2.Project",
      mr.map((b: Bid): AuctionPrice => ({ auction: b.auction, price: b.price })),
    );
}
