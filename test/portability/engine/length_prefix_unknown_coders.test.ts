import { expect } from "chai";
import type { Coder, Components } from "../../../portability/proto/messages";
import {
  lengthPrefixUnknownCoders,
  LENGTH_PREFIXED_SUFFIX,
  WRAPPED_SUFFIX,
} from "../../../portability/engine/length_prefix_unknown_coders";
import { CoderUrns, MillraceUrns } from "../../../portability/urns";

const coder = (urn: string, ...componentCoderIds: string[]): Coder => ({ spec: { urn, payload: new Uint8Array(0) }, componentCoderIds });

function components(pcollections: Record<string, string>): Components {
  return {
    transforms: {},
    windowingStrategies: {},
    environments: {},
    coders: {
      js: coder(MillraceUrns.JS_VALUE_CODER),
      user: coder(MillraceUrns.USER_CODER),
      str: coder(CoderUrns.STRING_UTF8),
      varint: coder(CoderUrns.VARINT),
      lpUser: coder(CoderUrns.LENGTH_PREFIX, "user"),
      kvUserVarint: coder(CoderUrns.KV, "user", "varint"),
      kvStrVarint: coder(CoderUrns.KV, "str", "varint"),
      iterJs: coder(CoderUrns.ITERABLE, "js"),
      kvStrIterJs: coder(CoderUrns.KV, "str", "iterJs"),
    },
    pcollections: Object.fromEntries(
      Object.entries(pcollections).map(([id, coderId]) => [
        id,
        { uniqueName: id, coderId, isBounded: 0, windowingStrategyId: "", displayData: [] },
      ]),
    ),
  } as unknown as Components;
}

/** The coder tree of `id` as text: urn(components...). */
function tree(c: Components, id: string): string {
  const k = c.coders[id]!;
  const name = k.spec!.urn.replace(/^beam:coder:|^millrace:coder:/, "").replace(/:v1$/, "");
  return k.componentCoderIds.length === 0 ? name : `${name}(${k.componentCoderIds.map((x) => tree(c, x)).join(", ")})`;
}

describe("unknown coders length-prefixed for an engine", () => {
  it("wraps millrace's coders wherever a PCollection's coder holds them, and only those", () => {
    const c = components({ a: "js", b: "kvUserVarint", c: "kvStrIterJs", d: "kvStrVarint", e: "lpUser" });
    expect(lengthPrefixUnknownCoders(c)).to.equal(3);
    expect(tree(c, c.pcollections.a!.coderId)).to.equal("length_prefix(js_value)");
    expect(tree(c, c.pcollections.b!.coderId)).to.equal("kv(length_prefix(user), varint)");
    expect(tree(c, c.pcollections.c!.coderId)).to.equal("kv(string_utf8, iterable(length_prefix(js_value)))");
    // Nothing unknown, or already prefixed: the same coder id.
    expect(c.pcollections.d!.coderId).to.equal("kvStrVarint");
    expect(c.pcollections.e!.coderId).to.equal("lpUser");
    // The originals are kept (a transform's payload may name them); the new ones are added beside them.
    expect(tree(c, "kvUserVarint")).to.equal("kv(user, varint)");
    expect(c.pcollections.b!.coderId).to.equal(`kvUserVarint${LENGTH_PREFIXED_SUFFIX}`);
  });

  it("shares one wrapped coder among PCollections with the same coder, and is idempotent", () => {
    const c = components({ a: "kvUserVarint", b: "kvUserVarint", d: "user" });
    lengthPrefixUnknownCoders(c);
    expect(c.pcollections.a!.coderId).to.equal(c.pcollections.b!.coderId);
    // The key's wrapper inside the KV is the same coder as the PCollection d's.
    expect(c.coders[c.pcollections.a!.coderId]!.componentCoderIds[0]).to.equal(c.pcollections.d!.coderId);
    // It wraps a copy of the user's coder, not the id other parts of the pipeline (a combine's
    // accumulator, a state cell) use unprefixed: Prism would take that one for already made safe.
    const inside = c.coders[c.pcollections.d!.coderId]!.componentCoderIds[0]!;
    expect(inside).to.equal(`user${WRAPPED_SUFFIX}`);
    expect(c.coders[inside]).to.deep.equal(c.coders.user);
    const coders = Object.keys(c.coders).length;
    expect(lengthPrefixUnknownCoders(c), "a second pass changes nothing").to.equal(0);
    expect(Object.keys(c.coders)).to.have.length(coders);
  });

  it("refuses a coder that is referenced but not defined, naming it", () => {
    const c = components({ a: "missing" });
    expect(() => lengthPrefixUnknownCoders(c)).to.throw(/coder 'missing'/);
  });
});
