/**
 * LazyMinHeap alone, against a plain model (a list scanned for its minimum):
 * random pushes, removals, announced decreases and unannounced increases of
 * keys; every pop must give an item whose current key is the smallest.
 */
import { expect } from "chai";
import { LazyMinHeap } from "../../../runners/core/windowing/lazy_min_heap";
import { seededRandom as random } from "../../support/seeded_random";

interface Item {
  readonly id: number;
  key: number;
  sorted: number;
  pos: number;
}

const heapOf = () =>
  new LazyMinHeap<Item>(
    (a, b) => a.sorted < b.sorted || (a.sorted === b.sorted && a.id < b.id),
    (x) => {
      if (x.sorted === x.key) return false;
      x.sorted = x.key;
      return true;
    },
    (x) => x.pos,
    (x, p) => (x.pos = p),
  );

describe("LazyMinHeap: keys that rise unannounced", () => {
  it("pops items by current key (ties by id) under random pushes, removals, rises and falls (100 seeds)", () => {
    let rises = 0;
    let falls = 0;
    let pops = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const r = random(seed);
      const heap = heapOf();
      const model: Item[] = [];
      let nextId = 0;
      for (let step = 0; step < 400; step++) {
        const x = r();
        if (x < 0.35 || model.length === 0) {
          const key = Math.floor(r() * 50);
          const item: Item = { id: nextId++, key, sorted: key, pos: -1 };
          heap.push(item);
          model.push(item);
        } else if (x < 0.6) {
          model[Math.floor(r() * model.length)]!.key += 1 + Math.floor(r() * 20);
          rises++;
        } else if (x < 0.7) {
          const item = model[Math.floor(r() * model.length)]!;
          item.key -= 1 + Math.floor(r() * 20);
          if (item.key < item.sorted) {
            item.sorted = item.key;
            heap.lowered(item);
          }
          falls++;
        } else if (x < 0.8) {
          const item = model.splice(Math.floor(r() * model.length), 1)[0]!;
          heap.remove(item);
          expect(item.pos).to.equal(-1);
        } else {
          const best = model.reduce((a, b) => (b.key < a.key || (b.key === a.key && b.id < a.id) ? b : a));
          expect(heap.peek(), `seed ${seed} step ${step}`).to.equal(best);
          expect(heap.pop()).to.equal(best);
          model.splice(model.indexOf(best), 1);
          pops++;
        }
        expect(heap.size).to.equal(model.length);
      }
    }
    expect(rises).to.be.greaterThan(5000);
    expect(falls).to.be.greaterThan(2000);
    expect(pops).to.be.greaterThan(5000);
  });
});
