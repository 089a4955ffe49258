/** The stream runner refuses, before any thread starts, a pipeline whose code task managers could not rebuild. */
import { expect } from "chai";
import * as mr from "../../../index";

describe("stream runner: shipping user code", () => {
  it("refuses a pipeline whose module is unknown, naming the first user transform", async () => {
    const p = mr.Pipeline.create(["--runner=stream", "--parallelism=2"]);
    p.apply(mr.create([1, 2])).apply(
      "Double",
      mr.map((x: number) => x * 2),
    );
    p._originModule = null; // as for a pipeline typed into a REPL
    let error: Error | undefined;
    await p
      .run()
      .waitUntilFinish()
      .catch((e: Error) => (error = e));
    expect(error).to.be.instanceOf(mr.PipelineExecutionError);
    expect(error!.message).to.match(/cannot be shipped to task managers \(first user transform: 'Create\/Values'\)/);
  });
});
