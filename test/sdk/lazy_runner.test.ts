/**
 * Runners registered lazily load their module on first use, and loading
 * the package leaves every runner, gRPC and the file-format libraries
 * unloaded (worker threads load the package to rebuild pipelines).
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import * as mr from "../../index";
import { lazyRunner, type RunnerDefinition } from "../../sdk/options/runner_registry";

function fakeRunner(name: string): RunnerDefinition {
  return {
    name,
    description: "a fake",
    flags: { fakeFlag: { type: "integer", default: 3, description: "a flag" } },
    run: () => {
      throw new Error("fake runs nothing");
    },
  };
}

describe("lazy runner registration", () => {
  it("loads the runner once, when its flags, description or run are first needed", () => {
    let loads = 0;
    const runner = lazyRunner("fake", () => {
      loads++;
      return fakeRunner("fake");
    });
    expect(runner.name).to.equal("fake");
    expect(loads, "the name alone does not load it").to.equal(0);
    expect(Object.keys(runner.flags)).to.deep.equal(["fakeFlag"]);
    expect(runner.description).to.equal("a fake");
    expect(() => runner.run({} as never)).to.throw(/fake runs nothing/);
    expect(runner.nativeComposites!(new Uint8Array(0)), "none given: the shared default set").to.equal(undefined);
    expect(loads).to.equal(1);
  });

  it("refuses a module whose runner has another name", () => {
    const runner = lazyRunner("fake", () => fakeRunner("other"));
    expect(() => runner.flags).to.throw(/'other' was registered as 'fake'/);
  });

  it("parses the flags of a lazily registered engine runner", () => {
    const options = mr.PipelineOptions.fromArgs(["--runner=prism", "--environmentType=LOOPBACK"]);
    expect(options.get("environmentType")).to.equal("LOOPBACK");
  });

  it("loading the package loads no runner, gRPC, Avro or Parquet library", () => {
    const root = path.resolve(__dirname, "..", "..", "index");
    const loaded = execFileSync(
      process.execPath,
      ["-e", `require(${JSON.stringify(root)}); console.log(JSON.stringify(Object.keys(require.cache)))`],
      { encoding: "utf8" },
    );
    const modules = JSON.parse(loaded) as string[];
    expect(
      modules.some((m) => m.endsWith(`${path.sep}index.js`)),
      "the package loaded",
    ).to.equal(true);
    const heavy = modules.filter((m) =>
      /@grpc|[\\/]avsc[\\/]|hyparquet|[\\/]runners[\\/](direct|microbatch|stream)[\\/]|[\\/]runners[\\/]portable[\\/](?!harness_environment)|fn_harness/.test(
        m,
      ),
    );
    expect(heavy).to.deep.equal([]);
  });
});
