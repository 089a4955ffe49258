/**
 * Throughput of the JS value coder on its hottest cases: short ASCII
 * strings, small integers, and records (a Nexmark-like bid object, keys in
 * literal order, so encoding must sort them). Not a test (mocha does not
 * pick it up):
 *   npm run bench:js-value-coder
 */
import { ByteReader, ByteWriter, JS_VALUE_CODER, decodeFromBytes, encodeToBytes } from "../portability/coders";

const N = 1_000_000;
const strings = Array.from({ length: 1000 }, (_, i) => `word-${i}`);

function streamed(): number {
  const writer = new ByteWriter();
  const start = process.hrtime.bigint();
  for (let round = 0; round < N / strings.length; round++) {
    writer.reset();
    for (let i = 0; i < strings.length; i++) JS_VALUE_CODER.encode(strings[i], writer);
    const reader = new ByteReader(writer.view());
    for (let i = 0; i < strings.length; i++) JS_VALUE_CODER.decode(reader);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function perElement(): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) decodeFromBytes(JS_VALUE_CODER, encodeToBytes(JS_VALUE_CODER, strings[i % 1000]));
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function smallInts(): number {
  const writer = new ByteWriter();
  const start = process.hrtime.bigint();
  for (let round = 0; round < N / 1000; round++) {
    writer.reset();
    for (let i = 0; i < 1000; i++) JS_VALUE_CODER.encode(i - 500, writer);
    const reader = new ByteReader(writer.view());
    for (let i = 0; i < 1000; i++) JS_VALUE_CODER.decode(reader);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A bid-shaped record, its keys in literal (unsorted) order as user code makes them. */
function bid(i: number): Record<string, unknown> {
  return { auction: 1000 + (i % 97), bidder: 2000 + (i % 89), price: (i * 7919) % 100_000, dateTime: 1_700_000_000_000 + i, extra: "" };
}

function records(): number {
  const bids = Array.from({ length: 1000 }, (_, i) => bid(i));
  const writer = new ByteWriter();
  const start = process.hrtime.bigint();
  for (let round = 0; round < N / 1000; round++) {
    writer.reset();
    for (let i = 0; i < 1000; i++) JS_VALUE_CODER.encode(bids[i], writer);
    const reader = new ByteReader(writer.view());
    for (let i = 0; i < 1000; i++) JS_VALUE_CODER.decode(reader);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

for (let run = 0; run < 3; run++) {
  console.log(
    `run ${run + 1}: 1M short strings, shared writer/reader: ${streamed().toFixed(1)} ms; ` +
      `1M strings via encodeToBytes/decodeFromBytes: ${perElement().toFixed(1)} ms; ` +
      `1M small ints: ${smallInts().toFixed(1)} ms; 1M bid records: ${records().toFixed(1)} ms`,
  );
}
