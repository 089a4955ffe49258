/**
 * Throughput of the JS value coder on its hottest case, short ASCII strings.
 * Not a test (mocha does not pick it up):
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

for (let run = 0; run < 3; run++) {
  console.log(
    `run ${run + 1}: 1M short strings, shared writer/reader: ${streamed().toFixed(1)} ms; ` +
      `1M strings via encodeToBytes/decodeFromBytes: ${perElement().toFixed(1)} ms; ` +
      `1M small ints: ${smallInts().toFixed(1)} ms`,
  );
}
