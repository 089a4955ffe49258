/**
 * What the stream and micro-batch runners' exactly-once Kafka sinks share:
 * committing recorded transactions (again, on restore), aborting the
 * transactions a failed attempt left open, and the check that a
 * transaction outlives the unit of commit it waits for.
 *
 * A transaction's records are invisible to read_committed consumers until
 * its commit, and everything after its first record in each partition
 * waits behind it (the last stable offset). So a sink must never leave one
 * open: an attempt that dies leaves its transactions open until the broker
 * aborts them (`transactionTimeoutMs`), unless the next attempt aborts them
 * first, which it does by InitProducerId on every id they could have.
 */
import type { PipelineModel } from "../../portability/pipeline_model";
import type { ExecutionPlan } from "../../portability/plan/execution_plan";
import type { BlockingKafka } from "../../sdk/io/kafka/blocking_kafka";
import type { KafkaSinkPayload } from "../../sdk/io/kafka/kafka_sink_payload";
import type { TransactionHandle } from "../../sdk/io/kafka/transaction_coordinator";

/** The plan's native Kafka sinks: their transform ids. */
export function kafkaSinkTransforms(plan: ExecutionPlan): string[] {
  return plan.stages.flatMap((s) => s.steps.filter((step) => step.kind === "writeKafka").map((step) => step.transformId));
}

/**
 * Refuses, before anything runs, an exactly-once Kafka sink whose
 * transactions would time out before the runner commits them: a
 * transaction stays open for about one `unitMs` (the checkpoint or batch
 * interval) plus the time to complete it.
 */
export function checkTransactionTimeouts(model: PipelineModel, plan: ExecutionPlan, unitMs: number, unitName: string): void {
  for (const id of kafkaSinkTransforms(plan)) {
    const sink = model.kafkaSinkPayload(id);
    if (sink.deliveryGuarantee !== "exactly-once") continue;
    if (sink.transactionTimeoutMs <= unitMs) {
      throw new Error(
        `${id}: transactionTimeoutMs (${sink.transactionTimeoutMs} ms) must exceed ${unitName} (${unitMs} ms): ` +
          `a transaction stays open until the checkpoint or batch after it completes, and the broker aborts it (losing its records) after transactionTimeoutMs. ` +
          `Raise transactionTimeoutMs (at most the broker's transaction.max.timeout.ms) or lower ${unitName}.`,
      );
    }
  }
}

/**
 * Commits transactions a completed checkpoint or batch recorded. A repeated
 * commit is harmless; a transaction the broker no longer holds (it timed
 * out and was aborted) fails with an error naming it: its records are lost.
 */
export function commitRecorded(
  kafka: BlockingKafka,
  sink: KafkaSinkPayload,
  transform: string,
  handles: readonly TransactionHandle[],
): void {
  for (const handle of handles) {
    const outcome = kafka.endTransaction(sink.bootstrapServers, handle, true);
    if (outcome !== "done") {
      throw new Error(
        `${transform}: cannot commit Kafka transaction '${handle.transactionalId}' (producer ${handle.producerId}, epoch ${handle.producerEpoch}): ` +
          `${outcome === "fenced" ? "a newer producer of the id took over, or the broker aborted it after transactionTimeoutMs" : "the coordinator holds no such transaction"}; ` +
          `its records are not published. Is another job using transactionalIdPrefix '${sink.transactionalIdPrefix}', or is transactionTimeoutMs (${sink.transactionTimeoutMs} ms) shorter than a restart takes?`,
      );
    }
  }
}

/**
 * Aborts what earlier attempts left open under `idOf(from)`, `idOf(from + 1)`,
 * ...: InitProducerId on each (which aborts an open transaction and fences
 * its producer) until an id that was never used (epoch 0). Ids are taken
 * in sequence, never skipped, so no used id lies beyond the first unused
 * one. Returns how many ids were in use.
 */
export function abortLingering(kafka: BlockingKafka, sink: KafkaSinkPayload, idOf: (n: number) => string, from: number): number {
  let n = from;
  while (kafka.initProducerId(sink.bootstrapServers, idOf(n), sink.transactionTimeoutMs).producerEpoch > 0) n++;
  return n - from;
}
