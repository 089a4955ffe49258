import { expect } from "chai";
import * as mr from "../../index";
import { decodeMessage, encodeMessage, type Pipeline } from "../../portability/proto/messages";
import { InvalidPipelineError } from "../../portability/from_proto";
import { JS_VALUE_CODER } from "../../portability/coders/js_value_coder";
import { seededRandom } from "../support/seeded_random";

function sampleProto(): Uint8Array {
  const p = mr.Pipeline.create();
  p.apply("Nums", mr.create([1, 2, 3]))
    .apply(
      "Keyed",
      mr.withKeys((x: number) => x % 2),
    )
    .apply("Window", mr.windowInto(mr.windows.fixed(10)))
    .apply("Group", mr.groupByKey())
    .apply(
      "Sizes",
      mr.map((g: mr.KV<number, Iterable<number>>) => [...g.value].length),
    );
  return mr.portability.toProto(p);
}

function mutateBytes(bytes: Uint8Array, random: () => number): Uint8Array {
  let out = Uint8Array.from(bytes);
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * out.length);
    const kind = random();
    if (kind < 0.5) out[at] = out[at]! ^ (1 << Math.floor(random() * 8));
    else if (kind < 0.7) out[at] = Math.floor(random() * 256);
    else if (kind < 0.85) out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1)]);
    else out = Uint8Array.from([...out.subarray(0, at), Math.floor(random() * 256), ...out.subarray(at)]);
  }
  return out;
}

/** Rewires one id of the decoded graph to another id of the same kind: dangling ids, cycles, wrong shapes. */
function mutateGraph(bytes: Uint8Array, random: () => number): Uint8Array {
  const proto = decodeMessage("Pipeline", bytes) as Pipeline;
  const c = proto.components!;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const coderIds = Object.keys(c.coders);
  const pcIds = Object.keys(c.pcollections);
  const transformIds = Object.keys(c.transforms);
  switch (Math.floor(random() * 5)) {
    case 0: {
      const coder = c.coders[pick(coderIds)]!;
      if (random() < 0.5) coder.componentCoderIds.push(pick(coderIds));
      else if (coder.componentCoderIds.length > 0)
        coder.componentCoderIds[Math.floor(random() * coder.componentCoderIds.length)] = pick(coderIds);
      break;
    }
    case 1: {
      const t = c.transforms[pick(transformIds)]!;
      const tags = Object.keys(t.inputs);
      t.inputs[tags.length > 0 && random() < 0.7 ? pick(tags) : "extra"] = pick(pcIds);
      break;
    }
    case 2:
      c.transforms[pick(transformIds)]!.subtransforms.push(pick(transformIds));
      break;
    case 3:
      c.pcollections[pick(pcIds)]!.coderId = pick(coderIds);
      break;
    default: {
      const t = c.transforms[pick(transformIds)]!;
      const tags = Object.keys(t.outputs);
      if (tags.length > 0) t.outputs[pick(tags)] = pick(pcIds);
      break;
    }
  }
  return encodeMessage("Pipeline", proto as never);
}

/** What a runner does first with an accepted model: list leaves, read payloads, build every coder. */
function useModel(bytes: Uint8Array): void {
  const model = mr.portability.fromProto(bytes);
  const userCode = { lookup: () => JS_VALUE_CODER };
  for (const leaf of model.leaves) {
    if (leaf.urn === "beam:transform:pardo:v1") model.doFnPayload(leaf.id);
    for (const pc of Object.values(leaf.proto.inputs)) model.coderOf(pc, userCode);
    for (const pc of Object.values(leaf.proto.outputs)) model.coderOf(pc, userCode);
  }
}

describe("fromProto under seeded fuzzing", () => {
  const base = sampleProto();

  for (const [name, mutate, seed, trials] of [
    ["byte mutations", mutateBytes, 18, 3000],
    ["graph rewirings", mutateGraph, 1812, 1500],
  ] as const) {
    it(`either refuses with InvalidPipelineError or accepts a usable model (${trials} ${name}, seed ${seed})`, () => {
      const random = seededRandom(seed);
      let refused = 0;
      for (let trial = 0; trial < trials; trial++) {
        const bytes = mutate(base, random);
        try {
          useModel(bytes);
        } catch (e) {
          if (!(e instanceof InvalidPipelineError)) {
            throw new Error(
              `trial ${trial} (seed ${seed}) escaped validation: ${(e as Error).stack}\nbytes: ${Buffer.from(bytes).toString("hex")}`,
              { cause: e },
            );
          }
          refused++;
        }
      }
      // The mutations must really exercise the validator, not only produce equivalent protos.
      expect(refused).to.be.greaterThan(trials / 10);
    });
  }
});
