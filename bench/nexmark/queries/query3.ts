import * as mr from "millrace";
import type { Auction, NexmarkEvent, Person } from "../model";
import { justAuctions, justPersons } from "./util";

/** Output of {@link query3}. */
export interface NameCityStateId {
  name: string;
  city: string;
  state: string;
  /** The auction's id. */
  id: number;
}

/** How long (event time) a person and pending auctions are kept after the key's last event: Beam's default `maxAuctionsWaitingTime`, 600 s. */
export const QUERY3_MAX_WAITING_MS = 600_000;

type PersonOrAuction = { person: Person } | { auction: Auction };

/**
 * Query 3, local item suggestion: `{ name, city, state, id }` for every
 * auction of category 10 whose seller is a person in Oregon, Idaho or
 * California (`id` is the auction's id).
 *
 * As Beam's Query3, an incremental join in the global window with state and
 * timers, keyed by person id / seller: the person is kept in value state, the
 * auctions that arrive before their seller wait in bag state; an event-time
 * timer `QUERY3_MAX_WAITING_MS` after the key's last event clears both. For a
 * bounded input (and sellers that open their auctions within the waiting
 * time) the result is the full join.
 */
export function query3(events: mr.PCollection<NexmarkEvent>): mr.PCollection<NameCityStateId> {
  const auctions = events
    .apply("Query3.Auctions", justAuctions())
    .apply(
      "Query3.InCategory",
      mr.filter((a: Auction) => a.category === 10),
    )
    .apply(
      "Query3.BySeller",
      mr.map((a: Auction) => mr.kv<number, PersonOrAuction>(a.seller, { auction: a })),
    );
  const persons = events
    .apply("Query3.Persons", justPersons())
    .apply(
      "Query3.InState",
      mr.filter((p: Person) => p.state === "OR" || p.state === "ID" || p.state === "CA"),
    )
    .apply(
      "Query3.ById",
      mr.map((p: Person) => mr.kv<number, PersonOrAuction>(p.id, { person: p })),
    );
  const project = (a: Auction, p: Person): NameCityStateId => ({ name: p.name, city: p.city, state: p.state, id: a.id });
  return events.pipeline.apply("Query3.Flatten", mr.flatten([auctions, persons])).apply(
    "Query3.Join",
    mr.parDo({
      state: { person: mr.state.value<Person>(), auctions: mr.state.bag<Auction>() },
      timers: { expire: mr.timers.eventTime() },
      process({ value }: mr.KV<number, PersonOrAuction>, ctx) {
        const known = ctx.state.person.read() as Person | undefined;
        let at: number;
        if ("person" in value) {
          at = value.person.dateTime;
          if (known === undefined) {
            ctx.state.person.write(value.person);
            // The seller is here: the auctions that waited for it join now.
            for (const a of ctx.state.auctions.read() as Auction[]) ctx.output(project(a, value.person));
            ctx.state.auctions.clear();
          } else {
            ctx.metrics.counter("query3.duplicatePerson").inc();
          }
        } else {
          at = value.auction.dateTime;
          if (known === undefined) ctx.state.auctions.add(value.auction);
          else ctx.output(project(value.auction, known));
        }
        ctx.timers.expire.set(at + QUERY3_MAX_WAITING_MS);
      },
      onTimer: {
        expire(ctx) {
          ctx.state.person.clear();
          ctx.state.auctions.clear();
        },
      },
    }),
  );
}
