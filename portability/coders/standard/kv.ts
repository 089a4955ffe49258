/** Beam's `beam:coder:kv:v1`: the key nested, then the value in the KV's own context. */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, type CoderContext, CoderError } from "../coder";
import { coderUrns } from "../urns";
import type { KV } from "../../../model/kv";

/** Codes {@link KV} pairs with a key coder and a value coder. */
export class KVCoder<K, V> implements Coder<KV<K, V>> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.KV;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * A coder for key-value pairs.
   *
   * @param keyCoder codes keys.
   * @param valueCoder codes values.
   */
  constructor(
    readonly keyCoder: Coder<K>,
    readonly valueCoder: Coder<V>,
  ) {
    this.components = [keyCoder as Coder, valueCoder as Coder];
    this.deterministic = keyCoder.deterministic && valueCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: KV<K, V>, writer: ByteWriter, context: CoderContext): void {
    if (typeof value !== "object" || value === null || (value.key === undefined && !("key" in value))) {
      throw new CoderError(this.urn, "expected a {key, value} object", value);
    }
    this.keyCoder.encode(value.key, writer, "nested");
    this.valueCoder.encode(value.value, writer, context);
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader, context: CoderContext): KV<K, V> {
    const key = this.keyCoder.decode(reader, "nested");
    const value = this.valueCoder.decode(reader, context);
    return { key, value };
  }
}
