import { expect } from "chai";
import { eventTime, type NexmarkEvent } from "../../bench/nexmark/model";
import { NexmarkGenerator, deliveredEventAt, eventAt, generateEvents } from "../../bench/nexmark/generator";

function kind(e: NexmarkEvent): string {
  return "person" in e ? "person" : "auction" in e ? "auction" : "bid";
}

describe("nexmark generator", () => {
  const base = { numEvents: 5000, eventsPerSecond: 1000, baseTime: 1_000_000 };

  it("is deterministic for a seed and differs across seeds", () => {
    const a = generateEvents({ ...base, seed: 7 });
    const b = generateEvents({ ...base, seed: 7 });
    const c = generateEvents({ ...base, seed: 8 });
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
    // Same structure (kinds, ids, timestamps), different random content.
    expect(a.map(kind)).to.deep.equal(c.map(kind));
  });

  it("has proportions 1:3:46 in every cycle of 50 (100/300/4600 over 5000)", () => {
    const events = generateEvents(base);
    expect(events).to.have.length(5000);
    const counts = { person: 0, auction: 0, bid: 0 } as Record<string, number>;
    events.forEach((e, i) => {
      counts[kind(e)]++;
      const off = i % 50;
      expect(kind(e)).to.equal(off < 1 ? "person" : off < 4 ? "auction" : "bid");
    });
    expect(counts).to.deep.equal({ person: 100, auction: 300, bid: 4600 });
  });

  it("numbers people and auctions consecutively from 1000", () => {
    const events = generateEvents(base);
    const people = events.flatMap((e) => ("person" in e ? [e.person.id] : []));
    const auctions = events.flatMap((e) => ("auction" in e ? [e.auction.id] : []));
    expect(people[0]).to.equal(1000);
    expect(auctions[0]).to.equal(1000);
    expect(people).to.deep.equal(people.map((_, i) => 1000 + i));
    expect(auctions).to.deep.equal(auctions.map((_, i) => 1000 + i));
  });

  it("references only people and auctions generated before (in order mode)", () => {
    const events = generateEvents({ ...base, numEvents: 20_000 });
    const people = new Set<number>();
    const auctions = new Map<number, number>();
    let hotBids = 0;
    let bids = 0;
    for (const e of events) {
      if ("person" in e) people.add(e.person.id);
      else if ("auction" in e) {
        expect(people.has(e.auction.seller), `seller ${e.auction.seller}`).to.equal(true);
        expect(e.auction.category).to.be.within(10, 14);
        expect(e.auction.reserve).to.be.at.least(e.auction.initialBid);
        expect(e.auction.expires - e.auction.dateTime).to.equal(10_000);
        auctions.set(e.auction.id, e.auction.dateTime);
      } else {
        bids++;
        expect(auctions.has(e.bid.auction), `auction ${e.bid.auction}`).to.equal(true);
        expect(people.has(e.bid.bidder), `bidder ${e.bid.bidder}`).to.equal(true);
        expect(e.bid.price).to.be.within(100, 100_000_000);
        if (e.bid.auction % 100 === 0) hotBids++;
        // In flight: among the last numInFlightAuctions + 1 auctions, or the hot one.
        expect(auctions.size - 1 - (e.bid.auction - 1000)).to.be.at.most(100);
      }
    }
    // hotAuctionRatio 2: about half the bids go to the hot auction.
    expect(hotBids / bids).to.be.within(0.4, 0.65);
  });

  it("draws names, states and cities from the fixed lists", () => {
    const states = new Set<string>();
    for (const e of generateEvents(base)) {
      if (!("person" in e)) continue;
      states.add(e.person.state);
      expect(e.person.name).to.match(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(e.person.creditCard).to.match(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(e.person.emailAddress).to.match(/@.*\.com$/);
    }
    for (const s of states) expect(["AZ", "CA", "ID", "OR", "WA", "WY"]).to.include(s);
  });

  it("spaces timestamps by 1000 / eventsPerSecond, monotone in order mode", () => {
    const events = generateEvents(base);
    events.forEach((e, i) => expect(eventTime(e)).to.equal(1_000_000 + i));
    const fast = generateEvents({ numEvents: 1000, eventsPerSecond: 10_000, baseTime: 0 });
    fast.forEach((e, i) => expect(eventTime(e)).to.equal(Math.floor(i / 10)));
    for (let i = 1; i < fast.length; i++) expect(eventTime(fast[i])).to.be.at.least(eventTime(fast[i - 1]));
  });

  it("out-of-order delivery permutes events within groups only", () => {
    const inOrder = generateEvents({ ...base, numEvents: 1010 });
    const shuffled = generateEvents({ ...base, numEvents: 1010, outOfOrderGroupSize: 100 });
    expect(shuffled).to.have.length(1010);
    expect(shuffled).to.not.deep.equal(inOrder);
    const index = new Map(inOrder.map((e, i) => [JSON.stringify(e), i]));
    const seen = new Set<number>();
    shuffled.forEach((e, pos) => {
      const n = index.get(JSON.stringify(e));
      expect(n, `event at ${pos}`).to.not.equal(undefined);
      expect(Math.floor(n! / 100)).to.equal(Math.floor(pos / 100));
      seen.add(n!);
    });
    expect(seen.size).to.equal(1010);
    // Seeded: same seed, same order; and deliveredEventAt agrees.
    expect(generateEvents({ ...base, numEvents: 1010, outOfOrderGroupSize: 100 })).to.deep.equal(shuffled);
    for (const p of [0, 99, 100, 555, 1009]) {
      expect(deliveredEventAt({ ...base, numEvents: 1010, outOfOrderGroupSize: 100 }, p)).to.deep.equal(shuffled[p]);
    }
  });

  it("eventAt(i) equals generateEvents()[i] in order mode", () => {
    const events = generateEvents(base);
    for (const i of [0, 1, 3, 4, 49, 50, 51, 777, 4999]) expect(eventAt(base, i)).to.deep.equal(events[i]);
    const g = new NexmarkGenerator(base);
    events.forEach((e, i) => expect(g.eventAt(i)).to.deep.equal(e));
  });

  it("uses Beam's defaults when unset", () => {
    const events = generateEvents({ numEvents: 100 });
    expect(eventTime(events[0])).to.equal(Date.UTC(2015, 6, 15));
    expect(eventTime(events[99])).to.equal(Date.UTC(2015, 6, 15) + 9);
  });
});
