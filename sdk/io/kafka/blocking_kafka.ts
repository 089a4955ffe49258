/**
 * Kafka for code that cannot await: the harness runs DoFns and sink
 * operators synchronously (the source's fetches, a bundle's finishBundle, a
 * checkpoint's pre-commit), so the Kafka client runs on a thread of its own
 * and a blocking call waits for its answer with `Atomics.wait`, as Flink's
 * KafkaWriter blocks its task thread in `flush()` at a barrier. Sends do
 * not block: they are queued to the Kafka thread and their failures come
 * back at the next flush. The only bridge between synchronous runner code
 * and the Kafka client: the source (`blocking_read_client.ts`) and the
 * sinks share it.
 *
 * One Kafka thread per calling thread, started on first use and unref'd, so
 * it never keeps a process alive.
 */
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { KafkaIoReply, KafkaIoRequest, WireRecord } from "./kafka_io_protocol";
import type { ReadClientCall } from "./read_client_calls";
import type { RecordProducerOptions } from "./record_producer";
import type { TransactionHandle } from "./transaction_coordinator";

/** How long a blocking call waits for the Kafka thread (a flush of many records to a slow broker included). */
const BLOCKING_CALL_TIMEOUT_MS = 180_000;

export type { WireRecord };

/** Blocking access to Kafka producers and transaction coordinators. */
export class BlockingKafka {
  private static instance: BlockingKafka | undefined;
  private readonly worker: Worker;
  private readonly replies: MessagePort;
  private readonly wake = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;

  /** The calling thread's instance. */
  static shared(): BlockingKafka {
    BlockingKafka.instance ??= new BlockingKafka();
    return BlockingKafka.instance;
  }

  private constructor() {
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    this.worker = new Worker(path.join(__dirname, "kafka_io_worker.js"), {
      workerData: { signal: this.wake.buffer, replies: port2 },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on("error", () => {
      // Reported to the next blocking call, which times out with a clear message.
    });
  }

  /** Opens a producer on the Kafka thread; returns its number. */
  openProducer(options: RecordProducerOptions): number {
    const producer = this.nextId++;
    this.post({ op: "open", producer, options });
    return producer;
  }

  /** Queues records for a producer (does not wait). */
  send(producer: number, records: readonly WireRecord[]): void {
    if (records.length > 0) this.post({ op: "send", producer, records });
  }

  /** Waits until the producer's records are acknowledged; its transaction, if it has one. Throws the producer's failure. */
  flush(producer: number): TransactionHandle | undefined {
    return this.call({ op: "flush", id: this.nextId++, producer }) as TransactionHandle | undefined;
  }

  /** Closes a producer (an open transaction stays open for its handle). */
  closeProducer(producer: number): void {
    this.post({ op: "close", producer });
  }

  /** InitProducerId for a transactional id: aborts what is open under it and fences older producers. */
  initProducerId(bootstrap: readonly string[], transactionalId: string, transactionTimeoutMs: number): TransactionHandle {
    return this.call({ op: "initProducerId", id: this.nextId++, bootstrap, transactionalId, transactionTimeoutMs }) as TransactionHandle;
  }

  /** EndTxn for a recorded transaction. */
  endTransaction(bootstrap: readonly string[], handle: TransactionHandle, commit: boolean): "done" | "fenced" | "invalid-state" {
    return this.call({ op: "endTransaction", id: this.nextId++, bootstrap, handle, commit }) as "done" | "fenced" | "invalid-state";
  }

  /** A call of the source's read client; waits at most `timeoutMs` for the answer. */
  read(call: ReadClientCall, timeoutMs: number): unknown {
    return this.call({ op: "read", id: this.nextId++, call }, timeoutMs);
  }

  private post(request: KafkaIoRequest): void {
    this.worker.postMessage(request);
  }

  private call(request: Extract<KafkaIoRequest, { id: number }>, timeoutMs = BLOCKING_CALL_TIMEOUT_MS): unknown {
    Atomics.store(this.wake, 0, 0);
    this.post(request);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.wake, 0, 0, left) === "timed-out") {
        const op = request.op === "read" ? `${request.op} ${request.call.op}` : request.op;
        throw new Error(`Kafka did not answer ${op} within ${timeoutMs / 1000} s`);
      }
      Atomics.store(this.wake, 0, 0);
      for (let m = receiveMessageOnPort(this.replies); m !== undefined; m = receiveMessageOnPort(this.replies)) {
        const reply = m.message as KafkaIoReply;
        if (reply.id !== request.id) continue; // a reply to a call that timed out earlier
        if (!reply.ok) throw new Error(reply.message);
        return reply.value;
      }
    }
  }
}
