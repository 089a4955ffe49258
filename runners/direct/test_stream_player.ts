/**
 * Plays TestStreams: an event is applied only when nothing else can happen
 * in the pipeline, so a test controls event time and processing time
 * exactly. Processing time is then the script's clock, not the real one.
 */
import type { TestStreamEvent } from "../core/sources/test_stream_events";
import type { StageNode } from "./direct_nodes";

/** What playing one event asks of the executor. */
export interface PlayedEvent {
  /** The TestStream's stage (its watermark may have moved). */
  readonly node: StageNode;
  /** Elements to emit from it, when the event is an "elements" one. */
  readonly elements?: Extract<TestStreamEvent, { kind: "elements" }>["elements"];
  /** True when the event moved processing time. */
  readonly clockMoved: boolean;
}

/** The TestStreams of a pipeline and their scripted clock. */
export class TestStreamPlayer {
  private clock = 0;

  /** @param streams the stages whose source is a TestStream, in topological order */
  constructor(private readonly streams: readonly StageNode[]) {}

  /** True when processing time is scripted (the pipeline has a TestStream). */
  get scripted(): boolean {
    return this.streams.length > 0;
  }

  /** The scripted processing time. */
  now(): number {
    return this.clock;
  }

  /** Applies the next event of the first TestStream with events left; undefined when every script is played. */
  playNext(): PlayedEvent | undefined {
    for (const node of this.streams) {
      const src = node.source;
      if (src.kind !== "testStream" || src.next >= src.events.length) continue;
      const event = src.events[src.next++]!;
      switch (event.kind) {
        case "elements":
          return { node, elements: event.elements, clockMoved: false };
        case "watermark":
          src.watermark = Math.max(src.watermark, event.watermark);
          return { node, clockMoved: false };
        case "processingTime":
          this.clock += event.advanceMs;
          return { node, clockMoved: true };
      }
    }
    return undefined;
  }
}
