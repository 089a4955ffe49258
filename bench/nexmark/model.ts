/**
 * Nexmark's event model, as in Beam's Nexmark suite: an online auction
 * system with people, auctions and bids. Shared by the generator, the
 * queries and the reference models (which must not share anything else).
 * Times are ms since the epoch; prices are in cents.
 */

/** A new person registered. */
export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

/** A new auction opened. */
export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

/** A bid on an auction. */
export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  dateTime: number;
  extra: string;
}

/** One event of the stream: exactly one of the three is set. */
export type NexmarkEvent = { person: Person } | { auction: Auction } | { bid: Bid };

/** The generator's configuration (Beam's NexmarkConfiguration defaults). */
export interface NexmarkConfig {
  /** Seed of the deterministic generator. */
  readonly seed: number;
  /** Number of events (bounded runs). */
  readonly numEvents: number;
  /** Event time of the first event, ms. */
  readonly baseTime: number;
  /** Target rate in event time: events per second (spacing of event timestamps). */
  readonly eventsPerSecond: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly firstPersonId: number;
  readonly firstAuctionId: number;
  readonly firstCategoryId: number;
  readonly numCategories: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
  /** How long an auction stays open, in event time (ms). */
  readonly auctionLengthMs: number;
  /** Out-of-order delivery: events are shuffled within groups of this size (1: in order). */
  readonly outOfOrderGroupSize: number;
}

/** Beam's defaults, with a seed. */
export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = Object.freeze({
  seed: 1,
  numEvents: 100_000,
  baseTime: Date.UTC(2015, 6, 15),
  eventsPerSecond: 10_000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  firstPersonId: 1000,
  firstAuctionId: 1000,
  firstCategoryId: 10,
  numCategories: 5,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  auctionLengthMs: 10_000,
  outOfOrderGroupSize: 1,
});

/** The event time of an event. */
export function eventTime(e: NexmarkEvent): number {
  return "person" in e ? e.person.dateTime : "auction" in e ? e.auction.dateTime : e.bid.dateTime;
}
