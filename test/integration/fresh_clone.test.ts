/**
 * The README's commands, verbatim, in a fresh clone of the committed
 * repository: what a newcomer types first must work. `npm ci` there runs the
 * `prepare` script, which builds dist/, and links the package's own bin, so
 * `npx millrace` finds it. Not run here: `npm install` (the test installs
 * with `npm ci` from the lock file instead), `npm test` and `npm run
 * test:unit` (the suite itself), and the job server (it listens on a fixed
 * port; test/cli covers it).
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repo = path.resolve(__dirname, "../../..");

/** Every command line of the README's `sh` blocks, without its trailing comment. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split("\n"))
    .map((line) => line.replace(/\s+#\s.*$/, "").trim())
    .filter((line) => line !== "");
}

/** The environment of a user's shell: no npm script variables and no node_modules/.bin of this checkout on the PATH. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_|^MILLRACE_|^INIT_CWD$/i.test(k)) env[k] = v;
  env.PATH = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => !dir.includes(`${path.sep}node_modules${path.sep}`) && !dir.endsWith(`${path.sep}.bin`))
    .join(path.delimiter);
  return env;
}

describe("the README's commands in a fresh clone", function () {
  // A guard against a hang: npm ci and a full build take minutes on a loaded machine.
  this.timeout(900_000);
  let clone: string;
  const commands = readmeCommands();

  function sh(command: string): { status: number | null; stdout: string; stderr: string } {
    expect(commands, "the command is in the README, verbatim").to.include(command);
    const r = spawnSync("sh", ["-c", command], { cwd: clone, env: userEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function lines(text: string): string[] {
    return text.split("\n").filter((l) => l.trim() !== "");
  }

  before(function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-clone-"));
    clone = path.join(dir, "millrace");
    execFileSync("git", ["clone", "--quiet", "--no-hardlinks", repo, clone], { stdio: "pipe" });
    // --prefer-offline: the packages are in npm's cache already; this checks the project, not the registry.
    execFileSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: clone, env: userEnv(), stdio: "pipe" });
  });

  after(() => {
    if (clone) fs.rmSync(path.dirname(clone), { recursive: true, force: true });
  });

  it("installing built dist/ (the prepare script) and linked the millrace command", () => {
    expect(fs.existsSync(path.join(clone, "dist/index.js"))).to.equal(true);
    expect(fs.existsSync(path.join(clone, "dist/cli/millrace.js"))).to.equal(true);
    expect(fs.realpathSync(path.join(clone, "node_modules/.bin/millrace"))).to.equal(
      fs.realpathSync(path.join(clone, "dist/cli/millrace.js")),
    );
  });

  it("npm start runs the word count without compiling again what the install built", () => {
    const compiled = ["dist/index.js", "dist/examples/wordcount.js", "dist/sdk/pipeline.js"].map((f) => path.join(clone, f));
    const before = compiled.map((f) => fs.statSync(f).mtimeMs);
    const r = sh("npm start");
    expect(r.status, r.stderr).to.equal(0);
    expect(lines(r.stdout)).to.include.members(["  21  the", "  15  of"]);
    expect(
      compiled.map((f) => fs.statSync(f).mtimeMs),
      "dist/ untouched: sources did not change",
    ).to.deep.equal(before);
  });

  it("npm start -- --help lists the flags", () => {
    const r = sh("npm start -- --help");
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include("--top=<integer>").and.include("--runner=");
  });

  it("npm start -- --top=5 --runner=microbatch passes the flags to the example", () => {
    const r = sh("npm start -- --top=5 --runner=microbatch");
    expect(r.status, r.stderr).to.equal(0);
    expect(lines(r.stdout).filter((l) => /^\s+\d+ {2}\S+$/.test(l))).to.have.length(5);
  });

  it("npx millrace run runs the example on the micro-batch runner", () => {
    const r = sh("npx millrace run examples/wordcount.ts --runner=microbatch --top=5");
    expect(r.status, r.stderr).to.equal(0);
    expect(lines(r.stdout)).to.have.length(5);
    expect(lines(r.stdout)[0]).to.equal("  21  the");
  });

  it("npx millrace run ... --help lists the runner and pipeline flags", () => {
    const r = sh("npx millrace run examples/wordcount.ts --help");
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include("--top=<integer>").and.include("--enforceImmutability=<boolean>");
  });

  it("npx millrace inspect prints the plan", () => {
    const r = sh("npx millrace inspect examples/leader_board.ts");
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout)
      .to.include("Transforms:")
      .and.match(/stage\d+:/);
  });

  it("npx millrace inspect --format=dot prints a graph for Graphviz", () => {
    const command = "npx millrace inspect examples/leader_board.ts --format=dot | dot -Tsvg > plan.svg";
    const hasDot = spawnSync("sh", ["-c", "command -v dot"]).status === 0;
    if (hasDot) {
      expect(sh(command).status).to.equal(0);
      expect(fs.readFileSync(path.join(clone, "plan.svg"), "utf8")).to.include("<svg");
    } else {
      // Without Graphviz the pipe's first half is what millrace answers for.
      expect(commands).to.include(command);
      const r = spawnSync("sh", ["-c", command.split(" | ")[0]!], { cwd: clone, env: userEnv(), encoding: "utf8" });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^digraph pipeline \{/);
    }
  });

  it("the published package leaves out dist/test and dist/bench", () => {
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: clone, env: userEnv(), encoding: "utf8" }),
    ) as {
      files: { path: string }[];
    }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).to.include("dist/index.js").and.include("dist/cli/millrace.js").and.include("package.json");
    expect(files.filter((f) => f.startsWith("dist/test/") || f.startsWith("dist/bench/") || f.endsWith(".tsbuildinfo"))).to.deep.equal([]);
  });
});
