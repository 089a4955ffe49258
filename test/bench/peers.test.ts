/**
 * The peer comparison's own mechanisms, without running a benchmark: the
 * result digest's limb arithmetic against BigInt, the check that catches
 * runs whose results differ (fed result files, no JVM), and the Java ports
 * (digest, word hash, Nexmark generator) against the TypeScript originals,
 * compiled with javac and run once (no Flink or Spark needed).
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkResultFiles } from "../../bench/peers/compare";
import { parseResultLines } from "../../bench/peers/result_line";
import { findMismatches } from "../../bench/peers/result_check";
import { NexmarkGenerator } from "../../bench/nexmark/generator";
import { DEFAULT_NEXMARK_CONFIG } from "../../bench/nexmark/model";
import { eventFields } from "../../bench/workloads/nexmark_queries";
import { DIGEST_MODULUS, digestFromLimbSums, resultDigest, resultDigestLimbs, wordHash } from "../../bench/workloads/result_digest";
import { createdWords } from "../../bench/workloads/word_counts";

/** The digest's definition, in BigInt. */
function referenceDigest(fields: readonly number[]): bigint {
  let h = BigInt(fields[0]!) % DIGEST_MODULUS;
  for (let k = 1; k < fields.length; k++) h = (h * (k % 2 === 1 ? 1_000_003n : 1_000_033n) + BigInt(fields[k]!)) % DIGEST_MODULUS;
  return h;
}

function referenceWordHash(word: string): bigint {
  let h = 0n;
  for (let k = 0; k < word.length; k++) h = (h + BigInt(word.charCodeAt(k)) * 31n ** BigInt(k)) % DIGEST_MODULUS;
  return h;
}

/** Deterministic test numbers across the whole field range, edges included. */
function* tuples(): Generator<number[]> {
  const edges = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 52, Number.MAX_SAFE_INTEGER, 1_436_918_400_000];
  let seed = 7;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  for (const a of edges) for (const b of edges) yield [a, b, edges[(a + b) % edges.length]!];
  for (let i = 0; i < 2000; i++) {
    const length = 1 + (next() % 7);
    yield Array.from({ length }, () => ((next() % 2 ** 21) * 2 ** 32 + next()) % 2 ** 53);
  }
}

const resultLine = (results: number, digest: string): string =>
  `RESULT\tflags=--workload=q5\twarm=false\tresults=${results}\tdigest=${digest}\tjobMs=12\tcpuMs=10\tpeakRssMiB=100\tload=0.50\n`;

describe("bench/peers: comparing millrace with Flink and Spark", () => {
  it("computes each result's digest with double limbs exactly as the BigInt definition does", () => {
    for (const t of tuples()) {
      expect(resultDigest(t), t.join(",")).to.equal(referenceDigest(t));
      const { hi, lo } = resultDigestLimbs(t);
      expect(hi).to.be.lessThan(2 ** 30);
      expect(lo).to.be.lessThan(2 ** 31);
    }
  });

  it("gives a windowed result (key, windowEnd, count) the term bench/workloads/windowed_counts.ts documents", () => {
    // ((key * 1_000_003 + windowEndMs) * 1_000_033 + count) mod (2^61 - 1), as the file header (and workloads.md) spells it.
    const digestTerm = (key: number, end: number, count: number): bigint =>
      ((BigInt(key) * 1_000_003n + BigInt(end)) * 1_000_033n + BigInt(count)) % DIGEST_MODULUS;
    for (const [key, end, count] of [
      [0, 1000, 1],
      [9999, 10_000, 100],
      [1234, 2_000_000_000_000, 987_654],
    ] as const) {
      expect(resultDigest([key, end, count])).to.equal(digestTerm(key, end, count));
    }
  });

  it("sums digests through limb counters without losing precision", () => {
    let hiSum = 0;
    let loSum = 0;
    let expected = 0n;
    for (const t of tuples()) {
      const { hi, lo } = resultDigestLimbs(t);
      hiSum += hi;
      loSum += lo;
      expected = (expected + referenceDigest(t)) % DIGEST_MODULUS;
    }
    expect(digestFromLimbSums(hiSum, loSum)).to.equal(expected);
  });

  it("hashes words as sum(charCode * 31^k) mod 2^61-1 and refuses fields outside [0, 2^53)", () => {
    for (const w of ["", "a", "word0", "word7ps", "wordzzzz"]) expect(BigInt(wordHash(w))).to.equal(referenceWordHash(w));
    expect(() => resultDigest([-1])).to.throw(/\[0, 2\^53\)/);
    expect(() => resultDigest([2 ** 53])).to.throw(/\[0, 2\^53\)/);
  });

  it("finds the workloads whose runs disagree and names who said what", () => {
    const mismatches = findMismatches([
      { workload: "q5", contestant: "millrace stream p=1", results: 4, digest: "17" },
      { workload: "q5", contestant: "Flink p=1", results: 4, digest: "18" },
      { workload: "q1", contestant: "millrace stream p=1", results: 9, digest: "5" },
      { workload: "q1", contestant: "Flink p=1", results: 9, digest: "5" },
    ]);
    expect(mismatches).to.have.length(1);
    expect(mismatches[0]!.workload).to.equal("q5");
    expect(mismatches[0]!.answers.map((a) => a.contestants)).to.deep.equal([["millrace stream p=1"], ["Flink p=1"]]);
  });

  describe("checking two result files", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "peers-check-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };

    it("accepts files whose runs agree", () => {
      const a = file("a.txt", "noise\n" + resultLine(4, "13606240553089574"));
      const b = file("b.txt", resultLine(4, "13606240553089574") + "SLF4J: more noise\n");
      expect(checkResultFiles(a, b)).to.deep.equal({ agree: true, message: "results agree: 1 RESULT line(s) in each file" });
    });

    it("catches a different digest, a different count and a missing result, loudly", () => {
      const a = file("c.txt", resultLine(4, "13606240553089574"));
      const digest = checkResultFiles(a, file("d.txt", resultLine(4, "13606240553089575")));
      expect(digest.agree).to.equal(false);
      expect(digest.message)
        .to.match(/!!! RESULT MISMATCH/)
        .and.match(/13606240553089575/);
      expect(checkResultFiles(a, file("e.txt", resultLine(5, "13606240553089574"))).agree).to.equal(false);
      expect(checkResultFiles(a, file("f.txt", "the job failed\n")).message).to.match(/has 1 RESULT lines, .* has 0/);
    });

    it("the script exits non-zero on a mismatch and zero on agreement", () => {
      const script = path.join(__dirname, "..", "..", "bench", "peers", "compare.js");
      const a = file("g.txt", resultLine(4, "1"));
      const mismatch = spawnSync(process.execPath, [script, `--check-results=${a},${file("h.txt", resultLine(4, "2"))}`], {
        encoding: "utf8",
      });
      expect(mismatch.status).to.equal(1);
      expect(mismatch.stderr).to.match(/RESULT MISMATCH/);
      const agreement = spawnSync(process.execPath, [script, `--check-results=${a},${file("i.txt", resultLine(4, "1"))}`], {
        encoding: "utf8",
      });
      expect(agreement.status).to.equal(0);
    });

    it("refuses a malformed RESULT line, naming it", () => {
      expect(() => parseResultLines("RESULT\tresults=4\tdigest=x\n")).to.throw(/without a decimal digest: RESULT/);
    });
  });

  describe("the Java ports (javac, no engine)", function () {
    this.timeout(120_000);
    let classes: string;
    before(() => {
      classes = fs.mkdtempSync(path.join(os.tmpdir(), "peers-java-"));
      const sources = path.join(
        __dirname,
        "..",
        "..",
        "..",
        "bench",
        "peers",
        "common",
        "src",
        "main",
        "java",
        "dev",
        "millrace",
        "peers",
        "common",
      );
      const files = fs.readdirSync(sources).map((f) => path.join(sources, f));
      execFileSync("javac", ["--release", "17", "-d", classes, ...files], { stdio: "pipe" });
    });
    after(() => fs.rmSync(classes, { recursive: true, force: true }));

    it("compute the same digests, word hashes, words and Nexmark events as TypeScript", () => {
      const digestTuples = [...tuples()].slice(0, 300);
      const words = ["word0", "wordzzz", "word7ps"];
      const eventNumbers = [...Array.from({ length: 600 }, (_, i) => i), 49_999, 123_456, 999_999];
      const commands = [
        ...digestTuples.map((t) => `digest ${t.join(" ")}`),
        ...words.map((w) => `word ${w}`),
        ...eventNumbers.map((n) => `event ${n}`),
        "words 20000 10000",
      ];
      const out = execFileSync("java", ["-cp", classes, "dev.millrace.peers.common.PortCheck"], {
        input: commands.join("\n") + "\n",
        encoding: "utf8",
      })
        .trimEnd()
        .split("\n");
      expect(out).to.have.length(commands.length);
      const generator = new NexmarkGenerator({ ...DEFAULT_NEXMARK_CONFIG, numEvents: 1_000_000 });
      let wordsDigest = 0n;
      for (const w of createdWords(20_000, 10_000)) wordsDigest = (wordsDigest + resultDigest([wordHash(w), 1])) % DIGEST_MODULUS;
      const expected = [
        ...digestTuples.map((t) => resultDigest(t).toString()),
        ...words.map((w) => wordHash(w).toString()),
        ...eventNumbers.map((n) => eventFields(generator.eventAt(n)).join(" ")),
        wordsDigest.toString(),
      ];
      expect(out).to.deep.equal(expected);
    });
  });
});
