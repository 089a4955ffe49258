import { expect } from "chai";
import * as mr from "../../index";

describe("PipelineOptions.fromArgs", () => {
  it("defaults to the direct runner with its flag defaults", () => {
    const o = mr.PipelineOptions.fromArgs([]);
    expect(o.runner).to.equal("direct");
    expect(o.get("enforceImmutability")).to.equal(true);
    expect(o.get("bundleSize")).to.equal(10000);
  });

  it("parses --name=value, --name value and bare boolean flags", () => {
    const o = mr.PipelineOptions.fromArgs(["--runner=direct", "--bundleSize", "7", "--enforceEncodability=false", "--enforceImmutability"]);
    expect(o.get("bundleSize")).to.equal(7);
    expect(o.get("enforceEncodability")).to.equal(false);
    expect(o.get("enforceImmutability")).to.equal(true);
  });

  it("rejects an unknown flag, listing the valid ones", () => {
    expect(() => mr.PipelineOptions.fromArgs(["--bundelSize=3"]))
      .to.throw(mr.InvalidOptionsError, /unknown flag --bundelSize/)
      .with.property("message")
      .that.includes("--bundleSize")
      .and.includes("--enforceImmutability");
  });

  it("rejects an unknown runner, listing the valid ones", () => {
    expect(() => mr.PipelineOptions.fromArgs(["--runner=dataflow"])).to.throw(
      mr.InvalidOptionsError,
      /unknown runner 'dataflow'; valid runners: direct/,
    );
  });

  it("rejects bad values with what was expected", () => {
    expect(() => mr.PipelineOptions.fromArgs(["--bundleSize=many"])).to.throw(/--bundleSize takes a whole number, not 'many'/);
    expect(() => mr.PipelineOptions.fromArgs(["--bundleSize=0"])).to.throw(/--bundleSize must be at least 1/);
    expect(() => mr.PipelineOptions.fromArgs(["--enforceImmutability=maybe"])).to.throw(/takes true or false/);
    expect(() => mr.PipelineOptions.fromArgs(["positional"])).to.throw(/unexpected argument 'positional'/);
  });

  it("accepts a pipeline's own flags, with defaults and choices", () => {
    const flags = {
      input: { type: "string" as const, description: "input", default: "a.txt" },
      mode: { type: "string" as const, description: "mode", choices: ["fast", "slow"], default: "fast" },
    };
    expect(mr.PipelineOptions.fromArgs([], { flags }).get("input")).to.equal("a.txt");
    expect(mr.PipelineOptions.fromArgs(["--mode=slow"], { flags }).get("mode")).to.equal("slow");
    expect(() => mr.PipelineOptions.fromArgs(["--mode=medium"], { flags })).to.throw(/--mode takes one of fast, slow/);
  });

  it("--help hands the help text, with every runner flag and default, to onHelp", () => {
    let text = "";
    mr.PipelineOptions.fromArgs(["--help"], {
      onHelp: (t) => (text = t),
      flags: { top: { type: "integer", description: "how many", default: 3 } },
    });
    expect(text).to.include("--runner=<string>").and.include("--enforceImmutability=<boolean>").and.include("(default: true)");
    expect(text).to.include("Pipeline flags").and.include("--top=<integer>");
  });

  it("hands a flag error to onInvalid, and throws it when onInvalid returns", () => {
    const seen: mr.InvalidOptionsError[] = [];
    expect(() => mr.PipelineOptions.fromArgs(["--bundelSize=3"], { onInvalid: (e) => seen.push(e) })).to.throw(mr.InvalidOptionsError);
    expect(seen.map((e) => e.message)).to.have.length(1);
    expect(seen[0]!.message)
      .to.match(/unknown flag --bundelSize/)
      .and.include("--bundleSize");
  });

  it("throws flag errors for arguments that are not the process's own command line, even when the process has some", () => {
    const argv = process.argv;
    process.argv = [argv[0]!, "script.js", "--bundelSize=3"];
    try {
      // The same arguments as the command line would print and exit; a copy given by code with another flag throws.
      expect(() => mr.PipelineOptions.fromArgs(["--bundelSize=4"])).to.throw(mr.InvalidOptionsError);
    } finally {
      process.argv = argv;
    }
  });

  it("Pipeline.create accepts options, raw arguments or nothing", () => {
    expect(mr.Pipeline.create().options.runner).to.equal("direct");
    expect(mr.Pipeline.create(["--seed=4"]).options.get("seed")).to.equal(4);
    expect(() => mr.Pipeline.create(["--nope"])).to.throw(mr.InvalidOptionsError);
  });
});
