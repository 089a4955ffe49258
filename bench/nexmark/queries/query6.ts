import * as mr from "millrace";
import type { NexmarkEvent } from "../model";
import { winningBids, type AuctionBid } from "./winning_bids";

/** Output of {@link query6}. */
export interface SellerPrice {
  seller: number;
  average: number;
}

/** A winning bid: when it was placed and what it sold for. */
interface Sale {
  dateTime: number;
  price: number;
}

/** Beam's `Bid.ASCENDING_TIME_THEN_PRICE`. */
function byTimeThenPrice(a: Sale, b: Sale): number {
  return a.dateTime !== b.dateTime ? a.dateTime - b.dateTime : a.price - b.price;
}

/** Keeps the `n` latest winning bids and averages their prices (rounded, as Beam's `MovingMeanSellingPrice`). */
function lastSalesMean(n: number): mr.CombineFn<Sale, Sale[], number> {
  const keep = (sales: Sale[]): Sale[] => {
    sales.sort(byTimeThenPrice);
    return sales.length <= n ? sales : sales.slice(sales.length - n);
  };
  return {
    createAccumulator: () => [],
    addInput: (acc, s) => keep([...acc, s]),
    mergeAccumulators: (accs) => keep(accs.flat()),
    extractOutput: (acc) => (acc.length === 0 ? 0 : Math.round(acc.reduce((sum, s) => sum + s.price, 0) / acc.length)),
  };
}

/** How many of a seller's latest closed auctions Query 6 averages (Beam: 10). */
export const QUERY6_LAST_AUCTIONS = 10;

/**
 * Query 6, average selling price by seller: `{ seller, average }`, the mean
 * winning price of each seller's last 10 closed auctions, rounded to whole
 * cents. As in Beam's `MovingMeanSellingPrice`, "last" is by the winning
 * bids' time (then price), and the mean is `Math.round(sum / count)`.
 * Beam emits an updated average at each closed auction (global window,
 * repeated per-element trigger); with a bounded input and the default
 * trigger this is one result per seller at the end.
 */
export function query6(events: mr.PCollection<NexmarkEvent>): mr.PCollection<SellerPrice> {
  return events
    .apply("Query6.WinningBids", winningBids())
    .apply(
      "Query6.BySeller",
      mr.map(({ auction, bid }: AuctionBid) => mr.kv<number, Sale>(auction.seller, { dateTime: bid.dateTime, price: bid.price })),
    )
    .apply("Query6.LastMean", mr.combinePerKey(lastSalesMean(QUERY6_LAST_AUCTIONS)))
    .apply(
      "Query6.Project",
      mr.map(({ key, value }: mr.KV<number, number>): SellerPrice => ({ seller: key, average: value })),
    );
}
