/**
 * Every shape of user file a pipeline can live in, run as a user runs it
 * (a child process: `node` for JavaScript, `node --import tsx` for
 * TypeScript) on every runner, so the stream and micro-batch workers must
 * load the file themselves: ES modules and CommonJS, .ts/.mts/.cts/.js/.mjs,
 * top-level await, import.meta and __dirname, several pipelines per script
 * and a test file with many pipelines.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { textLinesUnder } from "../../support/published_files";

const REPO = path.resolve(__dirname, "../../../..");
// One worker thread each: what is tested is that a worker loads the file, and each one loads it on its own.
const RUNNERS = [["--runner=direct"], ["--runner=stream", "--parallelism=1"], ["--runner=microbatch", "--executors=1", "--partitions=2"]];

/** A project folder whose `millrace` dependency is this repository. */
function project(root: string, name: string, packageJson: object): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(REPO, path.join(dir, "node_modules", "millrace"), "dir");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, ...packageJson }));
  return dir;
}

interface Shape {
  readonly file: string;
  readonly esm: boolean;
  readonly typescript: boolean;
  /** How the script waits: top-level await, or inside `async function main()`. */
  readonly topLevelAwait: boolean;
  /** Run with `millrace run` instead of `node` (`node --import tsx` for TypeScript). */
  readonly viaCli?: boolean;
}

/**
 * A script that runs three pipelines: two in a loop, then one more. Each
 * writes lines that include where its module lives, read on the worker
 * (import.meta.dirname and import.meta.url in ES modules, __dirname in
 * CommonJS), so a worker that loaded the file wrongly shows up in the output.
 */
function scriptSource(shape: Shape): string {
  const t = (type: string): string => (shape.typescript ? `: ${type}` : "");
  const here = shape.esm
    ? "`${import.meta.dirname}|${new URL('.', import.meta.url).pathname.replace(/\\/$/, '')}`"
    : "`${__dirname}|${__dirname}`";
  const header = shape.esm ? `import * as mr from "millrace";` : `const mr = require("millrace");`;
  const body = `
  const out = process.env.SHAPE_OUT${shape.typescript ? "!" : ""};
  const args = process.argv.slice(2);
  for (const word of ["x", "y"]) {
    const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(args));
    p.apply(mr.create([1, 2]))
      .map((n${t("number")}) => word + n + " " + ${here})
      .apply(mr.io.writeText(out + "/" + word, { numShards: 1, suffix: ".txt" }));
    await p.run().waitUntilFinish();
  }
  const last = mr.Pipeline.create(mr.PipelineOptions.fromArgs(args));
  last.apply(mr.create(["z"])).map((s${t("string")}) => s + " " + ${here}).apply(mr.io.writeText(out + "/z", { numShards: 1, suffix: ".txt" }));
  await last.run().waitUntilFinish();
  console.log("script finished");`;
  const tsHeader = shape.typescript && !shape.esm ? `import * as mr from "millrace";` : header;
  return shape.topLevelAwait
    ? `${tsHeader}\n${body}\n`
    : `${tsHeader}\nasync function main()${t("Promise<void>")} {${body}\n}\nvoid main();\n`;
}

function runFile(file: string, args: readonly string[], env: Record<string, string> = {}, viaCli = false) {
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  const loader = viaCli ? [path.join(REPO, "dist", "cli", "millrace.js"), "run"] : /\.(c|m)?ts$/.test(file) ? ["--import", tsx] : [];
  return spawnSync(process.execPath, [...loader, file, ...args], {
    cwd: path.dirname(file),
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}

describe("user files of every shape on every runner, workers included", function () {
  this.timeout(180_000);
  let root: string;
  let esm: string;
  let cjs: string;
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-shapes-")));
    esm = project(root, "esm", { type: "module" });
    cjs = project(root, "cjs", {});
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const shapes: Array<Shape & { project: "esm" | "cjs" }> = [
    { project: "esm", file: "pipeline.ts", esm: true, typescript: true, topLevelAwait: true },
    { project: "esm", file: "pipeline.js", esm: true, typescript: false, topLevelAwait: true },
    { project: "cjs", file: "pipeline.mts", esm: true, typescript: true, topLevelAwait: true },
    { project: "cjs", file: "pipeline.mjs", esm: true, typescript: false, topLevelAwait: true },
    { project: "cjs", file: "pipeline.cts", esm: false, typescript: true, topLevelAwait: false },
    { project: "cjs", file: "pipeline.ts", esm: false, typescript: true, topLevelAwait: false },
    { project: "cjs", file: "pipeline.js", esm: false, typescript: false, topLevelAwait: false },
    // The README's snippet as a new user saves it: a .ts file with top-level await in a default project (tsx alone refuses it).
    { project: "cjs", file: "readme.ts", esm: true, typescript: true, topLevelAwait: true, viaCli: true },
  ];
  for (const shape of shapes) {
    for (const args of RUNNERS) {
      const what =
        `${shape.esm ? "ESM" : "CommonJS"} ${shape.file} in a ${shape.project === "esm" ? '"type": "module"' : "CommonJS"} project` +
        `${shape.topLevelAwait ? " with top-level await" : " with async main()"}${shape.viaCli ? " through millrace run" : ""}, three pipelines, on ${args[0]}`;
      it(`runs ${what}`, () => {
        const dir = shape.project === "esm" ? esm : cjs;
        const file = path.join(dir, `${path.basename(args[0]!).replace("--runner=", "")}-${shape.file}`);
        fs.writeFileSync(file, scriptSource(shape));
        const out = path.join(root, "out", path.basename(file));
        const run = runFile(file, args, { SHAPE_OUT: out }, shape.viaCli);
        expect(run.status, run.stderr).to.equal(0);
        expect(run.stdout).to.include("script finished");
        const where = `${dir}|${dir}`;
        expect(textLinesUnder(out)).to.deep.equal([`x1 ${where}`, `x2 ${where}`, `y1 ${where}`, `y2 ${where}`, `z ${where}`]);
      });
    }
  }

  for (const args of RUNNERS) {
    it(`runs a mocha test file with many pipelines (hooks, nested suites, a loop) on ${args[0]}`, () => {
      const file = path.join(cjs, `${args[0]!.replace("--runner=", "")}-pipelines.test.js`);
      fs.writeFileSync(file, TEST_FILE);
      const mocha = require.resolve("mocha/bin/mocha.js");
      const run = spawnSync(process.execPath, [mocha, "--no-config", "--no-package", file], {
        cwd: cjs,
        encoding: "utf8",
        env: { ...process.env, SHAPE_ARGS: JSON.stringify(args) },
        timeout: 120_000,
      });
      expect(run.status, run.stdout + run.stderr).to.equal(0);
      expect(run.stdout).to.match(/4 passing/);
    });
  }

  for (const args of RUNNERS.slice(1)) {
    it(`refuses, naming the module and the pipeline, a script whose construction differs on workers (${args[0]})`, () => {
      const file = path.join(cjs, `${args[0]!.replace("--runner=", "")}-differs.js`);
      fs.writeFileSync(file, DIFFERS);
      // The refusal is the same on every attempt: one is enough to see it.
      const noRetries = args[0] === "--runner=stream" ? "--restartAttempts=0" : "--maxTaskAttempts=1";
      const run = runFile(file, [...args, noRetries]);
      expect(run.status, run.stdout).to.equal(1);
      expect(run.stderr)
        .to.include(file)
        .and.to.include("pipeline #1")
        .and.to.include("RenamedOnWorkers")
        .and.to.match(/must be deterministic/);
    });
  }

  it("prints a flag error at the top of a script and the valid flags, and exits 2 without a stack trace", () => {
    const file = path.join(cjs, "flags.js");
    fs.writeFileSync(
      file,
      `const mr = require("millrace");\nconst options = mr.PipelineOptions.fromArgs(process.argv.slice(2));\nconsole.log("parsed", options.runner);\n`,
    );
    const run = runFile(file, ["--runner=direct", "--bundelSize=3"]);
    expect(run.status).to.equal(2);
    expect(run.stdout).to.equal("");
    expect(run.stderr)
      .to.match(/^error: unknown flag --bundelSize for runner 'direct'; valid flags:\n/)
      .and.to.include("--bundleSize");
    expect(run.stderr).not.to.match(/\n\s+at /);
    const good = runFile(file, ["--runner=direct"]);
    expect(good.stdout).to.equal("parsed direct\n");
  });
});

/** A test file as users write them: pipelines built and run inside tests, with hooks and nested suites. */
const TEST_FILE = `const mr = require("millrace");
const args = JSON.parse(process.env.SHAPE_ARGS);
describe("pipelines in a test file", function () {
  this.timeout(120000);
  let base;
  before(() => { base = 10; });
  it("adds", async () => {
    const p = mr.Pipeline.create(args);
    mr.testing.assertThat(p.apply(mr.create([1, 2])).map((n) => n + base)).containsInAnyOrder([11, 12]);
    await p.run().waitUntilFinish();
  });
  describe("nested", () => {
    let factor;
    beforeEach(() => { factor = base * 2; });
    it("multiplies", async function () {
      this.timeout(120000);
      const p = mr.Pipeline.create(args);
      mr.testing.assertThat(p.apply(mr.create([1, 2])).map((n) => n * factor)).containsInAnyOrder([20, 40]);
      await p.run().waitUntilFinish();
    });
    it("loops over inputs", async () => {
      for (const k of [3, 4]) {
        const p = mr.Pipeline.create(args);
        mr.testing.assertThat(p.apply(mr.create([1])).map((n) => n * k)).containsInAnyOrder([k]);
        await p.run().waitUntilFinish();
      }
    });
  });
  it("runs no pipeline", () => {});
});
`;

/** A script whose second pipeline is named differently when a worker thread loads it. */
const DIFFERS = `const mr = require("millrace");
const { isMainThread } = require("node:worker_threads");
async function main() {
  const first = mr.Pipeline.create(process.argv.slice(2));
  first.apply("Same", mr.create([1, 2])).map((n) => n + 1);
  await first.run().waitUntilFinish();
  const second = mr.Pipeline.create(process.argv.slice(2));
  second.apply(isMainThread ? "Numbers" : "RenamedOnWorkers", mr.create([1, 2])).map((n) => n + 1);
  await second.run().waitUntilFinish();
}
main().then(() => console.log("finished"), (e) => { console.error(e.message); process.exit(1); });
`;
