import * as mr from "millrace";
import type { Auction, Bid, NexmarkEvent } from "../model";
import { justAuctions, justBids } from "./util";

/** An auction with its winning bid. */
export interface AuctionBid {
  auction: Auction;
  bid: Bid;
}

/**
 * Whether bid `a` beats bid `b` (Beam's `PRICE_THEN_DESCENDING_TIME`): a
 * higher price, or the same price placed earlier; on a full tie, the lower
 * bidder id (so that the result does not depend on arrival order).
 */
export function beats(a: Bid, b: Bid): boolean {
  if (a.price !== b.price) return a.price > b.price;
  if (a.dateTime !== b.dateTime) return a.dateTime < b.dateTime;
  return a.bidder < b.bidder;
}

/**
 * The winning bid of each closed auction (Beam's `WinningBids`): the highest
 * valid bid, where a bid is valid when placed while the auction was open
 * (`auction.dateTime <= bid.dateTime < auction.expires`) at or above its
 * reserve price; ties go to the earliest bid. Auctions without a valid bid
 * have no winner and are left out.
 *
 * Beam assigns auctions and bids to a custom window per auction, closed at
 * its expiry; here auctions and bids are joined by auction id with
 * `coGroupByKey` in the input's windowing (the global window), which for a
 * bounded input closes every auction at the end of the input.
 */
export function winningBids(): mr.PTransform<mr.PCollection<NexmarkEvent>, mr.PCollection<AuctionBid>> {
  return mr.ptransform("WinningBids", (events: mr.PCollection<NexmarkEvent>): mr.PCollection<AuctionBid> => {
    const auctions = events.apply("Auctions", justAuctions()).apply(
      "ById",
      mr.map((a: Auction) => mr.kv(a.id, a)),
    );
    const bids = events.apply("Bids", justBids()).apply(
      "ByAuction",
      mr.map((b: Bid) => mr.kv(b.auction, b)),
    );
    return events.pipeline.apply("CoGroup", mr.coGroupByKey({ auction: auctions, bid: bids })).apply(
      "BestBid",
      mr.flatMap(({ value }: mr.KV<number, { auction: Auction[]; bid: Bid[] }>) => {
        const out: AuctionBid[] = [];
        for (const auction of value.auction) {
          let best: Bid | undefined;
          for (const bid of value.bid) {
            if (bid.dateTime < auction.dateTime || bid.dateTime >= auction.expires || bid.price < auction.reserve) continue;
            if (best === undefined || beats(bid, best)) best = bid;
          }
          if (best !== undefined) out.push({ auction, bid: best });
        }
        return out;
      }),
    );
  });
}
