/**
 * How records are spread over a shuffle's partitions: by a hash of the
 * key's encoding (so all values of a key meet in one reduce task), or round
 * robin when nothing downstream is keyed.
 */

/** How a materialized PCollection is partitioned. */
export type Partitioner = "key" | "roundRobin";

/** FNV-1a over bytes: stable across processes and runs. */
export function hashBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The partition of a key's encoding among `partitions`. */
export function partitionOf(keyBytes: Uint8Array, partitions: number): number {
  return hashBytes(keyBytes) % partitions;
}
