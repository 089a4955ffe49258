import * as mr from "millrace";
import type { NexmarkEvent } from "../model";

/**
 * Query 0, pass-through: every event unchanged. Measures the cost of the
 * source and of moving events through one ParDo.
 */
export function query0(events: mr.PCollection<NexmarkEvent>): mr.PCollection<NexmarkEvent> {
  return events.apply(
    "Query0.PassThrough",
    mr.map((e: NexmarkEvent) => e),
  );
}
