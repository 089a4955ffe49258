/**
 * The Nexmark queries, after Beam's Nexmark suite, written with millrace's
 * public API. Each is a function from the event stream (events stamped with
 * their event time) to its results.
 */
import type * as mr from "millrace";
import type { NexmarkEvent } from "../model";
import { query0 } from "./query0";
import { query1 } from "./query1";
import { query2 } from "./query2";
import { query3 } from "./query3";
import { query4 } from "./query4";
import { query5 } from "./query5";
import { query6 } from "./query6";
import { query7 } from "./query7";
import { query8 } from "./query8";
import { query11 } from "./query11";
import { query12 } from "./query12";

export { query0, query1, query2, query3, query4, query5, query6, query7, query8, query11, query12 };
export { nexmarkSource, type NexmarkSourceOptions } from "./source";
export { winningBids, type AuctionBid } from "./winning_bids";

/** A Nexmark query. */
export type NexmarkQuery = (events: mr.PCollection<NexmarkEvent>) => mr.PCollection<unknown>;

/** The queries by number. */
export const QUERIES: Readonly<Record<number, NexmarkQuery>> = {
  0: query0,
  1: query1,
  2: query2,
  3: query3,
  4: query4,
  5: query5,
  6: query6,
  7: query7,
  8: query8,
  11: query11,
  12: query12,
};

/** The queries whose answer does not depend on timing (12 does). */
export const DETERMINISTIC_QUERIES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11];
