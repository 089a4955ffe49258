/**
 * A TestStream of KVs whose key coder is millrace's own, made readable to an
 * engine. Prism (`handleTestStream`) re-encodes a KV TestStream's elements
 * itself: it length-prefixes the value and keeps the key as the payload's
 * coder encodes it, and gives the output PCollection the coder
 * KV<payload key coder, length-prefixed value coder>. A key coder Prism does
 * not know (`millrace:coder:js_value:v1`) thus stays unprefixed on the wire,
 * while every consumer's bundle descriptor, length-prefixed by Prism, expects
 * the key prefixed: the harness could not decode a single element.
 *
 * So before submission the payload's key coder becomes its length-prefixed
 * form (the one `length_prefix_unknown_coders.ts` gives every PCollection)
 * and each element's key bytes are rewritten to match; the value bytes are
 * left as they are (Prism prefixes them, and only it knows to). The key is
 * read with the coder built from the pipeline's own description, so a key
 * coded with a user coder (user code, not loaded at submission) is refused
 * here, naming the transform, rather than failing inside the engine.
 *
 * @module
 */
import type { Coder as CoderProto, Components, TestStreamPayload } from "../proto/messages";
import { decodeMessage, encodeMessage } from "../proto/messages";
import { CoderUrns, MillraceUrns, PrimitiveTransformUrns } from "../urns";
import { ByteReader } from "../coders/byte_reader";
import { defaultCoderRegistry } from "../coders/coder_registry";
import { encodeToBytes, type Coder } from "../coders/coder";
import { lengthPrefixedCoderId, LENGTH_PREFIXED_SUFFIX } from "./length_prefix_unknown_coders";

/**
 * Rewrites, in place, each TestStream in `components` whose elements are KVs
 * with a key coder unknown to engines, as the module comment says. Returns
 * the ids of the transforms rewritten.
 * @throws Error naming the transform when its key coder cannot be built at submission.
 */
export function lengthPrefixTestStreamKeys(components: Components): string[] {
  const rewritten: string[] = [];
  for (const [id, t] of Object.entries(components.transforms)) {
    if (t.spec?.urn !== PrimitiveTransformUrns.TEST_STREAM || !t.spec.payload) continue;
    const payload: TestStreamPayload = decodeMessage("TestStreamPayload", t.spec.payload);
    const kv = components.coders[payload.coderId];
    if (kv?.spec?.urn !== CoderUrns.KV || kv.componentCoderIds.length !== 2) continue;
    const [keyId, valueId] = kv.componentCoderIds as [string, string];
    const prefixedKeyId = lengthPrefixedCoderId(components.coders, keyId);
    if (prefixedKeyId === keyId) continue;
    let rewriteKey: (element: Uint8Array) => Uint8Array;
    try {
      rewriteKey = keyRewriter(coderOf(components.coders, keyId), coderOf(components.coders, prefixedKeyId));
    } catch (e) {
      throw new Error(
        `TestStream '${id}' cannot be sent to an engine: its elements' key coder '${keyId}' must be length-prefixed ` +
          `for the engine and cannot be rebuilt at submission (${(e as Error).message})`,
        { cause: e },
      );
    }
    for (const event of payload.events) {
      for (const element of event.elementEvent?.elements ?? []) {
        try {
          element.encodedElement = rewriteKey(element.encodedElement);
        } catch (e) {
          throw new Error(
            `TestStream '${id}': an element's key could not be read with its coder '${keyId}' ` +
              `(${element.encodedElement.length} bytes at timestamp ${element.timestamp}): ${(e as Error).message}`,
            { cause: e },
          );
        }
      }
    }
    payload.coderId = addKvCoder(components.coders, `${payload.coderId}${LENGTH_PREFIXED_SUFFIX}_key`, prefixedKeyId, valueId);
    t.spec.payload = encodeMessage("TestStreamPayload", payload);
    rewritten.push(id);
  }
  return rewritten;
}

/** Re-encodes the key at the front of a KV element (nested context) with `to`, keeping the value's bytes. */
function keyRewriter(from: Coder<unknown>, to: Coder<unknown>): (element: Uint8Array) => Uint8Array {
  return (element) => {
    const reader = new ByteReader(element);
    const key = from.decode(reader, "nested");
    const keyBytes = encodeToBytes(to, key, "nested");
    const out = new Uint8Array(keyBytes.length + reader.remaining);
    out.set(keyBytes, 0);
    out.set(element.subarray(reader.position), keyBytes.length);
    return out;
  };
}

/** The coder `coderId` describes, built from the registry; user coders are user code and cannot be built here. */
function coderOf(coders: Record<string, CoderProto>, coderId: string): Coder<unknown> {
  const spec = coders[coderId]?.spec;
  if (spec === undefined || spec === null) throw new Error(`coder '${coderId}' is not defined`);
  if (spec.urn === MillraceUrns.USER_CODER) throw new Error(`coder '${coderId}' is a user coder`);
  return defaultCoderRegistry.build({
    urn: spec.urn,
    ...(spec.payload.length > 0 ? { payload: spec.payload } : {}),
    components: coders[coderId]!.componentCoderIds.map((c) => coderOf(coders, c)),
  }) as Coder<unknown>;
}

function addKvCoder(coders: Record<string, CoderProto>, id: string, keyId: string, valueId: string): string {
  coders[id] ??= { spec: { urn: CoderUrns.KV, payload: new Uint8Array(0) }, componentCoderIds: [keyId, valueId] } as never;
  return id;
}
