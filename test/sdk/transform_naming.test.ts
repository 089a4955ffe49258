import { expect } from "chai";
import * as mr from "../../index";

function transformNames(p: mr.Pipeline): string[] {
  return Object.keys(mr.portability.fromProto(mr.portability.toProto(p)).components.transforms).sort();
}

describe("transform names", () => {
  it("uses given names as they are, nested under their composite with '/'", () => {
    const p = mr.Pipeline.create();
    p.apply("Read", mr.create([1, 2])).apply(
      "Double",
      mr.map((x: number) => x * 2),
    );
    const names = transformNames(p);
    expect(names).to.include.members(["Read", "Read/Impulse", "Read/Values", "Double"]);
  });

  it("gives unnamed transforms readable names that never collide", () => {
    const p = mr.Pipeline.create();
    const xs = p.apply(mr.create([1]));
    xs.map((x: number) => x + 1);
    xs.map((x: number) => x + 2);
    xs.apply(
      mr.map(function addThree(x: number) {
        return x + 3;
      }),
    );
    expect(transformNames(p)).to.include.members(["Create", "Map", "Map2", "Map(addThree)"]);
  });

  it("refuses a duplicate given name, naming it", () => {
    const p = mr.Pipeline.create();
    const xs = p.apply("Numbers", mr.create([1]));
    xs.apply(
      "Step",
      mr.map((x: number) => x),
    );
    expect(() =>
      xs.apply(
        "Step",
        mr.map((x: number) => x),
      ),
    ).to.throw(/duplicate transform name 'Step'/);
  });

  it("refuses names with '/' or empty names", () => {
    const p = mr.Pipeline.create();
    expect(() => p.apply("a/b", mr.create([1]))).to.throw(/invalid transform name 'a\/b'/);
    expect(() => p.apply("", mr.create([1]))).to.throw(/invalid transform name/);
  });

  it("composites from functions and subclasses get their own names", () => {
    class Squares extends mr.PTransform<mr.PCollection<number>, mr.PCollection<number>> {
      expand(input: mr.PCollection<number>) {
        return input.map((x) => x * x);
      }
    }
    const p = mr.Pipeline.create();
    p.apply(mr.create([2]))
      .apply(new Squares())
      .apply(mr.ptransform("AddOne", (pc: mr.PCollection<number>) => pc.map((x) => x + 1)));
    expect(transformNames(p)).to.include.members(["Squares", "Squares/Map", "AddOne", "AddOne/Map"]);
  });
});
