import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
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

  it("inspect shows the stages of the chosen runner: on unbounded input the stream runner writes io.writeText itself", () => {
    // Bounded writes run writeText's expansion on every runner (the same files everywhere).
    const bounded = millrace("inspect", "examples/wordcount.ts", "--output=/tmp/never-written", "--runner=stream").stdout;
    expect(bounded)
      .to.include("Write/WriteShards")
      .and.to.match(/stage\d+: impulse Write\/Impulse/);
    const unbounded = ["inspect", "test/fixtures/microbatch_streaming_pipelines.ts", "--out=/tmp/never-written"];
    expect(millrace(...unbounded).stdout).to.match(/stage\d+: reads .* -> \[RunningCount, StallOnce, WriteText\/WriteBundles\]/);
    expect(millrace(...unbounded, "--runner=stream").stdout).to.match(/stage\d+: reads .* -> \[RunningCount, StallOnce, WriteText\]/);
  });

  it("inspect prints JSON and Graphviz dot", () => {
    const json = JSON.parse(millrace("inspect", "examples/leader_board.ts", "--format=json").stdout);
    expect(json.stages.length).to.be.greaterThan(1);
    expect(
      json.pcollections.some((pc: { windowing: string }) => pc.windowing.startsWith("fixed(10000ms), trigger afterWatermark")),
    ).to.equal(true);
    const dot = millrace("inspect", "examples/leader_board.ts", "--format=dot").stdout;
    expect(dot)
      .to.match(/^digraph pipeline \{/)
      .and.include("subgraph cluster_0")
      .and.include("->");
  });

  it("inspect chooses among definitions with --pipeline", () => {
    const r = millrace("inspect", "test/fixtures/microbatch_pipelines.ts");
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include("choose a pipeline with --pipeline=<name>").and.include("bigGroup");
    expect(millrace("inspect", "test/fixtures/microbatch_pipelines.ts", "--pipeline=bigGroup").stdout).to.include(
      "Group  [beam:transform:group_by_key:v1]",
    );
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

  describe("run of a file that only defines pipelines", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-cli-def-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs its single definition with the file's arguments", () => {
      const output = path.join(dir, "words");
      const r = millrace("run", "test/fixtures/single_definition.ts", `--output=${output}`);
      expect(r.status, r.stderr).to.equal(0);
      expect(
        fs
          .readFileSync(`${output}-00000-of-00001.txt`, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .sort(),
      ).to.deep.equal(["BE", "TO"]);
    });

    it("lists the definition's own flags with --help", () => {
      const r = millrace("run", "test/fixtures/single_definition.ts", "--help");
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include("--output=<string>").and.include("where the words go");
    });

    it("asks which to run when there are several, and runs the one --pipeline names", () => {
      const r = millrace("run", "test/fixtures/microbatch_pipelines.ts");
      expect(r.status).to.equal(2);
      expect(r.stderr).to.include("choose a pipeline with --pipeline=<name>").and.include("bigGroup").and.include("alwaysFails");
      const failing = millrace("run", "test/fixtures/microbatch_pipelines.ts", "--pipeline=alwaysFails");
      expect(failing.status).to.equal(1);
      expect(failing.stderr).to.include("two is not allowed");
      const unknown = millrace("run", "test/fixtures/microbatch_pipelines.ts", "--pipeline=nope");
      expect(unknown.status).to.equal(2);
      expect(unknown.stderr).to.include("defines no pipeline named 'nope'");
    });

    it("says so when a file neither runs nor defines a pipeline", () => {
      const empty = path.join(dir, "empty.ts");
      fs.writeFileSync(empty, "export const nothing = 1;\n");
      const r = millrace("run", empty);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.include("neither runs a pipeline nor defines one with mr.definePipeline");
    });
  });

  it("fails clearly on an unknown command, a missing file or an unknown runner", () => {
    expect(millrace("launch").stderr).to.include("unknown command 'launch'");
    expect(millrace("run", "nope.ts").stderr).to.include("no such file: nope.ts");
    const r = millrace("run", "examples/wordcount.ts", "--runner=dataflow");
    expect(r.status).to.equal(2); // a usage error, as flag errors exit everywhere
    expect(r.stderr)
      .to.match(/unknown runner 'dataflow'; valid runners: .*direct/)
      .and.include("microbatch");
  });

  describe("job-server", () => {
    let server: ChildProcess;
    let endpoint: string;

    before(async () => {
      server = spawn(process.execPath, [cli, "job-server", "--port=0", "--token=cli-test-token"], {
        cwd: repo,
        stdio: ["ignore", "pipe", "inherit"],
      });
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
        const r = millrace(
          "run",
          "examples/wordcount.ts",
          `--runner=${runner}`,
          "--top=2",
          `--jobEndpoint=${endpoint}`,
          "--jobToken=cli-test-token",
        );
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.split("\n").filter((l) => l.trim() !== "")).to.deep.equal(["  21  the", "  15  of"]);
        expect(r.stderr).to.match(/job done/);
      }
    });

    it("fails a run with a wrong token, and --help lists the job service flags", () => {
      const r = millrace("run", "examples/wordcount.ts", `--jobEndpoint=${endpoint}`, "--jobToken=wrong");
      expect(r.status).to.equal(1);
      expect(r.stderr).to.include("wrong or missing token");
      expect(millrace("run", "examples/wordcount.ts", "--help").stdout)
        .to.include("--jobEndpoint=<string>")
        .and.include("--jobToken=<string>");
    });

    it("refuses flags it does not know", () => {
      const r = millrace("job-server", "--bogus");
      expect(r.status).to.equal(2);
      expect(r.stderr).to.include("job-server does not take '--bogus'");
    });
  });
});
