/**
 * `mr.io.kafka.read`: the Kafka source transform. Impulse → ReadFromKafka
 * (the splittable DoFn of `read_from_kafka_fn.ts`), plus, when dead letters
 * are asked for, a step that splits records from the records that failed to
 * deserialize.
 */
import { PTransform } from "../../ptransform";
import type { PCollection } from "../../pcollection";
import type { PBegin } from "../../graph/pvalue";
import { impulse } from "../../transforms/create";
import { parDo } from "../../transforms/pardo";
import type { Coder } from "../../../portability/coders/coder";
import type { KafkaRecord } from "./kafka_record";
import { ReadFromKafkaFn, type ReadOutcome } from "./read_from_kafka_fn";
import { resolveKafkaReadOptions, type KafkaDeadLetter, type KafkaReadOptions, type ResolvedKafkaReadOptions } from "./read_options";

/** What a read with `onDeserializationError: "deadLetter"` returns. */
export interface KafkaReadWithDeadLetters<T> {
  /** The records (or values) that deserialized. */
  readonly records: PCollection<T>;
  /** The records that did not, with topic, partition, offset and the error. */
  readonly deadLetters: PCollection<KafkaDeadLetter>;
}

/** The read transform; see `mr.io.kafka.read`. */
export class KafkaRead<T> extends PTransform<PBegin, PCollection<T> | KafkaReadWithDeadLetters<T>> {
  private readonly resolved: ResolvedKafkaReadOptions;

  constructor(options: KafkaReadOptions) {
    super();
    this.resolved = resolveKafkaReadOptions(options);
  }

  override defaultName(): string {
    return "ReadFromKafka";
  }

  expand(input: PBegin): PCollection<T> | KafkaReadWithDeadLetters<T> {
    const o = this.resolved;
    const read = input.pipeline.apply("Impulse", impulse()).apply("Read", parDo(new ReadFromKafkaFn(o))) as PCollection<unknown>;
    const valueCoder = !o.withMetadata && typeof o.valueDeserializer === "object" ? (o.valueDeserializer as Coder<T>) : undefined;
    if (!o.deadLetters) {
      const records = read as PCollection<T>;
      if (valueCoder) records.setCoder(valueCoder);
      return records;
    }
    const split = read.apply(
      "SplitDeadLetters",
      parDo(
        {
          process(outcome: ReadOutcome, ctx) {
            if ("deadLetter" in outcome) ctx.outputTo("deadLetters", outcome.deadLetter);
            else ctx.output(outcome.ok as T);
          },
        },
        { outputs: ["deadLetters"] },
      ),
    );
    const records = split.main as PCollection<T>;
    if (valueCoder) records.setCoder(valueCoder);
    return { records, deadLetters: split.deadLetters as PCollection<KafkaDeadLetter> };
  }
}

/** The element type of a read: records with metadata, or values. */
export type KafkaReadElement<O extends KafkaReadOptions> = O extends { withMetadata: true } ? KafkaRecord : unknown;
