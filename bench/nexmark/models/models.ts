/**
 * Reference models of Beam's Nexmark queries: plain TypeScript over a
 * bounded array of events (delivery order), written independently of the
 * pipeline implementations. For bounded input every window fires exactly
 * once, when the input ends (default trigger, no late data), so each model
 * is the "final" answer. Event times are the events' own `dateTime`s.
 *
 * Windows are Beam's: fixed and sliding windows are aligned at the epoch
 * (offset 0) and are half-open `[start, end)`; `windowEnd` is the
 * (exclusive) end in ms. Unless a query says otherwise, outputs are returned
 * sorted (see each function); compare as multisets with {@link canonicalRows}.
 * See README.md in this directory.
 */
import type { Auction, Bid, NexmarkEvent, Person } from "../model";

/** Beam's defaults used by the models. */
export const MODEL_DEFAULTS = Object.freeze({
  /** Beam `windowSizeSec` = 10: fixed windows (q7, q8), sliding window size (q5), session gap (q11). */
  windowSizeMs: 10_000,
  /** Beam `windowPeriodSec` = 5: sliding window period (q5). */
  windowPeriodMs: 5_000,
  /** Beam `auctionSkip` = 123 (q2). */
  auctionSkip: 123,
  /** Query6's `MovingMeanSellingPrice(10)`. */
  maxNumBids: 10,
});

/** q2 output. */
export interface AuctionPrice {
  auction: number;
  price: number;
}
/** q3 output (Beam's `NameCityStateId`; `id` is the auction id). */
export interface NameCityStateId {
  name: string;
  city: string;
  state: string;
  id: number;
}
/** q4 output (Beam's `CategoryPrice` without `isLast`). */
export interface CategoryAverage {
  category: number;
  average: number;
}
/** q5 output (Beam's `AuctionCount` plus its window's end). */
export interface AuctionCountInWindow {
  auction: number;
  count: number;
  windowEnd: number;
}
/** q6 output (Beam's `SellerPrice`). */
export interface SellerAverage {
  seller: number;
  average: number;
}
/** q7 output (the maximal bid, without `extra`, plus its window's end). */
export interface HighestBid {
  auction: number;
  price: number;
  bidder: number;
  dateTime: number;
  windowEnd: number;
}
/** q8 output (Beam's `IdNameReserve` plus its window's end). */
export interface IdNameReserveInWindow {
  id: number;
  name: string;
  reserve: number;
  windowEnd: number;
}
/** q9 (winning bids) output (Beam's `AuctionBid`). */
export interface AuctionBid {
  auction: Auction;
  bid: Bid;
}
/** q11 output (Beam's `BidsPerSession` plus the session's end). */
export interface BidsPerSession {
  bidder: number;
  count: number;
  windowEnd: number;
}
/** q12 total-count model output. */
export interface BidderCount {
  bidder: number;
  count: number;
}

function bidsOf(events: readonly NexmarkEvent[]): Bid[] {
  const out: Bid[] = [];
  for (const e of events) if ("bid" in e) out.push(e.bid);
  return out;
}
function auctionsOf(events: readonly NexmarkEvent[]): Auction[] {
  const out: Auction[] = [];
  for (const e of events) if ("auction" in e) out.push(e.auction);
  return out;
}
function personsOf(events: readonly NexmarkEvent[]): Person[] {
  const out: Person[] = [];
  for (const e of events) if ("person" in e) out.push(e.person);
  return out;
}
function fixedWindowStart(t: number, size: number): number {
  return t - (((t % size) + size) % size);
}
function cmp(...pairs: [number | string, number | string][]): number {
  for (const [a, b] of pairs) {
    if (a < b) return -1;
    if (a > b) return 1;
  }
  return 0;
}

/** q0, pass-through: every event, unchanged, in delivery order. */
export function modelQuery0(events: readonly NexmarkEvent[]): NexmarkEvent[] {
  return events.slice();
}

/**
 * q1, currency conversion: every bid, in delivery order, with
 * `price = trunc(price * 89 / 100)` (Beam's long arithmetic `(price * 89) / 100`);
 * other fields unchanged (a full {@link Bid}, `extra` included).
 */
export function modelQuery1(events: readonly NexmarkEvent[]): Bid[] {
  return bidsOf(events).map((b) => ({ ...b, price: Math.trunc((b.price * 89) / 100) }));
}

/** q2, selection: `{ auction, price }` of every bid with `auction % auctionSkip === 0` (123), in delivery order. */
export function modelQuery2(events: readonly NexmarkEvent[], opts: { auctionSkip?: number } = {}): AuctionPrice[] {
  const skip = opts.auctionSkip ?? MODEL_DEFAULTS.auctionSkip;
  return bidsOf(events)
    .filter((b) => b.auction % skip === 0)
    .map((b) => ({ auction: b.auction, price: b.price }));
}

/**
 * q3, local item suggestion: the full join of people in OR, ID or CA with
 * auctions of category 10 on `person.id === auction.seller`, whichever
 * arrives first: `{ name, city, state, id }` (`id` is the auction id).
 * Sorted by `id`, then `name`.
 */
export function modelQuery3(events: readonly NexmarkEvent[]): NameCityStateId[] {
  const people = new Map<number, Person>();
  for (const p of personsOf(events)) if (p.state === "OR" || p.state === "ID" || p.state === "CA") people.set(p.id, p);
  const out: NameCityStateId[] = [];
  for (const a of auctionsOf(events)) {
    if (a.category !== 10) continue;
    const p = people.get(a.seller);
    if (p) out.push({ name: p.name, city: p.city, state: p.state, id: a.id });
  }
  return out.sort((x, y) => cmp([x.id, y.id], [x.name, y.name]));
}

/**
 * Winning bids (Beam's `WinningBids`, the basis of q4, q6 and q9): for each
 * auction, among the bids on it with `auction.dateTime <= bid.dateTime <
 * auction.expires` and `price >= reserve`, the highest price, then the
 * earliest `dateTime` (then the lowest bidder, then the first delivered).
 * Every auction closes when the bounded input ends, so each auction with at
 * least one valid bid has a winner. Sorted by auction id.
 */
export function modelWinningBids(events: readonly NexmarkEvent[]): AuctionBid[] {
  const auctions = new Map<number, Auction>();
  for (const a of auctionsOf(events)) auctions.set(a.id, a);
  const best = new Map<number, Bid>();
  for (const b of bidsOf(events)) {
    const a = auctions.get(b.auction);
    if (!a || b.dateTime < a.dateTime || b.dateTime >= a.expires || b.price < a.reserve) continue;
    const cur = best.get(a.id);
    if (!cur || cmp([cur.price, b.price], [b.dateTime, cur.dateTime], [b.bidder, cur.bidder]) < 0) best.set(a.id, b);
  }
  return [...best.entries()].sort((x, y) => x[0] - y[0]).map(([id, bid]) => ({ auction: auctions.get(id)!, bid }));
}

/** q9, winning bids: see {@link modelWinningBids}. */
export const modelQuery9 = modelWinningBids;

/**
 * q4, average price per category: over all winning bids (see
 * {@link modelWinningBids}), `{ category, average }` with
 * `average = Math.round(sum / count)` of the winning prices of the
 * category's auctions. Sorted by category. (Beam re-windows the winning bids
 * into sliding windows; for a bounded run we take the paper's global
 * average, one row per category.)
 */
export function modelQuery4(events: readonly NexmarkEvent[]): CategoryAverage[] {
  const acc = new Map<number, { sum: number; count: number }>();
  for (const { auction, bid } of modelWinningBids(events)) {
    const s = acc.get(auction.category) ?? { sum: 0, count: 0 };
    s.sum += bid.price;
    s.count++;
    acc.set(auction.category, s);
  }
  return [...acc.entries()].sort((x, y) => x[0] - y[0]).map(([category, s]) => ({ category, average: Math.round(s.sum / s.count) }));
}

/**
 * q5, hot items: sliding windows of `windowSizeMs` (10 s) every
 * `windowPeriodMs` (5 s) over bids; in each window with bids, the auction(s)
 * with the most bids (all ties): `{ auction, count, windowEnd }`. Sorted by
 * `windowEnd`, then `auction`.
 */
export function modelQuery5(
  events: readonly NexmarkEvent[],
  opts: { windowSizeMs?: number; windowPeriodMs?: number } = {},
): AuctionCountInWindow[] {
  const size = opts.windowSizeMs ?? MODEL_DEFAULTS.windowSizeMs;
  const period = opts.windowPeriodMs ?? MODEL_DEFAULTS.windowPeriodMs;
  const windows = new Map<number, Map<number, number>>(); // windowEnd -> auction -> count
  for (const b of bidsOf(events)) {
    for (let start = fixedWindowStart(b.dateTime, period); start > b.dateTime - size; start -= period) {
      const end = start + size;
      let counts = windows.get(end);
      if (!counts) windows.set(end, (counts = new Map()));
      counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
    }
  }
  const out: AuctionCountInWindow[] = [];
  for (const [windowEnd, counts] of windows) {
    let max = 0;
    for (const c of counts.values()) max = Math.max(max, c);
    for (const [auction, count] of counts) if (count === max) out.push({ auction, count, windowEnd });
  }
  return out.sort((x, y) => cmp([x.windowEnd, y.windowEnd], [x.auction, y.auction]));
}

/**
 * q6, average selling price by seller: for each seller, the average
 * (`Math.round(sum / n)`) of the prices of its last `maxNumBids` (10)
 * winning bids, "last" ordering the winning bids by bid `dateTime`, then
 * price (Beam's `Bid.ASCENDING_TIME_THEN_PRICE`): `{ seller, average }`.
 * One row per seller (the final value of Beam's per-element accumulating
 * trigger). Sorted by seller.
 */
export function modelQuery6(events: readonly NexmarkEvent[], opts: { maxNumBids?: number } = {}): SellerAverage[] {
  const max = opts.maxNumBids ?? MODEL_DEFAULTS.maxNumBids;
  const bySeller = new Map<number, Bid[]>();
  for (const { auction, bid } of modelWinningBids(events)) {
    const list = bySeller.get(auction.seller) ?? [];
    list.push(bid);
    bySeller.set(auction.seller, list);
  }
  return [...bySeller.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([seller, bids]) => {
      const last = bids.sort((a, b) => cmp([a.dateTime, b.dateTime], [a.price, b.price])).slice(-max);
      const sum = last.reduce((s, b) => s + b.price, 0);
      return { seller, average: Math.round(sum / last.length) };
    });
}

/**
 * q7, highest bid: fixed windows of `windowSizeMs` (10 s) over bids; in each
 * window, every bid whose price equals the window's maximum:
 * `{ auction, price, bidder, dateTime, windowEnd }`. Sorted by `windowEnd`,
 * `dateTime`, `auction`, `bidder`.
 */
export function modelQuery7(events: readonly NexmarkEvent[], opts: { windowSizeMs?: number } = {}): HighestBid[] {
  const size = opts.windowSizeMs ?? MODEL_DEFAULTS.windowSizeMs;
  const windows = new Map<number, Bid[]>();
  for (const b of bidsOf(events)) {
    const end = fixedWindowStart(b.dateTime, size) + size;
    const list = windows.get(end) ?? [];
    list.push(b);
    windows.set(end, list);
  }
  const out: HighestBid[] = [];
  for (const [windowEnd, bids] of windows) {
    const max = bids.reduce((m, b) => Math.max(m, b.price), -Infinity);
    for (const b of bids) {
      if (b.price === max) out.push({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, windowEnd });
    }
  }
  return out.sort((x, y) => cmp([x.windowEnd, y.windowEnd], [x.dateTime, y.dateTime], [x.auction, y.auction], [x.bidder, y.bidder]));
}

/**
 * q8, new users: people and auctions in fixed windows of `windowSizeMs`
 * (10 s), joined on `person.id === auction.seller` within the same window:
 * `{ id, name, reserve, windowEnd }` per (person, auction) pair. Sorted by
 * `windowEnd`, `id`, `reserve`.
 */
export function modelQuery8(events: readonly NexmarkEvent[], opts: { windowSizeMs?: number } = {}): IdNameReserveInWindow[] {
  const size = opts.windowSizeMs ?? MODEL_DEFAULTS.windowSizeMs;
  const key = (end: number, id: number) => `${end}/${id}`;
  const people = new Map<string, Person>();
  for (const p of personsOf(events)) people.set(key(fixedWindowStart(p.dateTime, size) + size, p.id), p);
  const out: IdNameReserveInWindow[] = [];
  for (const a of auctionsOf(events)) {
    const windowEnd = fixedWindowStart(a.dateTime, size) + size;
    const p = people.get(key(windowEnd, a.seller));
    if (p) out.push({ id: p.id, name: p.name, reserve: a.reserve, windowEnd });
  }
  return out.sort((x, y) => cmp([x.windowEnd, y.windowEnd], [x.id, y.id], [x.reserve, y.reserve]));
}

/**
 * q11, user sessions: per bidder, session windows with gap `windowSizeMs`
 * (10 s) over bid times (a bid at t spans `[t, t + gap)`; overlapping spans
 * merge); `{ bidder, count, windowEnd }` per session, `windowEnd` = last bid
 * time + gap. (Beam's early firing every `maxLogEvents` bids is ignored: one
 * row per session.) Sorted by `windowEnd`, then `bidder`.
 */
export function modelQuery11(events: readonly NexmarkEvent[], opts: { windowSizeMs?: number } = {}): BidsPerSession[] {
  const gap = opts.windowSizeMs ?? MODEL_DEFAULTS.windowSizeMs;
  const times = new Map<number, number[]>();
  for (const b of bidsOf(events)) {
    const list = times.get(b.bidder) ?? [];
    list.push(b.dateTime);
    times.set(b.bidder, list);
  }
  const out: BidsPerSession[] = [];
  for (const [bidder, ts] of times) {
    ts.sort((a, b) => a - b);
    let end = ts[0] + gap;
    let count = 0;
    for (const t of ts) {
      if (t >= end) {
        out.push({ bidder, count, windowEnd: end });
        count = 0;
      }
      end = Math.max(end, t + gap);
      count++;
    }
    out.push({ bidder, count, windowEnd: end });
  }
  return out.sort((x, y) => cmp([x.windowEnd, y.windowEnd], [x.bidder, y.bidder]));
}

/**
 * q12 (processing-time windows) is not deterministic: how bids fall into
 * processing-time panes depends on the run. This models only what is: the
 * total number of bids per bidder, i.e. the sum of `count` over all of a
 * bidder's q12 outputs (discarding panes): `{ bidder, count }`, sorted by bidder.
 */
export function modelQuery12TotalCounts(events: readonly NexmarkEvent[]): BidderCount[] {
  const counts = new Map<number, number>();
  for (const b of bidsOf(events)) counts.set(b.bidder, (counts.get(b.bidder) ?? 0) + 1);
  return [...counts.entries()].sort((x, y) => x[0] - y[0]).map(([bidder, count]) => ({ bidder, count }));
}

/** Stable JSON with sorted keys. */
function stableStringify(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(",")}}`;
}

/**
 * Rows as sorted strings (stable JSON, keys sorted), to compare a query's
 * output with a model's as multisets, whatever the order:
 * `expect(canonicalRows(actual)).to.deep.equal(canonicalRows(expected))`.
 */
export function canonicalRows(rows: readonly unknown[]): string[] {
  return rows.map(stableStringify).sort();
}
