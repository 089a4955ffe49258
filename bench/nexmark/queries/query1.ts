import * as mr from "millrace";
import type { Bid, NexmarkEvent } from "../model";
import { justBids } from "./util";

/**
 * Query 1, currency conversion: every bid, with its price converted from
 * dollars to euros (`Math.floor(price * 89 / 100)`, Beam's rate); the other
 * fields are unchanged.
 */
export function query1(events: mr.PCollection<NexmarkEvent>): mr.PCollection<Bid> {
  return events.apply("Query1.Bids", justBids()).apply(
    "Query1.ToEuro",
    mr.map((b: Bid): Bid => ({ ...b, price: Math.floor((b.price * 89) / 100) })),
  );
}
