/** What a runner needs to write `io.kafka.write`'s records itself: the payload of its `millrace:transform:kafka_write:v1` composite. */
import type { DeliveryGuarantee } from "./record_producer";

/** Payload of the Kafka write composite (JSON). */
export interface KafkaSinkPayload {
  readonly bootstrapServers: readonly string[];
  readonly deliveryGuarantee: DeliveryGuarantee;
  /** Transactional ids are `<prefix>-<subtask or partition>-<sequence or batch>`. */
  readonly transactionalIdPrefix: string;
  readonly transactionTimeoutMs: number;
}
