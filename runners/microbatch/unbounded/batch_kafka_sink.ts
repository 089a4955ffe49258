/**
 * `io.kafka.write` on unbounded input in the micro-batch runner: each task
 * of a batch writes its records in one Kafka transaction,
 * `<prefix>-p<partition>-b<batch>`, flushed when the task's bundle
 * finishes; the task reports the transaction (id, producer id, epoch) to
 * the driver, which records every transaction of the batch in the batch's
 * commit log entry and then commits them (EndTxn). Readers with
 * read_committed see a batch's records only once the commit log has the
 * batch. A replayed batch has the same ids, so its tasks' InitProducerId
 * aborts what the failed attempt left open; a restart after a crash
 * between the commit log and the commits commits them again (harmless if
 * they were). `"at-least-once"` only flushes; `"none"` only sends.
 */
import type { Operator } from "../../../portability/harness/operators";
import type { KafkaSinkPayload } from "../../../sdk/io/kafka/kafka_sink_payload";
import type { KafkaProducerRecord } from "../../../sdk/io/kafka/write_kafka";
import { BlockingKafka } from "../../../sdk/io/kafka/blocking_kafka";
import type { TransactionHandle } from "../../../sdk/io/kafka/transaction_coordinator";
import { wrapUserError } from "../../../portability/harness/user_code_error";

/** A transaction a task flushed, for the driver to commit with the batch. */
export interface BatchKafkaTransaction {
  readonly transform: string;
  readonly handle: TransactionHandle;
}

const RECORDS_PER_SEND = 500;

/** The transactional id of task `partition`'s records in batch `batchId`. */
export function batchTransactionalId(sink: KafkaSinkPayload, batchId: number, partition: number): string {
  return `${sink.transactionalIdPrefix}-p${partition}-b${batchId}`;
}

/** The Kafka sink of one task. */
export class BatchKafkaSink implements Operator {
  private readonly kafka = BlockingKafka.shared();
  private producer: number | undefined;
  private records: KafkaProducerRecord[] = [];

  constructor(
    readonly transform: string,
    private readonly sink: KafkaSinkPayload,
    private readonly batchId: number,
    private readonly partition: number,
    /** Receives the task's transaction once its records are flushed. */
    private readonly flushed: (t: BatchKafkaTransaction) => void,
  ) {}

  setup(): void {}
  startBundle(): void {}
  teardown(): void {
    if (this.producer !== undefined) this.kafka.closeProducer(this.producer);
    this.producer = undefined;
  }

  receive(record: unknown): void {
    if (this.producer === undefined) {
      const exactlyOnce = this.sink.deliveryGuarantee === "exactly-once";
      this.producer = this.kafka.openProducer({
        bootstrap: this.sink.bootstrapServers,
        clientId: `millrace-${this.transform}-${this.partition}`,
        transform: this.transform,
        guarantee: this.sink.deliveryGuarantee,
        ...(exactlyOnce
          ? {
              transactionalId: batchTransactionalId(this.sink, this.batchId, this.partition),
              transactionTimeoutMs: this.sink.transactionTimeoutMs,
            }
          : {}),
      });
    }
    this.records.push(record as KafkaProducerRecord);
    if (this.records.length >= RECORDS_PER_SEND) this.send();
  }

  private send(): void {
    this.kafka.send(this.producer!, this.records);
    this.records = [];
  }

  finishBundle(): void {
    if (this.producer === undefined) return;
    this.send();
    const producer = this.producer;
    this.producer = undefined;
    try {
      if (this.sink.deliveryGuarantee === "none") return;
      const handle = this.kafka.flush(producer);
      if (handle !== undefined) this.flushed({ transform: this.transform, handle });
    } catch (e) {
      wrapUserError(e, this.transform, "finishBundle");
    } finally {
      this.kafka.closeProducer(producer);
    }
  }
}
