import { expect } from "chai";
import type { NexmarkEvent } from "../../bench/nexmark/model";
import { generateEvents } from "../../bench/nexmark/generator";
import {
  canonicalRows,
  modelQuery0,
  modelQuery1,
  modelQuery11,
  modelQuery12TotalCounts,
  modelQuery2,
  modelQuery3,
  modelQuery4,
  modelQuery5,
  modelQuery6,
  modelQuery7,
  modelQuery8,
  modelWinningBids,
} from "../../bench/nexmark/models";

function P(id: number, dateTime: number, state = "OR", name = `Name${id}`, city = `City${id}`): NexmarkEvent {
  return { person: { id, name, emailAddress: "e@x.com", creditCard: "0000 0000 0000 0000", city, state, dateTime, extra: "" } };
}
function A(id: number, seller: number, o: { category?: number; reserve?: number; dateTime?: number; expires?: number } = {}): NexmarkEvent {
  const dateTime = o.dateTime ?? 0;
  return {
    auction: {
      id,
      itemName: `item${id}`,
      description: "",
      initialBid: 1,
      reserve: o.reserve ?? 0,
      dateTime,
      expires: o.expires ?? dateTime + 10_000,
      seller,
      category: o.category ?? 10,
      extra: "",
    },
  };
}
function B(auction: number, bidder: number, price: number, dateTime: number): NexmarkEvent {
  return { bid: { auction, bidder, price, dateTime, extra: "x" } };
}

describe("nexmark reference models", () => {
  it("q0 passes every event through", () => {
    const events = [P(1, 0), A(2, 1), B(2, 1, 5, 3)];
    expect(modelQuery0(events)).to.deep.equal(events);
  });

  it("q1 converts prices with (price * 89) / 100, truncated", () => {
    const out = modelQuery1([P(1, 0), B(1, 2, 1000, 5), B(3, 4, 199, 6), B(5, 6, 1, 7)]);
    expect(out).to.deep.equal([
      { auction: 1, bidder: 2, price: 890, dateTime: 5, extra: "x" },
      { auction: 3, bidder: 4, price: 177, dateTime: 6, extra: "x" },
      { auction: 5, bidder: 6, price: 0, dateTime: 7, extra: "x" },
    ]);
  });

  it("q2 selects bids on auctions with id % 123 === 0", () => {
    const out = modelQuery2([B(123, 1, 10, 0), B(124, 1, 20, 0), A(246, 1), B(246, 2, 30, 1), B(0, 3, 40, 2)]);
    expect(out).to.deep.equal([
      { auction: 123, price: 10 },
      { auction: 246, price: 30 },
      { auction: 0, price: 40 },
    ]);
  });

  it("q3 joins OR/ID/CA sellers with category-10 auctions, either arrival order", () => {
    const events = [
      P(1, 0, "OR", "Ann", "Bend"),
      P(2, 0, "WA", "Bob", "Kent"),
      A(10, 1),
      A(11, 2),
      A(13, 3), // before its seller
      A(12, 3, { category: 11 }),
      A(14, 9),
      P(3, 5, "CA", "Cat", "Los Angeles"),
      P(4, 6, "ID", "Dan", "Boise"),
      A(15, 4),
      B(10, 2, 100, 7),
    ];
    expect(modelQuery3(events)).to.deep.equal([
      { name: "Ann", city: "Bend", state: "OR", id: 10 },
      { name: "Cat", city: "Los Angeles", state: "CA", id: 13 },
      { name: "Dan", city: "Boise", state: "ID", id: 15 },
    ]);
  });

  // Winning bids for q4/q6/q9.
  const auctionEvents: NexmarkEvent[] = [
    A(100, 1, { category: 10, reserve: 50, dateTime: 0, expires: 1000 }),
    B(100, 7, 40, 10), // below reserve
    B(100, 7, 70, 20), // winner
    B(100, 8, 90, 1000), // at expiry: too late
    B(100, 8, 60, 30),
    B(101, 8, 5, 500), // delivered before its auction
    A(101, 1, { category: 10, reserve: 0, dateTime: 0, expires: 1000 }),
    B(101, 9, 9, 600), // winner
    B(101, 10, 9, 700), // same price, later: loses
    A(102, 2, { category: 11, reserve: 1000, dateTime: 0, expires: 1000 }),
    B(102, 9, 999, 10), // below reserve: no winner
    A(103, 2, { category: 12, reserve: 0, dateTime: 2000, expires: 3000 }),
    B(103, 7, 500, 1500), // before the auction opened
    B(103, 7, 300, 2500), // winner
    B(999, 7, 10_000, 2500), // no such auction
  ];

  it("winning bids: highest valid price, earliest on ties, within [dateTime, expires)", () => {
    const out = modelWinningBids(auctionEvents).map((w) => ({ auction: w.auction.id, bidder: w.bid.bidder, price: w.bid.price }));
    expect(out).to.deep.equal([
      { auction: 100, bidder: 7, price: 70 },
      { auction: 101, bidder: 9, price: 9 },
      { auction: 103, bidder: 7, price: 300 },
    ]);
  });

  it("q4 averages winning prices per category (Math.round)", () => {
    expect(modelQuery4(auctionEvents)).to.deep.equal([
      { category: 10, average: 40 }, // (70 + 9) / 2 = 39.5
      { category: 12, average: 300 },
    ]);
  });

  it("q6 averages each seller's last 10 winning prices", () => {
    expect(modelQuery6(auctionEvents)).to.deep.equal([
      { seller: 1, average: 40 },
      { seller: 2, average: 300 },
    ]);
    // Seller 5 wins 11 auctions at prices 100..1100 over time: the oldest drops out.
    const events: NexmarkEvent[] = [];
    for (let k = 0; k < 11; k++) {
      events.push(A(200 + k, 5, { dateTime: k * 10, expires: k * 10 + 5 }), B(200 + k, 1, 100 * (k + 1), k * 10 + 1));
    }
    expect(modelQuery6(events)).to.deep.equal([{ seller: 5, average: 650 }]);
  });

  it("q5 finds the auctions with most bids in 10 s windows every 5 s", () => {
    const events = [
      B(1, 1, 1, 1000),
      B(1, 1, 1, 2000),
      B(2, 1, 1, 3000),
      B(1, 1, 1, 4000),
      P(9, 4500),
      B(2, 1, 1, 7000),
      B(2, 1, 1, 8000),
      B(3, 1, 1, 12_000),
    ];
    expect(modelQuery5(events)).to.deep.equal([
      { auction: 1, count: 3, windowEnd: 5000 },
      { auction: 1, count: 3, windowEnd: 10_000 },
      { auction: 2, count: 3, windowEnd: 10_000 },
      { auction: 2, count: 2, windowEnd: 15_000 },
      { auction: 3, count: 1, windowEnd: 20_000 },
    ]);
  });

  it("q7 keeps the highest-priced bids of each 10 s window", () => {
    const events = [B(1, 11, 100, 1000), B(2, 12, 300, 2000), B(3, 13, 300, 9999), B(4, 14, 50, 10_000), B(5, 15, 20, 15_000)];
    expect(modelQuery7(events)).to.deep.equal([
      { auction: 2, price: 300, bidder: 12, dateTime: 2000, windowEnd: 10_000 },
      { auction: 3, price: 300, bidder: 13, dateTime: 9999, windowEnd: 10_000 },
      { auction: 4, price: 50, bidder: 14, dateTime: 10_000, windowEnd: 20_000 },
    ]);
  });

  it("q8 joins new people with their auctions in the same 10 s window", () => {
    const events = [
      P(1, 1000, "WA", "One"),
      A(50, 1, { dateTime: 5000, reserve: 10 }),
      P(2, 9000, "WA", "Two"),
      A(51, 2, { dateTime: 11_000, reserve: 99 }), // next window
      A(52, 3, { dateTime: 11_000, reserve: 30 }), // before its seller
      P(3, 12_000, "WA", "Three"),
      A(53, 1, { dateTime: 9999, reserve: 20 }),
      B(50, 2, 5, 6000),
    ];
    expect(modelQuery8(events)).to.deep.equal([
      { id: 1, name: "One", reserve: 10, windowEnd: 10_000 },
      { id: 1, name: "One", reserve: 20, windowEnd: 10_000 },
      { id: 3, name: "Three", reserve: 30, windowEnd: 20_000 },
    ]);
  });

  it("q11 counts bids per bidder session (gap 10 s)", () => {
    const events = [B(9, 1, 1, 0), B(9, 2, 1, 1000), B(9, 1, 1, 5000), B(9, 1, 1, 20_000), B(9, 1, 1, 15_000)];
    expect(modelQuery11(events)).to.deep.equal([
      { bidder: 2, count: 1, windowEnd: 11_000 },
      { bidder: 1, count: 2, windowEnd: 15_000 },
      { bidder: 1, count: 2, windowEnd: 30_000 },
    ]);
  });

  it("q12 totals bids per bidder", () => {
    const events = [B(9, 2, 1, 0), B(9, 1, 1, 1000), B(9, 2, 1, 99_000), P(1, 5)];
    expect(modelQuery12TotalCounts(events)).to.deep.equal([
      { bidder: 1, count: 1 },
      { bidder: 2, count: 2 },
    ]);
  });

  it("models give results on generated data, independent of delivery order", () => {
    const cfg = { numEvents: 20_000, eventsPerSecond: 1000 };
    const inOrder = generateEvents(cfg);
    const shuffled = generateEvents({ ...cfg, outOfOrderGroupSize: 500 });
    for (const model of [modelQuery3, modelQuery4, modelQuery5, modelQuery6, modelQuery7, modelQuery8, modelQuery11]) {
      const a = model(inOrder);
      expect(a.length, model.name).to.be.greaterThan(0);
      expect(model(shuffled), model.name).to.deep.equal(a);
    }
    expect(canonicalRows(modelQuery2(shuffled))).to.deep.equal(canonicalRows(modelQuery2(inOrder)));
    expect(modelQuery2(inOrder).length).to.be.greaterThan(0);
  });
});
