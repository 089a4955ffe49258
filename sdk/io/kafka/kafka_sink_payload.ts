/** What a runner needs to write `io.kafka.write`'s records itself: the payload of its `millrace:transform:kafka_write:v1` composite. */
import type { DeliveryGuarantee } from "./record_producer";

/** Payload of the Kafka write composite (JSON). */
export interface KafkaSinkPayload {
  /** The brokers, `host:port` each. */
  readonly bootstrapServers: readonly string[];
  /** How records are delivered (see `io.kafka.write`). */
  readonly deliveryGuarantee: DeliveryGuarantee;
  /** Transactional ids are `<prefix>-<subtask or partition>-<sequence or batch>`. */
  readonly transactionalIdPrefix: string;
  /** How long the broker keeps a transaction open before aborting it. */
  readonly transactionTimeoutMs: number;
}
