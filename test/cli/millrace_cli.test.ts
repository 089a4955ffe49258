import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
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

  it("inspect shows the stages of the chosen runner: the stream runner writes io.writeText itself", () => {
    const direct = millrace("inspect", "examples/wordcount.ts", "--output=/tmp/never-written").stdout;
    const stream = millrace("inspect", "examples/wordcount.ts", "--output=/tmp/never-written", "--runner=stream").stdout;
    expect(direct).to.include("Write/WriteShards").and.to.match(/stage\d+: impulse Write\/Impulse/);
    expect(stream).to.match(/stage\d+: reads .* -> \[Format, Write, Report\]/);
    expect(stream).to.not.match(/stage\d+: impulse Write\/Impulse/);
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
    expect(r.status).to.equal(2); // a usage error, as flag errors exit everywhere
    expect(r.stderr).to.match(/unknown runner 'flink'; valid runners: .*direct/).and.include("microbatch");
  });

  describe("job-server", () => {
    let server: ChildProcess;
    let endpoint: string;

    before(async () => {
      server = spawn(process.execPath, [cli, "job-server", "--port=0", "--token=cli-test-token"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      endpoint = await new Promise<string>((resolve, reject) => {
        server.stdout!.on("data", (chunk) => {
          out += String(chunk);
          const m = /listening on (ws:\/\/\S+)/.exec(out);
          if (m && out.includes("dashboard:")) resolve(m[1]!);
        });
        server.on("exit", (code) => reject(new Error(`job-server exited with ${code}: ${out}`)));
      });
      expect(out).to.include("token:     cli-test-token (from --token)").and.include(`dashboard: http://127.0.0.1:`);
    });
    after(() => {
      server.kill("SIGTERM");
    });

    it("runs a pipeline file submitted with --jobEndpoint, on each runner, echoing its output", () => {
      for (const runner of ["direct", "microbatch"]) {
        const r = millrace("run", "examples/wordcount.ts", `--runner=${runner}`, "--top=2", `--jobEndpoint=${endpoint}`, "--jobToken=cli-test-token");
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.split("\n").filter((l) => l.trim() !== "")).to.deep.equal(["  21  the", "  15  of"]);
        expect(r.stderr).to.match(/job done/);
      }
    });

    it("fails a run with a wrong token, and --help lists the job service flags", () => {
      const r = millrace("run", "examples/wordcount.ts", `--jobEndpoint=${endpoint}`, "--jobToken=wrong");
      expect(r.status).to.equal(1);
      expect(r.stderr).to.include("wrong or missing token");
      expect(millrace("run", "examples/wordcount.ts", "--help").stdout).to.include("--jobEndpoint=<string>").and.include("--jobToken=<string>");
    });

    it("refuses flags it does not know", () => {
      const r = millrace("job-server", "--bogus");
      expect(r.status).to.equal(2);
      expect(r.stderr).to.include("job-server does not take '--bogus'");
    });
  });
});
