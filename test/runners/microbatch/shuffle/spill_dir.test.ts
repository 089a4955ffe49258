import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createSpillDir, removeSpillDir, SPILL_DIR_PREFIX } from "../../../../runners/microbatch/shuffle/spill_dir";

/** Starts a process that creates a spill directory under `parent`, fills it, then SIGKILLs it; resolves to the directory. */
async function spillDirOfKilledProcess(parent: string): Promise<string> {
  const module = require.resolve("../../../../runners/microbatch/shuffle/spill_dir");
  const script = `
    const fs = require("node:fs");
    const dir = require(${JSON.stringify(module)}).createSpillDir(${JSON.stringify(parent)});
    fs.writeFileSync(dir + "/run-0", Buffer.alloc(4096));
    console.log(dir);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const dir = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("exit", (code) => reject(new Error(`the child exited (${code}) before creating its spill directory`)));
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return dir;
}

describe("spill directories after a kill", () => {
  let parent = "";
  beforeEach(() => (parent = fs.mkdtempSync(path.join(os.tmpdir(), "spill-parent-"))));
  afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

  it("names each directory after its owner's pid", () => {
    const dir = createSpillDir(parent);
    expect(path.basename(dir).startsWith(`${SPILL_DIR_PREFIX}${process.pid}-`)).to.equal(true);
    removeSpillDir(dir);
  });

  it("removes the directory of a SIGKILLed owner when the next job starts, and keeps live owners' and unknown ones", async () => {
    const orphan = await spillDirOfKilledProcess(parent);
    expect(fs.existsSync(path.join(orphan, "run-0"))).to.equal(true);
    const live = createSpillDir(parent);
    fs.writeFileSync(path.join(live, "run-0"), "x");
    const unknownOwner = fs.mkdtempSync(path.join(parent, SPILL_DIR_PREFIX)); // the old naming: no pid, so not provably stale

    const next = createSpillDir(parent);

    expect(fs.existsSync(orphan)).to.equal(false);
    expect(fs.existsSync(path.join(live, "run-0"))).to.equal(true);
    expect(fs.existsSync(unknownOwner)).to.equal(true);
    expect(fs.existsSync(next)).to.equal(true);
  });
});
