/**
 * A deterministic generator of Nexmark events, following the logic of Beam's
 * Nexmark `Generator`, `GeneratorConfig` and `PersonGenerator` /
 * `AuctionGenerator` / `BidGenerator` / `PriceGenerator` /
 * `StringsGenerator` (independently written).
 *
 * Every event is a pure function of the configuration and its *event number*
 * `n` (0-based, in event-time order): its kind comes from `n` modulo the sum
 * of the proportions, its ids from `n`, its timestamp is
 * `baseTime + floor(n * 1000 / eventsPerSecond)`, and its random fields come
 * from a PRNG seeded with `(seed, n)`. So events can be generated lazily, in
 * any order, by index.
 *
 * Differences from Beam, made so that every reference is valid in a bounded
 * run: bids and auctions never pick ids "ahead" of the last generated person
 * or auction (Beam allows 10 such leads), the hot bidder is clamped to the
 * last generated person, and an auction lasts exactly `auctionLengthMs`
 * (Beam draws a random length whose mean depends on the event rate).
 */
import type { Auction, Bid, NexmarkConfig, NexmarkEvent, Person } from "../model";
import { DEFAULT_NEXMARK_CONFIG } from "../model";
import { SeededRandom } from "./random";

/** Options of the generator: a (partial) {@link NexmarkConfig} plus Beam's average event sizes. */
export interface GeneratorOptions extends Partial<NexmarkConfig> {
  /** Average byte size of a person; the `extra` field pads towards it (Beam: 200). */
  readonly avgPersonByteSize?: number;
  /** Average byte size of an auction; the `extra` field pads towards it (Beam: 500). */
  readonly avgAuctionByteSize?: number;
  /** Average byte size of a bid; the `extra` field pads towards it (Beam: 100). */
  readonly avgBidByteSize?: number;
}

/** A fully resolved generator configuration. */
export interface ResolvedGeneratorConfig extends NexmarkConfig {
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
}

/** The kind of an event. */
export type EventKind = "person" | "auction" | "bid";

/** Beam's `HOT_SELLER_RATIO`, `HOT_AUCTION_RATIO` and `HOT_BIDDER_RATIO`: hot ids are the first of each batch of 100. */
const HOT_BATCH = 100;
const MIN_STRING_LENGTH = 3;

const US_STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"];
const US_CITIES = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"];
const FIRST_NAMES = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
const LAST_NAMES = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];

function checkInt(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Nexmark config: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Fill in Beam's defaults and validate. */
export function resolveConfig(options: GeneratorOptions): ResolvedGeneratorConfig {
  const c: ResolvedGeneratorConfig = {
    ...DEFAULT_NEXMARK_CONFIG,
    avgPersonByteSize: 200,
    avgAuctionByteSize: 500,
    avgBidByteSize: 100,
    ...stripUndefined(options),
  };
  checkInt("numEvents", c.numEvents, 0);
  checkInt("baseTime", c.baseTime, -Number.MAX_SAFE_INTEGER);
  if (!(c.eventsPerSecond > 0) || !Number.isFinite(c.eventsPerSecond)) {
    throw new RangeError(`Nexmark config: eventsPerSecond must be positive, got ${c.eventsPerSecond}`);
  }
  checkInt("personProportion", c.personProportion, 1);
  checkInt("auctionProportion", c.auctionProportion, 1);
  checkInt("bidProportion", c.bidProportion, 0);
  checkInt("firstPersonId", c.firstPersonId, 0);
  checkInt("firstAuctionId", c.firstAuctionId, 0);
  checkInt("firstCategoryId", c.firstCategoryId, 0);
  checkInt("numCategories", c.numCategories, 1);
  checkInt("hotAuctionRatio", c.hotAuctionRatio, 1);
  checkInt("hotSellersRatio", c.hotSellersRatio, 1);
  checkInt("hotBiddersRatio", c.hotBiddersRatio, 1);
  checkInt("numInFlightAuctions", c.numInFlightAuctions, 0);
  checkInt("numActivePeople", c.numActivePeople, 1);
  checkInt("auctionLengthMs", c.auctionLengthMs, 1);
  checkInt("outOfOrderGroupSize", c.outOfOrderGroupSize, 1);
  checkInt("seed", c.seed, -Number.MAX_SAFE_INTEGER);
  return c;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * A generator bound to one configuration. Cheap to create; caches the
 * permutation of the last out-of-order group it was asked about.
 */
export class NexmarkGenerator {
  /** The resolved configuration. */
  readonly config: ResolvedGeneratorConfig;
  private readonly denominator: number;
  private cachedGroup = -1;
  private cachedPermutation: number[] = [];

  constructor(options: GeneratorOptions) {
    this.config = resolveConfig(options);
    const c = this.config;
    this.denominator = c.personProportion + c.auctionProportion + c.bidProportion;
  }

  /** The kind of event number `n`: the first `personProportion` of each cycle are people, then auctions, then bids. */
  kindOf(n: number): EventKind {
    const offset = n % this.denominator;
    if (offset < this.config.personProportion) return "person";
    if (offset < this.config.personProportion + this.config.auctionProportion) return "auction";
    return "bid";
  }

  /** The event time of event number `n`: `baseTime + floor(n * 1000 / eventsPerSecond)`. */
  timestampOf(n: number): number {
    return this.config.baseTime + Math.floor((n * 1000) / this.config.eventsPerSecond);
  }

  /** The event with event number `n` (event-time order). */
  eventAt(n: number): NexmarkEvent {
    checkInt("event number", n, 0);
    const rng = new SeededRandom(this.config.seed, n);
    const ts = this.timestampOf(n);
    switch (this.kindOf(n)) {
      case "person":
        return { person: this.nextPerson(n, rng, ts) };
      case "auction":
        return { auction: this.nextAuction(n, rng, ts) };
      default:
        return { bid: this.nextBid(n, rng, ts) };
    }
  }

  /**
   * The event number delivered at `position` (0-based, delivery order). With
   * `outOfOrderGroupSize` 1 this is `position`; otherwise each group of that
   * many consecutive events (the last one may be shorter) is delivered in a
   * seeded random permutation.
   */
  eventNumberAt(position: number): number {
    const size = this.config.outOfOrderGroupSize;
    if (size === 1) return position;
    checkInt("position", position, 0);
    const group = Math.floor(position / size);
    const base = group * size;
    if (group !== this.cachedGroup) {
      const length = Math.max(1, Math.min(size, this.config.numEvents - base));
      const perm = Array.from({ length }, (_, i) => i);
      const rng = new SeededRandom(this.config.seed, 0x5eed0fde, group);
      for (let i = length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      this.cachedGroup = group;
      this.cachedPermutation = perm;
    }
    const offset = position - base;
    return offset < this.cachedPermutation.length ? base + this.cachedPermutation[offset] : position;
  }

  /** The event delivered at `position`: `eventAt(eventNumberAt(position))`. */
  deliveredAt(position: number): NexmarkEvent {
    return this.eventAt(this.eventNumberAt(position));
  }

  /** All `numEvents` events, in delivery order. */
  generate(): NexmarkEvent[] {
    const out: NexmarkEvent[] = new Array(this.config.numEvents);
    for (let p = 0; p < this.config.numEvents; p++) out[p] = this.deliveredAt(p);
    return out;
  }

  // ---- ids (base 0) -------------------------------------------------------

  /** The last person id (base 0) generated at or before event `n` (the current one if `n` is a person). */
  lastBase0PersonId(n: number): number {
    const P = this.config.personProportion;
    const epoch = Math.floor(n / this.denominator);
    let offset = n % this.denominator;
    if (offset >= P) offset = P - 1;
    return epoch * P + offset;
  }

  /** The last auction id (base 0) generated at or before event `n` (the current one if `n` is an auction); -1 if none. */
  lastBase0AuctionId(n: number): number {
    const { personProportion: P, auctionProportion: A } = this.config;
    let epoch = Math.floor(n / this.denominator);
    let offset = n % this.denominator;
    if (offset < P) {
      epoch--;
      offset = A - 1;
    } else if (offset >= P + A) {
      offset = A - 1;
    } else {
      offset -= P;
    }
    return epoch * A + offset;
  }

  /** A random active person (base 0): one of the last `numActivePeople` generated. */
  private nextBase0PersonId(n: number, rng: SeededRandom): number {
    const numPeople = this.lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + rng.nextInt(active);
  }

  /** A random in-flight auction (base 0): one of the last `numInFlightAuctions + 1` generated. */
  private nextBase0AuctionId(n: number, rng: SeededRandom): number {
    const max = this.lastBase0AuctionId(n);
    const min = Math.max(max - this.config.numInFlightAuctions, 0);
    return min + rng.nextInt(max - min + 1);
  }

  // ---- events -------------------------------------------------------------

  private nextPerson(n: number, rng: SeededRandom, ts: number): Person {
    const c = this.config;
    const id = this.lastBase0PersonId(n) + c.firstPersonId;
    const name = pick(rng, FIRST_NAMES) + " " + pick(rng, LAST_NAMES);
    const emailAddress = nextString(rng, 7) + "@" + nextString(rng, 5) + ".com";
    const creditCard = nextCreditCard(rng);
    const city = pick(rng, US_CITIES);
    const state = pick(rng, US_STATES);
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = nextExtra(rng, size, c.avgPersonByteSize);
    return { id, name, emailAddress, creditCard, city, state, dateTime: ts, extra };
  }

  private nextAuction(n: number, rng: SeededRandom, ts: number): Auction {
    const c = this.config;
    const id = this.lastBase0AuctionId(n) + c.firstAuctionId;
    let seller: number;
    if (rng.nextInt(c.hotSellersRatio) > 0) {
      // Hot seller: the first person of the latest batch of 100.
      seller = Math.floor(this.lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH;
    } else {
      seller = this.nextBase0PersonId(n, rng);
    }
    seller += c.firstPersonId;
    const category = c.firstCategoryId + rng.nextInt(c.numCategories);
    const initialBid = nextPrice(rng);
    const expires = ts + c.auctionLengthMs;
    const itemName = nextString(rng, 20);
    const description = nextString(rng, 100);
    const reserve = initialBid + nextPrice(rng);
    const size = 8 + itemName.length + description.length + 40;
    const extra = nextExtra(rng, size, c.avgAuctionByteSize);
    return { id, itemName, description, initialBid, reserve, dateTime: ts, expires, seller, category, extra };
  }

  private nextBid(n: number, rng: SeededRandom, ts: number): Bid {
    const c = this.config;
    let auction: number;
    if (rng.nextInt(c.hotAuctionRatio) > 0) {
      // Hot auction: the first auction of the latest batch of 100.
      auction = Math.floor(this.lastBase0AuctionId(n) / HOT_BATCH) * HOT_BATCH;
    } else {
      auction = this.nextBase0AuctionId(n, rng);
    }
    auction += c.firstAuctionId;
    let bidder: number;
    if (rng.nextInt(c.hotBiddersRatio) > 0) {
      // Hot bidder: the second person of the latest batch of 100 (so hot
      // bidders and hot sellers differ), if generated yet.
      const last = this.lastBase0PersonId(n);
      bidder = Math.min(Math.floor(last / HOT_BATCH) * HOT_BATCH + 1, last);
    } else {
      bidder = this.nextBase0PersonId(n, rng);
    }
    bidder += c.firstPersonId;
    const price = nextPrice(rng);
    const extra = nextExtra(rng, 32, c.avgBidByteSize);
    return { auction, bidder, price, dateTime: ts, extra };
  }
}

function pick(rng: SeededRandom, list: readonly string[]): string {
  return list[rng.nextInt(list.length)];
}

/** Beam's price: `round(10^(6u) * 100)` cents for uniform u, i.e. $1 to $1,000,000 log-uniformly. */
function nextPrice(rng: SeededRandom): number {
  return Math.round(Math.pow(10, rng.nextDouble() * 6) * 100);
}

/**
 * Scratch space for building strings of one-byte characters: strings are
 * built as byte codes and decoded once, which is several times faster than
 * concatenating one-character strings (the generator is the bench's source,
 * so its cost counts against every runner's throughput).
 */
let scratch = Buffer.allocUnsafe(1024);

function scratchOf(length: number): Buffer {
  if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.length));
  return scratch;
}

const SPACE = 32;
const LOWER_A = 97;

/** A string of 3 to `maxLength - 1` letters and (trimmed) spaces. */
function nextString(rng: SeededRandom, maxLength: number): string {
  const len = MIN_STRING_LENGTH + rng.nextInt(maxLength - MIN_STRING_LENGTH);
  const buf = scratchOf(len);
  for (let i = 0; i < len; i++) buf[i] = rng.nextInt(13) === 0 ? SPACE : LOWER_A + rng.nextInt(26);
  return buf.toString("latin1", 0, len).trim();
}

/**
 * A string of exactly `length` letters: six letters per 32 random bits, its
 * lowest six base-26 digits, lowest first. Only the first digit is taken in
 * floating point (a uint32 may not fit an int32); the rest in int32
 * arithmetic, which V8 does without calling out for `%`.
 */
function nextExactString(rng: SeededRandom, length: number): string {
  const buf = scratchOf(length);
  let i = 0;
  while (i < length) {
    const u = rng.nextUint32();
    const first = u % 26;
    buf[i++] = LOWER_A + first;
    let q = ((u - first) / 26) | 0;
    for (let k = 1; k < 6 && i < length; k++) {
      const d = q % 26;
      buf[i++] = LOWER_A + d;
      q = ((q - d) / 26) | 0;
    }
  }
  return buf.toString("latin1", 0, length);
}

/** Padding such that `currentSize + padding.length` averages `desiredAverageSize` (±20%). */
function nextExtra(rng: SeededRandom, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return "";
  const desired = desiredAverageSize - currentSize;
  const delta = Math.round(desired * 0.2);
  const size = desired - delta + (delta === 0 ? 0 : rng.nextInt(2 * delta));
  return nextExactString(rng, size);
}

function nextCreditCard(rng: SeededRandom): string {
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) parts.push(String(rng.nextInt(10000)).padStart(4, "0"));
  return parts.join(" ");
}

/**
 * Generate `numEvents` Nexmark events, in delivery order (event-time order
 * unless `outOfOrderGroupSize > 1`, in which case each group of that many
 * events is delivered in a seeded random permutation; every event keeps its
 * own timestamp). Unset options take Beam's defaults
 * ({@link DEFAULT_NEXMARK_CONFIG}). Deterministic for a given configuration.
 */
export function generateEvents(config: GeneratorOptions & { numEvents: number }): NexmarkEvent[] {
  return new NexmarkGenerator(config).generate();
}

/**
 * The event with event number `index` (0-based, in event-time order), for
 * lazy sources. In order mode (`outOfOrderGroupSize` 1) this equals
 * `generateEvents(config)[index]`; otherwise use {@link deliveredEventAt}
 * for the event at a delivery position. For many calls, create one
 * {@link NexmarkGenerator} and call its `eventAt`.
 */
export function eventAt(config: GeneratorOptions, index: number): NexmarkEvent {
  return new NexmarkGenerator(config).eventAt(index);
}

/**
 * The event at delivery position `position`: equals
 * `generateEvents(config)[position]` in every mode (`config.numEvents` bounds
 * the last out-of-order group).
 */
export function deliveredEventAt(config: GeneratorOptions, position: number): NexmarkEvent {
  return new NexmarkGenerator(config).deliveredAt(position);
}
