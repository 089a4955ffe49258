/**
 * Raw calls to a Kafka transaction coordinator: InitProducerId, EndTxn and
 * DescribeTransactions for a transactional id, without a producer. A
 * two-phase-commit sink needs them because the transaction it commits was
 * begun by a producer that may be gone (a restored checkpoint, a replayed
 * batch): Flink's KafkaSink resumes such a transaction the same way, from
 * the transactional id, producer id and epoch it recorded.
 *
 * Two behaviours of `@platformatic/kafka` 1.35 are fixed here by calling
 * the protocol directly: its InitProducerId sends producer id 0 and epoch 0
 * where the protocol's "no producer yet" is -1 / -1 (a restarted attempt
 * could then not take over its transactional id), and it sends its generic
 * 5 s request `timeout` as the transaction timeout.
 */
import { Connection, describeTransactionsV0, endTxnV4, findCoordinatorV6, initProducerIdV5 } from "@platformatic/kafka";
import { KAFKA_CONNECT_TIMEOUT_MS, KAFKA_REQUEST_TIMEOUT_MS, KAFKA_RETRIES } from "./client_options";
import { describeKafkaError, isFencedError, isRetriableProtocolError, protocolErrorIds } from "./kafka_errors";

/** What a transaction is known by: enough to commit or abort it from any process. */
export interface TransactionHandle {
  readonly transactionalId: string;
  /** The producer id as a decimal string (JSON-safe for snapshots and logs). */
  readonly producerId: string;
  readonly producerEpoch: number;
}

/** The coordinator's view of a transactional id (DescribeTransactions). */
export interface TransactionDescription {
  readonly state: string;
  readonly timeoutMs: number;
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly partitions: readonly string[];
}

/** FindCoordinator's key type for transactional ids. */
const TRANSACTION_KEY_TYPE = 1;
/** How long a call keeps retrying a coordinator that is loading or busy finishing a transaction. */
const DEFAULT_DEADLINE_MS = 60_000;

/** Transaction coordinator calls for one cluster; connections are kept until {@link close}. */
export class TransactionCoordinators {
  private readonly connections = new Map<string, Connection>();
  private readonly coordinatorOf = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly bootstrap: readonly string[],
    private readonly clientId: string,
    private readonly deadlineMs = DEFAULT_DEADLINE_MS,
  ) {}

  /**
   * InitProducerId for `transactionalId` with no known producer (-1 / -1):
   * aborts a transaction still open under that id, bumps the epoch (fencing
   * every older producer of the id) and returns the new identity. An id
   * never used before comes back with epoch 0.
   */
  async initProducerId(transactionalId: string, transactionTimeoutMs: number): Promise<TransactionHandle> {
    const r = await this.call(transactionalId, `InitProducerId for '${transactionalId}'`, (c) =>
      initProducerIdV5.api.async(c, transactionalId, transactionTimeoutMs, -1n, -1),
    );
    return { transactionalId, producerId: r.producerId.toString(), producerEpoch: r.producerEpoch };
  }

  /**
   * EndTxn: commits (or aborts) the transaction `handle` names. Committing a
   * transaction that is already committed succeeds (a retried commit). The
   * result is `"fenced"` when a newer producer of the id took over (its
   * epoch moved on): the transaction was aborted by that producer, or timed
   * out and was aborted by the broker, or was committed earlier and the id
   * reused; `"invalid-state"` when the coordinator holds no such transaction.
   */
  async endTransaction(handle: TransactionHandle, commit: boolean): Promise<"done" | "fenced" | "invalid-state"> {
    try {
      await this.call(handle.transactionalId, `EndTxn(${commit ? "commit" : "abort"}) for '${handle.transactionalId}'`, (c) =>
        endTxnV4.api.async(c, handle.transactionalId, BigInt(handle.producerId), handle.producerEpoch, commit),
      );
      return "done";
    } catch (e) {
      if (isFencedError(e)) return "fenced";
      if (protocolErrorIds(e).includes("INVALID_TXN_STATE")) return "invalid-state";
      throw e;
    }
  }

  /** DescribeTransactions for one id. */
  async describe(transactionalId: string): Promise<TransactionDescription> {
    const r = await this.call(transactionalId, `DescribeTransactions for '${transactionalId}'`, (c) =>
      describeTransactionsV0.api.async(c, [transactionalId]),
    );
    const s = r.transactionStates[0];
    return {
      state: s.transactionState,
      timeoutMs: s.transactionTimeoutMs,
      producerId: s.producerId.toString(),
      producerEpoch: s.producerEpoch,
      partitions: s.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)),
    };
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }

  /** Runs `request` on the coordinator of `transactionalId`, retrying what a retry can fix until the deadline. */
  private async call<T>(transactionalId: string, what: string, request: (c: Connection) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.deadlineMs;
    let connectionFailures = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const connection = await this.coordinator(transactionalId);
        return await request(connection);
      } catch (e) {
        if (this.closed) throw e;
        const ids = protocolErrorIds(e);
        if (ids.includes("NOT_COORDINATOR") || ids.includes("COORDINATOR_NOT_AVAILABLE")) this.coordinatorOf.delete(transactionalId);
        // An unreachable broker fails as fast as the other clients do; a busy coordinator is waited for.
        const retriable = isRetriableProtocolError(e) || (isConnectionError(e) && ++connectionFailures <= KAFKA_RETRIES);
        if (!retriable || Date.now() + backoff(attempt) > deadline) {
          throw new Error(`${what} failed (brokers ${this.bootstrap.join(",")}): ${describeKafkaError(e)}`, { cause: e });
        }
        if (isConnectionError(e)) this.coordinatorOf.delete(transactionalId);
        await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
      }
    }
  }

  private async coordinator(transactionalId: string): Promise<Connection> {
    const known = this.coordinatorOf.get(transactionalId);
    if (known !== undefined) return this.connect(known);
    const r = await findCoordinatorV6.api.async(await this.anyBroker(), TRANSACTION_KEY_TYPE, [transactionalId]);
    const c = r.coordinators[0];
    const address = `${c.host}:${c.port}`;
    this.coordinatorOf.set(transactionalId, address);
    return this.connect(address);
  }

  /** A connection to the first bootstrap broker that answers. */
  private async anyBroker(): Promise<Connection> {
    const failures: string[] = [];
    for (const address of this.bootstrap) {
      try {
        return await this.connect(address);
      } catch (e) {
        failures.push(`${address}: ${describeKafkaError(e)}`);
      }
    }
    throw Object.assign(new Error(`cannot connect to any Kafka broker of ${this.bootstrap.join(",")} (${failures.join("; ")})`), {
      connectionFailure: true,
    });
  }

  private async connect(address: string): Promise<Connection> {
    const existing = this.connections.get(address);
    if (existing !== undefined && existing.isConnected()) return existing;
    if (existing !== undefined) {
      this.connections.delete(address);
      existing.close().catch(() => undefined);
    }
    const colon = address.lastIndexOf(":");
    const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
    const connection = new Connection(this.clientId, {
      connectTimeout: KAFKA_CONNECT_TIMEOUT_MS,
      requestTimeout: KAFKA_REQUEST_TIMEOUT_MS,
    });
    try {
      await connection.connect(host, Number(address.slice(colon + 1)));
    } catch (e) {
      connection.close().catch(() => undefined);
      throw Object.assign(new Error(`cannot connect to the Kafka broker ${address}: ${describeKafkaError(e)}`), {
        connectionFailure: true,
      });
    }
    this.connections.set(address, connection);
    return connection;
  }
}

function isConnectionError(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const code = (e as { code?: unknown }).code;
  return (e as { connectionFailure?: boolean }).connectionFailure === true || code === "PLT_KFK_NETWORK" || code === "PLT_KFK_TIMEOUT";
}

function backoff(attempt: number): number {
  return Math.min(100 * 2 ** attempt, 1_000);
}
