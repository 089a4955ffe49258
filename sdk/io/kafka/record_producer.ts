/**
 * Sending serialized records to Kafka, the three ways `io.kafka.write`
 * delivers: inside a transaction that a two-phase-commit sink ends later
 * (exactly once), acknowledged by every in-sync replica and awaited at a
 * flush (at least once), or without waiting for anything (none).
 *
 * A transactional producer here serves one transaction: it is opened with
 * its transactional id, InitProducerId (-1 / -1, see
 * `transaction_coordinator.ts`) fences and aborts whatever an older
 * producer of the id left open, and after {@link RecordProducer.flush} its
 * transaction is handed to the sink as a {@link TransactionHandle}, to be
 * committed by EndTxn when the runner says so, from this process or another.
 * A producer without a transaction can serve any number of flushes, so a
 * sink keeps one for its whole run instead of paying InitProducerId and
 * new connections at every checkpoint.
 */
import { Producer } from "@platformatic/kafka";
import { kafkaClientOptions } from "./client_options";
import { describeKafkaError, isFencedError } from "./kafka_errors";
import type { TransactionHandle } from "./transaction_coordinator";

/** One record, serialized: what the sink receives from the transform's serializing step. */
export interface SerializedRecord {
  readonly topic: string;
  readonly key?: Buffer;
  readonly value?: Buffer;
  readonly headers?: ReadonlyArray<readonly [string, Buffer]>;
  /** Milliseconds since the epoch; the broker's time when absent. */
  readonly timestamp?: number;
  readonly partition?: number;
}

/** How a producer delivers; see `io.kafka.write`'s `deliveryGuarantee`. */
export type DeliveryGuarantee = "exactly-once" | "at-least-once" | "none";

/** The settings a producer needs. */
export interface RecordProducerOptions {
  readonly bootstrap: readonly string[];
  readonly clientId: string;
  /** Named in errors. */
  readonly transform: string;
  readonly guarantee: DeliveryGuarantee;
  /** Exactly once: this transaction's id, and how long the broker keeps it open before aborting it. */
  readonly transactionalId?: string;
  readonly transactionTimeoutMs?: number;
}

/** How many records one produce request carries at most. */
const MAX_REQUEST_RECORDS = 5_000;
/**
 * How many bytes (keys, values, headers) one produce request carries at
 * most: under the broker's default `message.max.bytes` (1 MiB per record
 * batch), so a request of many large records is split rather than refused.
 */
const MAX_REQUEST_BYTES = 900 * 1024;

/** A producer for one unit of commit (a checkpoint's or a batch's records), or, without a transaction, for many. */
export class RecordProducer {
  private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  /** Records waiting for the next produce request. */
  private queued: SerializedRecord[] = [];
  /**
   * The produce request on its way, if any. Requests go one at a time:
   * the library numbers an idempotent producer's batches when the broker
   * answers, and two requests in flight to one partition can reach the
   * broker out of order (OUT_OF_ORDER_SEQUENCE_NUMBER). Records that come
   * while one is in flight wait and leave together in the next, as Kafka's
   * own producer batches behind its in-flight requests: a request goes out
   * as soon as the one before is answered, never held for a count or a
   * flush (which kept at-least-once records back until the checkpoint).
   */
  private inFlight: Promise<void> | undefined;
  /** Whether a request is due once the current synchronous burst of {@link send}s ends. */
  private requestScheduled = false;
  private failure: Error | undefined;
  private handle: TransactionHandle | undefined;
  private transaction: Awaited<ReturnType<Producer<Buffer, Buffer, Buffer, Buffer>["beginTransaction"]>> | undefined;
  private opened: Promise<void> | undefined;
  /** Records handed to {@link send}. */
  sent = 0;

  constructor(private readonly options: RecordProducerOptions) {
    const transactional = options.guarantee === "exactly-once";
    if (transactional && (options.transactionalId === undefined || options.transactionTimeoutMs === undefined)) {
      throw new Error(`${options.transform}: an exactly-once producer needs a transactional id and a transaction timeout`);
    }
    this.producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...kafkaClientOptions(options.bootstrap, options.clientId),
      idempotent: transactional || options.guarantee === "at-least-once",
      acks: options.guarantee === "none" ? 1 : -1,
      ...(transactional
        ? {
            transactionalId: options.transactionalId,
            // The library sends its generic `timeout` as the transaction timeout (and as the produce
            // request's broker-side wait, which a longer value does no harm to).
            timeout: options.transactionTimeoutMs,
          }
        : {}),
    });
  }

  /** Exactly once: begins the transaction (fencing older producers of the id). Called by the first request if not before. */
  open(): Promise<void> {
    if (this.opened === undefined) this.opened = this.begin();
    return this.opened;
  }

  private async begin(): Promise<void> {
    if (this.options.guarantee !== "exactly-once") return;
    try {
      // -1 / -1: no known producer. The library's default, 0 / 0, is refused for an id that another producer holds.
      this.transaction = await this.producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
    } catch (e) {
      throw this.named(`cannot begin transaction '${this.options.transactionalId}'`, e);
    }
    this.handle = {
      transactionalId: this.options.transactionalId!,
      producerId: String(this.producer.producerId),
      producerEpoch: this.producer.producerEpoch!,
    };
  }

  /**
   * Queues a record; it leaves in the next produce request, which starts
   * when the current burst of sends ends (a microtask later) if none is in
   * flight. Throws an earlier request's failure.
   */
  send(record: SerializedRecord): void {
    this.throwIfFailed();
    this.queued.push(record);
    this.sent++;
    if (!this.requestScheduled && this.inFlight === undefined) {
      this.requestScheduled = true;
      queueMicrotask(() => {
        this.requestScheduled = false;
        this.startRequest();
      });
    }
  }

  /** Sends the queued records, up to a request's worth, unless a request is in flight; the next follows when it is answered. */
  private startRequest(): void {
    if (this.inFlight !== undefined || this.queued.length === 0) return;
    const records = this.takeRequest();
    this.inFlight = this.request(records).finally(() => {
      this.inFlight = undefined;
      this.startRequest();
    });
  }

  /** The first queued records that fit in one request (at least one). */
  private takeRequest(): SerializedRecord[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queued.length && n < MAX_REQUEST_RECORDS) {
      bytes += recordBytes(this.queued[n]!);
      if (n > 0 && bytes > MAX_REQUEST_BYTES) break;
      n++;
    }
    if (n === this.queued.length) {
      const all = this.queued;
      this.queued = [];
      return all;
    }
    return this.queued.splice(0, n);
  }

  private async request(records: readonly SerializedRecord[]): Promise<void> {
    const messages = records.map((r) => ({
      topic: r.topic,
      key: r.key,
      value: r.value,
      partition: r.partition,
      timestamp: r.timestamp === undefined ? undefined : BigInt(Math.trunc(r.timestamp)),
      headers: r.headers === undefined ? undefined : new Map(r.headers.map(([k, v]) => [Buffer.from(k, "utf8"), v])),
    }));
    try {
      await this.open();
      // After a failure nothing more is sent: the records after it must not appear without the ones before.
      if (this.failure !== undefined) return;
      await (this.transaction !== undefined ? this.transaction.send({ messages }) : this.producer.send({ messages }));
    } catch (e) {
      this.failure ??= this.named(`cannot write ${messages.length} record(s) to ${describeTopics(messages)}`, e);
    }
  }

  /**
   * Sends what is queued and waits until every record is acknowledged (for
   * `"none"`, until sent). Exactly once: returns the transaction to commit,
   * or undefined when no record was written (no transaction was begun).
   */
  async flush(): Promise<TransactionHandle | undefined> {
    while (this.inFlight !== undefined || this.queued.length > 0) {
      this.startRequest();
      await this.inFlight;
    }
    this.throwIfFailed();
    return this.handle;
  }

  /**
   * Closes the connections. Without a transaction, what is queued is sent
   * first (failures unreported: a guarantee that needs the records flushes
   * before); a transaction's unflushed records are dropped with it, and an
   * open transaction stays open for the sink to end by its handle.
   */
  async close(): Promise<void> {
    if (this.options.guarantee !== "exactly-once") await this.flush().catch(() => undefined);
    await this.producer.close().catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private named(what: string, e: unknown): Error {
    const fenced = isFencedError(e)
      ? ` (fenced: a newer producer with transactional id '${this.options.transactionalId}' took over, so this attempt must stop)`
      : "";
    return new Error(
      `${this.options.transform}: ${what} (brokers ${this.options.bootstrap.join(",")}): ${describeKafkaError(e)}${fenced}`,
      {
        cause: e,
      },
    );
  }
}

function recordBytes(r: SerializedRecord): number {
  let bytes = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers !== undefined) for (const [k, v] of r.headers) bytes += k.length + v.length;
  return bytes;
}

function describeTopics(messages: ReadonlyArray<{ topic: string }>): string {
  const topics = [...new Set(messages.map((m) => m.topic))];
  return topics.length === 1 ? `topic '${topics[0]}'` : `topics ${topics.map((t) => `'${t}'`).join(", ")}`;
}
