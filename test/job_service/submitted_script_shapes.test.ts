/**
 * ES module scripts submitted to a job service (`--jobEndpoint`), as a user
 * runs them (a child process) against a service started in this process, on
 * every runner: the README's shape (a `.ts` file in a default CommonJS
 * project with top-level `await` and `import.meta`, through `millrace run`)
 * and an `.mjs` file run with `node`. Each runs two pipelines, reads its
 * input from a file next to itself through `import.meta.dirname`, writes its
 * output beside itself too, and writes where its module lives as read on the
 * service's workers, so a bundle that
 * cannot be built, a worker that cannot load it, or an `import.meta` that
 * points at the service's staging folder shows up in the output.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
// The package root registers the runners the service offers.
import "../../index";
import { JobService } from "../../runners/job_service/job_service";
import { textLinesUnder } from "../support/published_files";

const REPO = path.resolve(__dirname, "../../..");
const TOKEN = "shapes-token-8d2e";
// One worker thread each: every worker loads the staged bundle itself.
const RUNNERS = [["--runner=direct"], ["--runner=stream", "--parallelism=1"], ["--runner=microbatch", "--executors=1", "--partitions=2"]];

/** Two pipelines, one after the other at top level; both read `words.txt` next to the script and write where the module is. */
function scriptSource(typescript: boolean): string {
  const t = (type: string): string => (typescript ? `: ${type}` : "");
  return `import * as mr from "millrace";
const here = \`\${import.meta.dirname}|\${import.meta.filename}|\${new URL(".", import.meta.url).pathname.replace(/\\/$/, "")}\`;
// Where its output goes comes from the script's location too: a job's process does not see the submitter's environment.
const out = import.meta.dirname + "/out/" + import.meta.filename.replace(/^.*[\\/]/, "");
for (const round of ["first", "second"]) {
  const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(process.argv.slice(2)));
  p.apply(mr.io.readText(import.meta.dirname + "/words.txt"))
    .map((word${t("string")}) => \`\${round} \${word} \${here}\`)
    .apply(mr.io.writeText(out + "/" + round, { numShards: 1, suffix: ".txt" }));
  await p.run().waitUntilFinish();
}
console.log("script finished");
`;
}

/** A project folder whose `millrace` dependency is this repository, with a data file beside its scripts. */
function project(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(REPO, path.join(dir, "node_modules", "millrace"), "dir");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true }));
  fs.writeFileSync(path.join(dir, "words.txt"), "alpha\nbeta\n");
  return dir;
}

/** Runs a command without blocking this process's event loop: the job service answers from it. */
function run(command: readonly string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("ES module scripts submitted to a job service, on every runner", function () {
  this.timeout(240_000);
  let service: JobService;
  let root: string;
  let cjsProject: string;

  before(async () => {
    service = await JobService.start({ port: 0, token: TOKEN });
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-submitted-shapes-")));
    cjsProject = project(root, "cjs");
  });
  after(async () => {
    await service.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const shapes = [
    // The README's snippet as a new user saves it and runs it: `npx millrace run pipeline.ts`.
    { name: "the README's shape (.ts, top-level await, import.meta) through millrace run", extension: ".ts", viaCli: true },
    { name: "an .mjs file (top-level await, import.meta) run with node", extension: ".mjs", viaCli: false },
  ];
  for (const shape of shapes) {
    for (const runnerArgs of RUNNERS) {
      const runner = runnerArgs[0]!.replace("--runner=", "");
      it(`runs ${shape.name}, two pipelines, on ${runner}`, async () => {
        const file = path.join(cjsProject, `${runner}-pipeline${shape.extension}`);
        fs.writeFileSync(file, scriptSource(shape.extension === ".ts"));
        const out = path.join(cjsProject, "out", path.basename(file));
        const command = [...(shape.viaCli ? [path.join(REPO, "dist", "cli", "millrace.js"), "run"] : []), file];
        const result = await run([...command, ...runnerArgs, `--jobEndpoint=${service.endpoint}`, `--jobToken=${TOKEN}`], cjsProject);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout).to.include("script finished");
        const jobs = service.registry.all().filter((j) => j.file === file);
        expect(jobs.map((j) => [j.runner, j.state])).to.deep.equal([
          [runner, "DONE"],
          [runner, "DONE"],
        ]);
        const here = `${cjsProject}|${file}|${new URL(".", pathToFileURL(file)).pathname.replace(/\/$/, "")}`;
        expect(textLinesUnder(out)).to.deep.equal([
          `first alpha ${here}`,
          `first beta ${here}`,
          `second alpha ${here}`,
          `second beta ${here}`,
        ]);
      });
    }
  }

  for (const runnerArgs of RUNNERS.slice(0, 2)) {
    const runner = runnerArgs[0]!.replace("--runner=", "");
    it(`maps the stack trace of an ES module script's failing step to the user's file, on ${runner}`, async () => {
      const file = path.join(cjsProject, `${runner}-failing.ts`);
      fs.writeFileSync(
        file,
        `import * as mr from "millrace";
const p = mr.Pipeline.create(mr.PipelineOptions.fromArgs(process.argv.slice(2)));
p.apply(mr.create([1])).apply("Explode", mr.map((n: number) => { throw new Error(\`boom \${n}\`); }));
await p.run().waitUntilFinish();
`,
      );
      const noRetries = runner === "stream" ? ["--restartAttempts=0"] : [];
      const cli = path.join(REPO, "dist", "cli", "millrace.js");
      const result = await run(
        [cli, "run", file, ...runnerArgs, ...noRetries, `--jobEndpoint=${service.endpoint}`, `--jobToken=${TOKEN}`],
        cjsProject,
      );
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include("transform 'Explode' failed").and.to.include("boom 1").and.to.include(`${file}:3:`);
      expect(result.stderr).not.to.include("pipeline.bundle");
    });
  }
});
