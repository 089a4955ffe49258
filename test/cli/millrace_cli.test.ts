import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const repo = path.resolve(__dirname, "../../..");
const cli = path.join(repo, "dist/cli/millrace.js");

function millrace(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("millrace command", function () {
  this.timeout(180_000);

  it("inspect prints transforms, PCollections with coders and windowing, and the fused stages (text)", () => {
    const r = millrace("inspect", "examples/wordcount.ts");
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include("Transforms:").and.include("CountWords").and.include("[beam:transform:combine_per_key:v1]");
    expect(r.stdout).to.match(/CountWords\/Count\/PairWithNull\.main: kv\(js_value, js_value\); global, trigger default/);
    expect(r.stdout).to.match(/stage\d+: reads .* -> \[.*precombine\(CountWords\/Count\/Count\)\]/);
    expect(r.stdout).to.include("combine (lifted) CountWords/Count/Count");
  });

  it("inspect prints JSON and Graphviz dot", () => {
    const json = JSON.parse(millrace("inspect", "examples/leader_board.ts", "--format=json").stdout);
    expect(json.stages.length).to.be.greaterThan(1);
    expect(json.pcollections.some((pc: { windowing: string }) => pc.windowing.startsWith("fixed(10000ms), trigger afterWatermark"))).to.equal(true);
    const dot = millrace("inspect", "examples/leader_board.ts", "--format=dot").stdout;
    expect(dot).to.match(/^digraph pipeline \{/).and.include("subgraph cluster_0").and.include("->");
  });

  it("inspect chooses among definitions with --pipeline", () => {
    const r = millrace("inspect", "test/fixtures/microbatch_pipelines.ts");
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include("choose a pipeline with --pipeline=<name>").and.include("bigGroup");
    expect(millrace("inspect", "test/fixtures/microbatch_pipelines.ts", "--pipeline=bigGroup").stdout).to.include("Group  [beam:transform:group_by_key:v1]");
  });

  it("run runs a TypeScript pipeline file on the runner its flag selects", () => {
    for (const runner of ["direct", "microbatch"]) {
      const r = millrace("run", "examples/wordcount.ts", `--runner=${runner}`, "--top=2");
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout.split("\n").filter((l) => l.trim() !== "")).to.deep.equal(["  21  the", "  15  of"]);
    }
  });

  it("run reports progress on stderr: a final line with elements in and out and the watermark", () => {
    const r = millrace("run", "examples/wordcount.ts", "--top=2", "--jobName=wc");
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^wc: done {2}[\d.]+s {2}in [\d,]+ {2}out 1 {2}[\d,]+\/s {2}watermark \+inf {2}\d+ bundles$/m);
  });

  it("run passes --help to the pipeline, which lists the runner flags with defaults", () => {
    const r = millrace("run", "examples/wordcount.ts", "--help");
    expect(r.status).to.equal(0);
    expect(r.stdout).to.include("--enforceImmutability=<boolean>").and.include("--partitions=<integer>").and.include("--top=<integer>");
  });

  it("fails clearly on an unknown command, a missing file or an unknown runner", () => {
    expect(millrace("launch").stderr).to.include("unknown command 'launch'");
    expect(millrace("run", "nope.ts").stderr).to.include("no such file: nope.ts");
    const r = millrace("run", "examples/wordcount.ts", "--runner=flink");
    expect(r.status).to.equal(1);
    expect(r.stderr).to.include("unknown runner 'flink'; valid runners: direct, microbatch");
  });
});
