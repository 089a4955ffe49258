/**
 * The connection settings every millrace Kafka client uses, in one place:
 * bounded connect and request times, so an unreachable broker fails a run
 * within about `connectTimeoutMs × (retries + 1)` with an error naming the
 * addresses, rather than hanging.
 */

/** How long one connection attempt may take. */
export const KAFKA_CONNECT_TIMEOUT_MS = 5_000;
/** How long the client waits for one response. */
export const KAFKA_REQUEST_TIMEOUT_MS = 30_000;
/** Retries of a failed request (connection refused, a coordinator moving), `KAFKA_RETRY_DELAY_MS` apart. */
export const KAFKA_RETRIES = 3;
/** The pause between retries. */
export const KAFKA_RETRY_DELAY_MS = 500;

/** The base options of a `@platformatic/kafka` client for `bootstrap`, named `clientId` in the broker's logs. */
export function kafkaClientOptions(bootstrap: readonly string[], clientId: string) {
  return {
    clientId,
    bootstrapBrokers: [...bootstrap],
    connectTimeout: KAFKA_CONNECT_TIMEOUT_MS,
    requestTimeout: KAFKA_REQUEST_TIMEOUT_MS,
    retries: KAFKA_RETRIES,
    retryDelay: KAFKA_RETRY_DELAY_MS,
  };
}
