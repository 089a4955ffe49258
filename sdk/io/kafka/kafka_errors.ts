/**
 * Reading the Kafka client's errors: which protocol errors a failure holds
 * (the broker's names, such as `PRODUCER_FENCED`), whether retrying can
 * help, and a one-line description for messages that name the transform.
 */

interface ProtocolErrorLike {
  readonly apiId?: string;
  readonly canRetry?: boolean;
  readonly message?: string;
}

function nested(e: unknown): ProtocolErrorLike[] {
  if (typeof e !== "object" || e === null) return [];
  const errors = (e as { errors?: unknown }).errors;
  const inner = Array.isArray(errors) ? (errors as unknown[]).flatMap(nested) : [];
  return [e as ProtocolErrorLike, ...inner, ...nested((e as { cause?: unknown }).cause)];
}

/** The broker's error names (`apiId`) anywhere in `e`. */
export function protocolErrorIds(e: unknown): string[] {
  return nested(e)
    .map((x) => x.apiId)
    .filter((id): id is string => typeof id === "string");
}

/** True when the broker said the producer was fenced by a newer one with the same transactional id. */
export function isFencedError(e: unknown): boolean {
  return protocolErrorIds(e).some((id) => id === "PRODUCER_FENCED" || id === "INVALID_PRODUCER_EPOCH");
}

/** True when every protocol error in `e` is one a retry can get past (a coordinator moving or loading, a concurrent end of transaction). */
export function isRetriableProtocolError(e: unknown): boolean {
  const errors = nested(e).filter((x) => typeof x.apiId === "string");
  return errors.length > 0 && errors.every((x) => x.canRetry === true);
}

/** The message of `e` with the broker's error names and messages, on one line. */
export function describeKafkaError(e: unknown): string {
  const all = nested(e);
  const messages = [...new Set(all.map((x) => x.message).filter((m): m is string => typeof m === "string" && m.length > 0))];
  const ids = [...new Set(protocolErrorIds(e))];
  return messages.join(": ") + (ids.length > 0 ? ` [${ids.join(", ")}]` : "");
}
