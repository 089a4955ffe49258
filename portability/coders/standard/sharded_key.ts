/**
 * Beam's `beam:coder:sharded_key:v1`: the shard id as nested bytes, then the
 * key, nested in both contexts (as Beam's SDKs write it).
 */
import type { ByteReader } from "../byte_reader";
import type { ByteWriter } from "../byte_writer";
import { type Coder, CoderError } from "../coder";
import { coderUrns } from "../urns";

/** A key split across shards, so one hot key can be processed in parallel. */
export interface ShardedKey<K = unknown> {
  /** Opaque shard identifier. */
  shardId: Uint8Array;
  /** The user key. */
  key: K;
}

/** Codes {@link ShardedKey}s with a key coder. */
export class ShardedKeyCoder<K> implements Coder<ShardedKey<K>> {
  /** {@inheritDoc Coder.urn} */
  readonly urn = coderUrns.SHARDED_KEY;
  /** {@inheritDoc Coder.components} */
  readonly components: readonly Coder[];
  /** {@inheritDoc Coder.deterministic} */
  readonly deterministic: boolean;

  /**
   * Wraps a key coder.
   *
   * @param keyCoder codes the user key.
   */
  constructor(readonly keyCoder: Coder<K>) {
    this.components = [keyCoder as Coder];
    this.deterministic = keyCoder.deterministic;
  }

  /** {@inheritDoc Coder.encode} */
  encode(value: ShardedKey<K>, writer: ByteWriter): void {
    if (typeof value !== "object" || value === null || !(value.shardId instanceof Uint8Array)) {
      throw new CoderError(this.urn, "expected {shardId: Uint8Array, key}", value);
    }
    writer.writeBytesNested(value.shardId);
    this.keyCoder.encode(value.key, writer, "nested");
  }

  /** {@inheritDoc Coder.decode} */
  decode(reader: ByteReader): ShardedKey<K> {
    const shardId = new Uint8Array(reader.readBytesNested());
    const key = this.keyCoder.decode(reader, "nested");
    return { shardId, key };
  }
}
