/**
 * What the chaos checker needs to know of a sink: how a reader sees what it
 * published, and whether anything unpublished (staged, pending) is visible
 * where readers look. The file sink is the one kind today; a Kafka sink
 * would be another (published = the records a read_committed consumer
 * sees; leftovers = open transactions past the job's end), with rows in
 * `CHAOS_CASES` for the scenarios that write to it; the driver and the
 * record checks stay as they are.
 */
export interface SinkKind {
  readonly name: string;
  /** Every record a reader sees under the output `prefix`, one string each. */
  publishedRecords(prefix: string): string[];
  /** Unpublished things a reader could stumble on under `prefix`: should be none once a job has finished. */
  visibleLeftovers(prefix: string): string[];
}
