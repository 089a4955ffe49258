/** Small helpers shared by the Nexmark queries. */
import * as mr from "millrace";
import type { Auction, Bid, NexmarkEvent, Person } from "../model";

/** The bids of the stream (Beam's `JUST_BIDS`). */
export function justBids(): mr.PTransform<mr.PCollection<NexmarkEvent>, mr.PCollection<Bid>> {
  return mr.flatMap((e: NexmarkEvent) => ("bid" in e ? [e.bid] : []));
}

/** The new auctions of the stream (Beam's `JUST_NEW_AUCTIONS`). */
export function justAuctions(): mr.PTransform<mr.PCollection<NexmarkEvent>, mr.PCollection<Auction>> {
  return mr.flatMap((e: NexmarkEvent) => ("auction" in e ? [e.auction] : []));
}

/** The new people of the stream (Beam's `JUST_NEW_PERSONS`). */
export function justPersons(): mr.PTransform<mr.PCollection<NexmarkEvent>, mr.PCollection<Person>> {
  return mr.flatMap((e: NexmarkEvent) => ("person" in e ? [e.person] : []));
}

/** The end of the element's interval window, as a number. */
export function windowEnd(ctx: { window: unknown }): number {
  return (ctx.window as mr.IntervalWindow).end;
}
