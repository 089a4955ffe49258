/**
 * The thread behind {@link BlockingKafka}: runs the asynchronous Kafka
 * client (producers, transaction-coordinator calls, the source's read
 * client) for a thread that must wait for it synchronously, and answers
 * each blocking request on the reply port, then wakes the caller through
 * the shared signal word.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { RecordProducer, type RecordProducerOptions, type SerializedRecord } from "./record_producer";
import { TransactionCoordinators, type TransactionHandle } from "./transaction_coordinator";
import type { KafkaIoReply, KafkaIoRequest } from "./kafka_io_protocol";
import { answerReadCall } from "./read_client_calls";

const { signal, replies } = workerData as { signal: SharedArrayBuffer; replies: MessagePort };
const wake = new Int32Array(signal);
const producers = new Map<number, RecordProducer>();
const coordinators = new Map<string, TransactionCoordinators>();

function coordinatorsFor(bootstrap: readonly string[]): TransactionCoordinators {
  const key = bootstrap.join(",");
  let c = coordinators.get(key);
  if (c === undefined) coordinators.set(key, (c = new TransactionCoordinators(bootstrap, "millrace-sink")));
  return c;
}

function asBuffer(bytes: Uint8Array | undefined): Buffer | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function reply(message: KafkaIoReply): void {
  replies.postMessage(message);
  Atomics.store(wake, 0, 1);
  Atomics.notify(wake, 0);
}

async function answer(request: KafkaIoRequest): Promise<unknown> {
  switch (request.op) {
    case "flush": {
      const producer = producers.get(request.producer)!;
      return producer.flush();
    }
    case "initProducerId":
      return coordinatorsFor(request.bootstrap).initProducerId(request.transactionalId, request.transactionTimeoutMs);
    case "endTransaction":
      return coordinatorsFor(request.bootstrap).endTransaction(request.handle as TransactionHandle, request.commit);
    case "read":
      return answerReadCall(request.call);
    default:
      throw new Error(`internal: unknown Kafka request ${JSON.stringify(request)}`);
  }
}

parentPort!.on("message", (request: KafkaIoRequest) => {
  switch (request.op) {
    case "open":
      producers.set(request.producer, new RecordProducer(request.options as RecordProducerOptions));
      return;
    case "send": {
      const producer = producers.get(request.producer)!;
      try {
        for (const r of request.records) {
          producer.send({
            ...r,
            key: asBuffer(r.key),
            value: asBuffer(r.value),
            headers: r.headers?.map(([k, v]) => [k, asBuffer(v)!] as const),
          } as SerializedRecord);
        }
      } catch {
        // The producer keeps its first failure; the next flush reports it.
      }
      return;
    }
    case "close": {
      const producer = producers.get(request.producer);
      producers.delete(request.producer);
      void producer?.close();
      return;
    }
    default:
      answer(request).then(
        (value) => reply({ id: request.id, ok: true, value }),
        (e: unknown) => reply({ id: request.id, ok: false, message: e instanceof Error ? e.message : String(e) }),
      );
  }
});
