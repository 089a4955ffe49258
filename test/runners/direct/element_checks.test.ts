import { expect } from "chai";
import { coders, type Coder } from "../../../portability/coders";
import type { NamedReceiver } from "../../../portability/harness/stage_executor";
import { RunnerCheckError } from "../../../portability/harness/user_code_error";
import { CheckedEdge, type CheckSettings } from "../../../runners/direct/element_checks";
import { OutputWatchList, WATCH_GENERATION } from "../../../runners/direct/output_watch";
import { IN_GLOBAL_WINDOW } from "../../../model/windows";
import { NO_FIRING } from "../../../model/pane";

const BOTH: CheckSettings = { immutability: true, encodability: true };

/** A consumer that records what it received, and may do something to it. */
function consumer(transform: string, trusted: boolean, onElement: (v: unknown) => void = () => {}): NamedReceiver & { got: unknown[] } {
  const got: unknown[] = [];
  return {
    transform,
    trusted,
    got,
    receiver: {
      receive: (v) => {
        got.push(v);
        onElement(v);
      },
    },
  };
}

function edgeOf(
  consumers: NamedReceiver[],
  watch: OutputWatchList,
  producedByRunner = false,
  coder: Coder<unknown> = coders.jsValue(),
): CheckedEdge {
  return new CheckedEdge({ pcollection: "pc1", producer: "Producer", consumers, coder, producedByRunner }, BOTH, watch);
}

function send(edge: CheckedEdge, v: unknown): void {
  edge.receive(v, 0, IN_GLOBAL_WINDOW, NO_FIRING);
}

function thrown(f: () => void): RunnerCheckError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(RunnerCheckError);
    return e as RunnerCheckError;
  }
  throw new Error("expected a RunnerCheckError");
}

describe("direct runner: element checks on an edge", () => {
  it("a transform's output reaches its consumers as is, and a consumer changing it is named with the element", () => {
    const watch = new OutputWatchList();
    const sink = consumer("(materialized pc1)", true);
    const mutator = consumer("Mutator", false, (v) => {
      (v as { n: number }).n = 99;
    });
    const edge = edgeOf([sink, mutator], watch);
    const element = { n: 1 };
    const err = thrown(() => send(edge, element));
    expect(sink.got[0]).to.equal(element);
    expect(err.transform).to.equal("Mutator");
    expect(err.message).to.match(/transform 'Mutator' mutated its input element \(from pc1\): now \{ n: 99 \}/);
  });

  it("a producer changing an element after output is found when the bundle ends, named with the element", () => {
    const watch = new OutputWatchList();
    const edge = edgeOf([consumer("Reader", false)], watch);
    const element = { n: 1 };
    send(edge, element);
    element.n = 2;
    const err = thrown(() => watch.verifyAndClear());
    expect(err.transform).to.equal("Producer");
    expect(err.message).to.match(/transform 'Producer' .*mutated an element after outputting it \(now \{ n: 2 \}\)/);
    expect(edge.watchedCount).to.equal(0);
  });

  it(`watches each output for at least ${WATCH_GENERATION} later outputs, and never more than two generations of them`, () => {
    const G = WATCH_GENERATION;
    const watch = new OutputWatchList();
    const edge = edgeOf([consumer("(materialized pc1)", true)], watch);
    const reused = { n: 0 };
    send(edge, reused);
    reused.n = 1; // the bug of reusing one output object
    for (let i = 1; i < 2 * G - 1; i++) send(edge, { n: i });
    expect(edge.watchedCount).to.equal(2 * G - 1);
    // The second generation fills: the first is verified, before the bundle ends.
    const err = thrown(() => send(edge, { n: -1 }));
    expect(err.transform).to.equal("Producer");
    expect(err.message).to.match(/now \{ n: 1 \}/);
    watch.verifyAndClear();
    expect(edge.watchedCount).to.equal(0);
    // The last output of a generation is watched as long as the first: mutated right after, it is found with the next generation.
    const last = { n: 0 };
    for (let i = 1; i < G; i++) send(edge, { n: i });
    send(edge, last);
    last.n = 2;
    for (let i = 0; i < G - 1; i++) send(edge, { n: i });
    expect(thrown(() => send(edge, { n: -1 })).message).to.match(/now \{ n: 2 \}/);
    watch.verifyAndClear();
    // Clean outputs: watching never reaches two full generations, and the bundle's end passes.
    let most = 0;
    for (let i = 0; i < 5 * G; i++) {
      send(edge, { n: i, tags: ["a"] });
      most = Math.max(most, edge.watchedCount);
    }
    expect(most).to.equal(2 * G - 1);
    watch.verifyAndClear();
    expect(edge.watchedCount).to.equal(0);
  });

  it("values the shortcut cannot judge take a real round trip: refused when they do not survive it, else watched by their encoding", () => {
    const watch = new OutputWatchList();
    const coder = coders.kv(coders.stringUtf8(), coders.jsValue()) as Coder<unknown>;
    const sink = consumer("(materialized pc1)", true);
    const edge = edgeOf([sink], watch, false, coder);
    const lossy = { key: "k", value: 1, extra: true };
    expect(thrown(() => send(edge, lossy)).message).to.match(/an element output by 'Producer' to pc1 does not survive its coder/);
    // A KV without a prototype: only encoding can tell; the sink gets the decoded KV.
    const element = Object.assign(Object.create(null) as { key: string; value: { n: number } }, { key: "k", value: { n: 1 } });
    send(edge, element);
    expect(sink.got[0]).to.deep.equal({ key: "k", value: { n: 1 } });
    expect(edge.watchedCount).to.equal(1);
    element.value.n = 2;
    expect(thrown(() => watch.verifyAndClear()).message).to.match(/'Producer' .*mutated an element after outputting it/);
  });

  it("KVs of two primitives are watched by their key and value: changes after output, added fields and consumers' changes are found", () => {
    const watch = new OutputWatchList();
    const coder = coders.kv(coders.jsValue(), coders.jsValue()) as Coder<unknown>;
    const sink = consumer("(materialized pc1)", true);
    const edge = edgeOf([sink], watch, false, coder);
    const counted = { key: "word", value: 1 };
    send(edge, counted);
    expect(sink.got[0]).to.equal(counted);
    counted.value = 2;
    expect(thrown(() => watch.verifyAndClear()).message).to.match(/'Producer' .*after outputting it \(now \{ key: 'word', value: 2 \}\)/);
    const zero = { key: "z", value: 0 };
    send(edge, zero);
    zero.value = -0; // encoded differently
    expect(() => watch.verifyAndClear()).to.throw(RunnerCheckError);
    const grown: Record<string, unknown> = { key: "g", value: true };
    send(edge, grown);
    grown.extra = 1;
    expect(() => watch.verifyAndClear()).to.throw(RunnerCheckError);
    const adder = consumer("Adder", false, (v) => {
      (v as Record<string, unknown>).more = 1;
    });
    const err = thrown(() => send(edgeOf([adder], watch, false, coder), { key: 1n, value: null }));
    expect(err.transform).to.equal("Adder");
    // A key that does not survive UTF-8 takes the real round trip, and fails it.
    expect(thrown(() => send(edge, { key: "\uD800", value: 1 })).message).to.match(/does not survive its coder/);
    watch.verifyAndClear();
  });

  it("elements entering a stage (from runner code) reach each consumer as a copy and are not watched afterwards", () => {
    const watch = new OutputWatchList();
    const a = consumer("A", false);
    const b = consumer("B", false);
    const edge = edgeOf([a, b], watch, true);
    const element = { n: 1, list: [1, 2] };
    send(edge, element);
    expect(a.got[0]).to.deep.equal(element);
    expect(a.got[0]).to.not.equal(element);
    expect(b.got[0]).to.deep.equal(element);
    expect(b.got[0]).to.not.equal(element);
    expect(a.got[0]).to.not.equal(b.got[0]);
    expect(edge.watchedCount).to.equal(0);
    const mutator = consumer("Mutator", false, (v) => {
      (v as { list: number[] }).list.push(3);
    });
    const err = thrown(() => send(edgeOf([mutator], watch, true), { list: [1] }));
    expect(err.transform).to.equal("Mutator");
  });
});
