/**
 * The Kafka source as a splittable DoFn (Beam's `ReadFromKafkaDoFn`), read
 * from an Impulse: its one element's initial restriction is every partition
 * of the topics at its start offset, split into one restriction per
 * partition; `process` fetches each partition of its restriction once,
 * claims and emits the records with their timestamps as event time, and
 * checkpoints itself with `resume()`, soon when there was data and after a
 * pause when there was none. Offsets live in the restriction, so the runner
 * keeps them where it keeps restrictions (the stream runner's checkpoints,
 * the micro-batch runner's offset log); nothing depends on a consumer group.
 */
import { MIN_TIMESTAMP } from "../../../model/time";
import { ProcessContinuation } from "../../transforms/splittable/process_continuation";
import type { SplittableDoFnObject, SplittableProcessContext } from "../../transforms/splittable/splittable_dofn";
import type { RestrictionTracker } from "../../transforms/splittable/restriction_tracker";
import { BlockingKafkaReadClient } from "./blocking_read_client";
import { KafkaRestrictionTracker, UNBOUNDED_OFFSET, type KafkaRestriction, type PartitionRange } from "./kafka_restriction";
import { KafkaWatermarkEstimator, type KafkaWatermarkState } from "./kafka_watermark_estimator";
import { PartitionReader } from "./partition_reader";
import { partitionKey, type TopicPartition } from "./read_client";
import { isBoundedRead, type KafkaDeadLetter, type ResolvedKafkaReadOptions } from "./read_options";

/** How long a restriction that found no records waits before fetching again. */
const EMPTY_POLL_DELAY_MS = 50;

/** What the DoFn emits when dead letters are asked for: a record, or a record that failed to deserialize. */
export type ReadOutcome = { readonly ok: unknown } | { readonly deadLetter: KafkaDeadLetter };

/** The Kafka source's splittable DoFn. */
export class ReadFromKafkaFn implements SplittableDoFnObject<unknown, unknown, KafkaRestriction, KafkaWatermarkState> {
  readonly boundedness: "bounded" | "unbounded";
  private client: BlockingKafkaReadClient | undefined;
  private readonly readers = new Map<string, PartitionReader>();
  private readonly readId: string;
  private lastDiscoveryMs = 0;

  constructor(private readonly options: ResolvedKafkaReadOptions) {
    this.boundedness = isBoundedRead(options) ? "bounded" : "unbounded";
    this.readId = JSON.stringify([options.bootstrapServers, options.topics, options.topicPattern]);
  }

  private kafka(): BlockingKafkaReadClient {
    this.client ??= BlockingKafkaReadClient.open({
      bootstrapServers: this.options.bootstrapServers,
      requestTimeoutMs: this.options.connectTimeoutMs,
    });
    return this.client;
  }

  teardown(): void {
    this.client?.close();
    this.client = undefined;
    this.readers.clear();
  }

  /** The topics to read now: the given ones, or those matching the pattern. */
  private topicsNow(): string[] {
    const o = this.options;
    return o.topicPattern !== undefined ? this.kafka().topicsMatching(o.topicPattern) : [...o.topics];
  }

  /** Where each partition starts (a job without a checkpoint). */
  private startOffsets(partitions: readonly TopicPartition[]): Map<string, bigint> {
    const o = this.options;
    const kafka = this.kafka();
    if (o.startFrom !== "committed") return kafka.offsetsFor(partitions, o.startFrom, o.readCommitted);
    const committed = kafka.committedOffsets(o.groupId!, partitions);
    const missing = partitions.filter((tp) => !committed.has(partitionKey(tp)));
    if (missing.length > 0) for (const [k, v] of kafka.offsetsFor(missing, "earliest", o.readCommitted)) committed.set(k, v);
    return committed;
  }

  private rangesOf(partitions: readonly TopicPartition[], startAt: Map<string, bigint>): PartitionRange[] {
    const ends = this.options.stopAtEndOffsets ? this.kafka().offsetsFor(partitions, "latest", this.options.readCommitted) : undefined;
    return partitions.map((tp) => {
      const key = partitionKey(tp);
      const from = Number(startAt.get(key) ?? 0n);
      return { ...tp, from, to: ends ? Math.max(from, Number(ends.get(key) ?? 0n)) : UNBOUNDED_OFFSET };
    });
  }

  initialRestriction(): KafkaRestriction {
    const o = this.options;
    const partitions = this.kafka().partitionsOf(this.topicsNow());
    const ranges = this.rangesOf(partitions, this.startOffsets(partitions));
    return {
      partitions: ranges,
      // An unbounded read also reads the partitions (and topics matching the pattern) that appear later.
      ...(!isBoundedRead(o) ? { discovery: { known: ranges.map(partitionKey) } } : {}),
      ...(o.maxRecords !== undefined ? { recordsLeft: o.maxRecords } : {}),
      ...(o.maxReadTimeMs !== undefined ? { readUntilMs: Date.now() + o.maxReadTimeMs } : {}),
    };
  }

  /** One restriction per partition (the first also discovers new partitions); a `maxRecords` read stays whole, its bound being on the sum. */
  splitRestriction(_element: unknown, restriction: KafkaRestriction): KafkaRestriction[] {
    if (restriction.recordsLeft !== undefined || restriction.partitions.length <= 1) return [restriction];
    return restriction.partitions.map((range, i) => ({
      partitions: [range],
      ...(i === 0 && restriction.discovery ? { discovery: restriction.discovery } : {}),
      ...(restriction.readUntilMs !== undefined ? { readUntilMs: restriction.readUntilMs } : {}),
    }));
  }

  restrictionSize(_element: unknown, restriction: KafkaRestriction): number {
    const left = restriction.partitions.reduce((n, r) => n + (r.to === UNBOUNDED_OFFSET ? 1_000_000 : r.to - r.from), 0);
    return Math.max(1, left);
  }

  newTracker(restriction: KafkaRestriction): RestrictionTracker<KafkaRestriction> {
    return new KafkaRestrictionTracker(restriction);
  }

  initialWatermarkEstimatorState(_element: unknown, restriction: KafkaRestriction): KafkaWatermarkState {
    const now = Date.now();
    const partitions: Record<string, { maxTimestamp: number; lastActivityMs: number }> = {};
    for (const r of restriction.partitions) partitions[partitionKey(r)] = { maxTimestamp: MIN_TIMESTAMP, lastActivityMs: now };
    return { partitions };
  }

  newWatermarkEstimator(state: KafkaWatermarkState): KafkaWatermarkEstimator {
    return new KafkaWatermarkEstimator(
      this.readId,
      { maxOutOfOrdernessMs: this.options.maxOutOfOrdernessMs, idleTimeoutMs: this.options.idleTimeoutMs },
      state,
    );
  }

  private readerFor(tp: TopicPartition): PartitionReader {
    const key = partitionKey(tp);
    let reader = this.readers.get(key);
    if (!reader) this.readers.set(key, (reader = new PartitionReader(this.kafka(), tp, this.options)));
    return reader;
  }

  process(_element: unknown, ctx: SplittableProcessContext<unknown, KafkaRestriction, KafkaWatermarkState>): ProcessContinuation {
    const tracker = ctx.tracker as unknown as KafkaRestrictionTracker;
    const before = tracker.currentRestriction().partitions.map((_, i) => tracker.nextOffset(i));
    const continuation = this.readOnce(ctx, tracker);
    // Offsets go to the group (for monitoring) once the runner has committed what was read up to them.
    if (tracker.currentRestriction().partitions.some((_, i) => tracker.nextOffset(i) !== before[i])) this.commitWhenSafe(ctx, tracker);
    return continuation;
  }

  /** One fetch of each partition of the restriction: claims and emits what it got. */
  private readOnce(
    ctx: SplittableProcessContext<unknown, KafkaRestriction, KafkaWatermarkState>,
    tracker: KafkaRestrictionTracker,
  ): ProcessContinuation {
    const estimator = ctx.watermarkEstimator as KafkaWatermarkEstimator;
    const restriction = tracker.currentRestriction();
    if (restriction.readUntilMs !== undefined && Date.now() >= restriction.readUntilMs) return this.stopOrEnd(tracker);
    if (tracker.discovering) this.discoverPartitions(tracker, estimator);
    const ranges = tracker.currentRestriction().partitions;
    let emitted = 0;
    for (let index = 0; index < ranges.length; index++) {
      if (tracker.partitionDone(index)) continue;
      const range = ranges[index]!;
      const key = partitionKey(range);
      estimator.track(key);
      const poll = this.readerFor(range).poll(BigInt(tracker.nextOffset(index)));
      for (const item of poll.items) {
        // Past the end offsets the read stops at: the skip below closes the partition.
        if (Number(item.offset) >= range.to) break;
        // Only the record budget of a maxRecords read can refuse a claim here.
        if (!tracker.tryClaim({ kind: "record", index, offset: Number(item.offset) })) return this.stopOrEnd(tracker);
        estimator.onRecord(key, item.timestamp);
        const value = item.kind === "record" ? (this.options.deadLetters ? { ok: item.output } : item.output) : { deadLetter: item.letter };
        ctx.outputWithTimestamp(value, item.timestamp);
        emitted++;
      }
      tracker.tryClaim({ kind: "skip", index, nextOffset: Number(poll.nextOffset) });
    }
    if (tracker.currentRestriction().recordsLeft === 0) return this.stopOrEnd(tracker);
    if (this.allDone(tracker)) return ProcessContinuation.stop();
    return ProcessContinuation.resume(emitted > 0 ? 0 : EMPTY_POLL_DELAY_MS);
  }

  /** A bound was reached: the rest of the restriction is not read. */
  private stopOrEnd(tracker: KafkaRestrictionTracker): ProcessContinuation {
    tracker.tryClaim({ kind: "end" });
    return ProcessContinuation.stop();
  }

  private allDone(tracker: KafkaRestrictionTracker): boolean {
    if (tracker.discovering) return false;
    const n = tracker.currentRestriction().partitions.length;
    for (let i = 0; i < n; i++) if (!tracker.partitionDone(i)) return false;
    return true;
  }

  /** Adds the partitions that appeared since the start (from their first offset, as Flink reads new partitions). */
  private discoverPartitions(tracker: KafkaRestrictionTracker, estimator: KafkaWatermarkEstimator): void {
    const now = Date.now();
    if (now - this.lastDiscoveryMs < this.options.partitionDiscoveryIntervalMs) return;
    this.lastDiscoveryMs = now;
    const known = new Set(tracker.knownPartitions());
    const topics = this.topicsNow();
    const fresh = this.kafka()
      .partitionsOf(topics)
      .filter((tp) => !known.has(partitionKey(tp)));
    if (fresh.length === 0) return;
    const starts = this.kafka().offsetsFor(fresh, "earliest", this.options.readCommitted);
    for (const range of this.rangesOf(fresh, starts)) {
      tracker.tryClaim({ kind: "partition", range: { ...range, to: UNBOUNDED_OFFSET } });
      estimator.track(partitionKey(range));
    }
  }

  /** Commits the offsets read so far to the group, for monitoring, once the runner has durably committed this bundle. */
  private commitWhenSafe(
    ctx: SplittableProcessContext<unknown, KafkaRestriction, KafkaWatermarkState>,
    tracker: KafkaRestrictionTracker,
  ): void {
    const groupId = this.options.groupId;
    if (groupId === undefined) return;
    const offsets = new Map<string, bigint>();
    tracker.currentRestriction().partitions.forEach((r, i) => offsets.set(partitionKey(r), BigInt(tracker.nextOffset(i))));
    ctx.bundleFinalizer.afterBundleCommit(Date.now() + 5 * 60_000, () => {
      try {
        this.kafka().commitOffsets(groupId, offsets);
      } catch (e) {
        // Offsets in the group are for monitoring only; the source's own position is in the runner's checkpoint.
        console.warn(`mr.io.kafka.read: committing offsets to group '${groupId}' failed: ${(e as Error).message}`);
      }
    });
  }
}
