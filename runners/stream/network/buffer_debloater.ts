/**
 * Buffer debloating, as in Flink (`taskmanager.network.memory.buffer-debloat`):
 * the receiver of a channel measures how fast its subtask consumes records
 * from it and asks the sender for buffers of the size that makes the data in
 * flight on the channel (its credit's worth of buffers) take about
 * `--bufferDebloatTargetMs` to consume. Under backpressure the in-flight
 * data is what a checkpoint barrier waits behind, so this bounds the time a
 * barrier takes to cross the channel whatever the buffer size and capacity,
 * without changing what a checkpoint holds (barriers stay aligned).
 *
 * A channel starts with the smallest buffers and grows them as its measured
 * throughput warrants, so that a barrier of the job's first checkpoint does
 * not wait behind full-size buffers sent before any measurement.
 */

/** Records per buffer a debloating channel starts with, and never goes below. */
export const MIN_DEBLOATED_RECORDS = 8;
/** How often a receiver measures its throughput and announces a new buffer size. */
export const DEBLOAT_PERIOD_MS = 50;
/** Weight of the newest throughput sample (the rest is the previous estimate): smooths bursts. */
const SMOOTHING = 0.5;
/** A new size is announced only when it differs by more than this fraction, so that senders are not told every period. */
const ANNOUNCE_THRESHOLD = 0.1;

/**
 * The buffer size (in records) that makes `capacity` buffers take
 * `targetMs` to consume at `recordsPerMs`, within `[min, max]`.
 */
export function debloatedBufferRecords(recordsPerMs: number, targetMs: number, capacity: number, min: number, max: number): number {
  const wanted = Math.ceil((recordsPerMs * targetMs) / capacity);
  return Math.max(min, Math.min(max, wanted));
}

/** One receiving channel's throughput estimate and announced buffer size. */
export class BufferDebloater {
  private lastAt: number;
  private lastTaken = 0;
  private rate: number | undefined;
  /** The buffer size last announced to the sender (records). */
  announced: number;

  constructor(
    private readonly targetMs: number,
    private readonly capacity: number,
    /** The most records a buffer can hold anyway (what `--bufferSizeBytes` allows). */
    private readonly maxRecords: number,
    startedAt: number,
  ) {
    this.lastAt = startedAt;
    this.announced = Math.min(MIN_DEBLOATED_RECORDS, maxRecords);
  }

  /**
   * Takes a throughput sample: `recordsTaken` is the channel's running count
   * of consumed records. Returns the new buffer size when it should be
   * announced to the sender, else undefined (also when the period has not
   * passed yet).
   */
  sample(recordsTaken: number, now: number): number | undefined {
    const elapsed = now - this.lastAt;
    if (elapsed < DEBLOAT_PERIOD_MS) return undefined;
    const measured = (recordsTaken - this.lastTaken) / elapsed;
    this.lastAt = now;
    this.lastTaken = recordsTaken;
    this.rate = this.rate === undefined ? measured : SMOOTHING * measured + (1 - SMOOTHING) * this.rate;
    const size = debloatedBufferRecords(
      this.rate,
      this.targetMs,
      this.capacity,
      Math.min(MIN_DEBLOATED_RECORDS, this.maxRecords),
      this.maxRecords,
    );
    if (Math.abs(size - this.announced) <= ANNOUNCE_THRESHOLD * this.announced) return undefined;
    this.announced = size;
    return size;
  }
}
