/**
 * A TestStream's events, decoded from its portable payload (elements are
 * encoded with the output's coder, as in Beam).
 */
import type { PipelineModel } from "../../../portability/pipeline_model";
import type { UserCodeSource } from "../../../sdk/user_code/user_code_source";
import { decodeMessage } from "../../../portability/proto/messages";
import { decodeFromBytes } from "../../../portability/coders";
import { MAX_TIMESTAMP } from "../../../model/time";

/** One scripted event; a watermark at or past Beam's maximum is `Infinity` (the stream is complete). */
export type TestStreamEvent =
  | { readonly kind: "elements"; readonly elements: readonly { readonly value: unknown; readonly timestamp: number }[] }
  | { readonly kind: "watermark"; readonly watermark: number }
  | { readonly kind: "processingTime"; readonly advanceMs: number };

/** The events of TestStream transform `transformId`, in order. */
export function testStreamEvents(model: PipelineModel, transformId: string, userCode: UserCodeSource): TestStreamEvent[] {
  const payload = decodeMessage("TestStreamPayload", model.transform(transformId).spec!.payload);
  const coder = model.coder(payload.coderId, userCode);
  return payload.events.map((e): TestStreamEvent => {
    if (e.elementEvent) {
      return {
        kind: "elements",
        elements: e.elementEvent.elements.map((el) => ({ value: decodeFromBytes(coder, el.encodedElement), timestamp: el.timestamp })),
      };
    }
    if (e.watermarkEvent) {
      const w = e.watermarkEvent.newWatermark;
      return { kind: "watermark", watermark: w >= MAX_TIMESTAMP ? Infinity : w };
    }
    if (e.processingTimeEvent) return { kind: "processingTime", advanceMs: e.processingTimeEvent.advanceDuration };
    throw new Error(`TestStream '${transformId}' has an empty event`);
  });
}
