/**
 * Keyed routing as Flink's KeyGroupRangeAssignment does it: a key's encoded
 * bytes hash to one of `maxParallelism` key groups, and key groups map to
 * subtasks in contiguous ranges. State is organised by key group, so the
 * same key always lands on the same subtask for a given parallelism, and a
 * different parallelism reassigns whole key groups.
 */

/** Murmur3 (32-bit) over bytes: a well-mixed hash, stable across processes. */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[blocks + 2]! << 16;
    if (rest >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The key group of a key's encoding. */
export function keyGroupOf(keyBytes: Uint8Array, maxParallelism: number): number {
  return murmur3(keyBytes) % maxParallelism;
}

/** The subtask that owns `keyGroup` (Flink's computeOperatorIndexForKeyGroup). */
export function subtaskOfKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The subtask a key's encoding is routed to. */
export function subtaskOfKey(keyBytes: Uint8Array, maxParallelism: number, parallelism: number): number {
  return subtaskOfKeyGroup(keyGroupOf(keyBytes, maxParallelism), maxParallelism, parallelism);
}
