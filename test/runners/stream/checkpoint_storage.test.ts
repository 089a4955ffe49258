/**
 * Stream checkpoints on disk: every file is checksummed, a damaged or missing
 * one makes the restore fall back to the newest older checkpoint that
 * verifies (naming the file and checkpoint), and a checkpoint the job master
 * never registered is never picked.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CheckpointStorage, checkpointToResumeFrom } from "../../../runners/stream/coordinator/checkpoint_storage";

const META = { jobRunId: "run1", parallelism: 2, vertices: ["Source", "Sink"] };

function stateOf(id: number): Uint8Array[][] {
  return [0, 1].map((v) => [0, 1].map((s) => new TextEncoder().encode(`offset of v${v}s${s} at checkpoint ${id}`)));
}

describe("stream checkpoint storage: checksums, fallback, registration", () => {
  let dir = "";
  let warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-chk-"));
    warnings = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function complete(storage: CheckpointStorage, id: number): Promise<void> {
    const state = stateOf(id);
    storage.register({ metadata: await storage.write(id, META, state), state });
  }

  it("restores the newest registered checkpoint, bytes intact", async () => {
    const storage = new CheckpointStorage(dir, 3);
    await complete(storage, 1);
    await complete(storage, 2);
    const latest = new CheckpointStorage(dir, 3).latest(warn)!;
    expect(latest.metadata.id).to.equal(2);
    expect(latest.state).to.deep.equal(stateOf(2));
    expect(warnings).to.deep.equal([]);
  });

  it("one flipped bit in a state file: falls back to the checkpoint before, naming the file and checkpoint", async () => {
    const storage = new CheckpointStorage(dir, 3);
    await complete(storage, 1);
    await complete(storage, 2);
    const file = path.join(dir, "chk-000002", "v0-s1.state");
    const bytes = fs.readFileSync(file);
    bytes[3] = bytes[3]! ^ 0x04;
    fs.writeFileSync(file, bytes);

    const latest = new CheckpointStorage(dir, 3).latest(warn)!;

    expect(latest.metadata.id).to.equal(1);
    expect(latest.state).to.deep.equal(stateOf(1));
    expect(warnings.join("\n")).to.include("checkpoint 2 cannot be restored").and.to.include(`${file} fails its checksum`);
  });

  it("a missing state file or a damaged _metadata falls back the same way; an explicit damaged chk-<id> is refused", async () => {
    const storage = new CheckpointStorage(dir, 5);
    for (const id of [1, 2, 3]) await complete(storage, id);
    fs.rmSync(path.join(dir, "chk-000003", "v1-s0.state"));
    const metadata = path.join(dir, "chk-000002", "_metadata");
    fs.writeFileSync(metadata, fs.readFileSync(metadata, "utf8").replace('"parallelism\\":2', '"parallelism\\":3'));

    expect(new CheckpointStorage(dir, 5).latest(warn)!.metadata.id).to.equal(1);
    expect(warnings[0]).to.include("checkpoint 3").and.to.include("v1-s0.state is missing");
    expect(warnings[1]).to.include("checkpoint 2").and.to.include(`${metadata} fails its checksum`);
    expect(() => checkpointToResumeFrom(path.join(dir, "chk-000003"))).to.throw(/--fromCheckpoint: state file .*v1-s0.state is missing/);
  });

  it("a checkpoint written completely but never registered by the job master is not picked", async () => {
    const storage = new CheckpointStorage(dir, 3);
    await complete(storage, 1);
    await storage.write(2, META, stateOf(2)); // the master failed, or was killed, before accepting it

    const latest = new CheckpointStorage(dir, 3).latest(warn)!;
    expect(latest.metadata.id).to.equal(1);
    expect(new CheckpointStorage(dir, 3).highestId(), "new ids go above it").to.equal(2);
    expect(checkpointToResumeFrom(dir, warn).metadata.id).to.equal(1);
  });
});
