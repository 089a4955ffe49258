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
const BATCH_RECORDS = 500;

/** A producer for one unit of commit (a checkpoint's or a batch's records). */
export class RecordProducer {
  private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  private batch: SerializedRecord[] = [];
  /**
   * The produce requests, one after another: the library numbers an
   * idempotent producer's batches as it sends them, and two requests in
   * flight to one partition can reach the broker out of order
   * (OUT_OF_ORDER_SEQUENCE_NUMBER), so each waits for the one before.
   */
  private chain: Promise<unknown> = Promise.resolve();
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

  /** Exactly once: begins the transaction (fencing older producers of the id). Called by the first {@link send} if not before. */
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

  /** Queues a record; sends a produce request every {@link BATCH_RECORDS} records. Throws an earlier send's failure. */
  send(record: SerializedRecord): void {
    this.throwIfFailed();
    this.batch.push(record);
    this.sent++;
    if (this.batch.length >= BATCH_RECORDS) this.sendBatch();
  }

  private sendBatch(): void {
    if (this.batch.length === 0) return;
    const messages = this.batch.map((r) => ({
      topic: r.topic,
      key: r.key,
      value: r.value,
      partition: r.partition,
      timestamp: r.timestamp === undefined ? undefined : BigInt(Math.trunc(r.timestamp)),
      headers: r.headers === undefined ? undefined : new Map(r.headers.map(([k, v]) => [Buffer.from(k, "utf8"), v])),
    }));
    this.batch = [];
    this.chain = this.chain
      .then(() => this.open())
      .then(() => {
        if (this.failure !== undefined) return;
        return this.transaction !== undefined ? this.transaction.send({ messages }) : this.producer.send({ messages });
      })
      .catch((e: unknown) => {
        this.failure ??= this.named(`cannot write ${messages.length} record(s) to ${describeTopics(messages)}`, e);
      });
  }

  /**
   * Sends what is queued and waits until every record is acknowledged (for
   * `"none"`, until sent). Exactly once: returns the transaction to commit,
   * or undefined when no record was written (no transaction was begun).
   */
  async flush(): Promise<TransactionHandle | undefined> {
    this.sendBatch();
    await this.chain;
    this.throwIfFailed();
    return this.handle;
  }

  /** Closes the connections; an open transaction stays open for the sink to end by its handle. */
  async close(): Promise<void> {
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

function describeTopics(messages: ReadonlyArray<{ topic: string }>): string {
  const topics = [...new Set(messages.map((m) => m.topic))];
  return topics.length === 1 ? `topic '${topics[0]}'` : `topics ${topics.map((t) => `'${t}'`).join(", ")}`;
}
