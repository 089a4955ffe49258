import * as mr from "millrace";
import type { Auction, NexmarkEvent, Person } from "../model";
import { justAuctions, justPersons, windowEnd } from "./util";

/** Output of {@link query8}. */
export interface IdNameReserve {
  /** The person's (seller's) id. */
  id: number;
  name: string;
  reserve: number;
  windowEnd: number;
}

/** Window size of Query 8 (Beam: 10 s). */
export const QUERY8_WINDOW_MS = 10_000;

/**
 * Query 8, new users: in fixed windows of 10 s, the people who opened an
 * auction in the same window they registered in: `{ id, name, reserve,
 * windowEnd }`, one per such auction. As in Beam: persons by id and auctions
 * by seller, co-grouped per window.
 */
export function query8(events: mr.PCollection<NexmarkEvent>): mr.PCollection<IdNameReserve> {
  const persons = events
    .apply("Query8.Persons", justPersons())
    .apply("Query8.PersonWindow", mr.windowInto(mr.windows.fixed(QUERY8_WINDOW_MS)))
    .apply(
      "Query8.ById",
      mr.map((p: Person) => mr.kv(p.id, p)),
    );
  const auctions = events
    .apply("Query8.Auctions", justAuctions())
    .apply("Query8.AuctionWindow", mr.windowInto(mr.windows.fixed(QUERY8_WINDOW_MS)))
    .apply(
      "Query8.BySeller",
      mr.map((a: Auction) => mr.kv(a.seller, a)),
    );
  return events.pipeline.apply("Query8.CoGroup", mr.coGroupByKey({ person: persons, auction: auctions })).apply(
    "Query8.Join",
    mr.flatMap(({ value }: mr.KV<number, { person: Person[]; auction: Auction[] }>, ctx): IdNameReserve[] => {
      const person = value.person[0];
      if (person === undefined) return [];
      return value.auction.map((a) => ({ id: person.id, name: person.name, reserve: a.reserve, windowEnd: windowEnd(ctx) }));
    }),
  );
}
