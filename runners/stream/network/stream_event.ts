/**
 * What travels in-band between subtasks besides records. Events follow the
 * records sent before them on the same channel, so a watermark or a barrier
 * never overtakes data.
 */

/** An in-band event. */
export type StreamEvent =
  /** No record with an earlier timestamp will follow on this channel. */
  | { readonly kind: "watermark"; readonly timestamp: number }
  /**
   * The channel's upstream went idle (nothing to read: its watermark must not hold the consumer back) or active
   * again: Flink's `WatermarkStatus`.
   */
  | { readonly kind: "watermarkStatus"; readonly idle: boolean }
  /** Scripted processing time (a TestStream's clock) moved to `time`. */
  | { readonly kind: "clock"; readonly time: number }
  /** Everything before it belongs to checkpoint `checkpointId`, everything after to the next. */
  | { readonly kind: "barrier"; readonly checkpointId: number };

/** Names a channel: an edge, the producer subtask and the consumer subtask. */
export function channelKey(edge: number, from: number, to: number): string {
  return `${edge}:${from}:${to}`;
}
