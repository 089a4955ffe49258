import { expect } from "chai";
import * as path from "node:path";
import { checkImports, importViolations, layerOf } from "./import_layers";
import { repoRoot } from "../support/shared_dir";

describe("architecture: imports follow the floors", () => {
  it("no file in the tree imports the wrong way", () => {
    const violations = importViolations(repoRoot(path.resolve(__dirname)));
    expect(violations.map((v) => `${v.file} -> ${v.imports}: ${v.reason}`)).to.deep.equal([]);
  });

  it("catches an arrow that runs upward, between runners, or to the package root", () => {
    const bad = [
      ["model/windows.ts", 'import { coders } from "../portability/coders/index";'],
      ["sdk/pipeline.ts", 'import { toProto } from "../portability/to_proto";'],
      ["portability/harness/x.ts", 'import type { KeyedStateStore } from "../../runners/core/state/keyed_state_store";'],
      ["runners/stream/x.ts", 'import { runDirect } from "../direct/direct_runner";'],
      ["runners/microbatch/x.ts", 'import "../../index";'],
      ["sdk/x.ts", 'const m = await import("../runners/core/fusion");'],
    ] as const;
    for (const [file, source] of bad) expect(checkImports(file, source), `${file}: ${source}`).to.have.length(1);
  });

  it("allows imports downward and within a floor", () => {
    const good = [
      ["sdk/pipeline.ts", 'import type { KV } from "../model/kv";'],
      ["sdk/pcollection.ts", 'import type { Coder } from "../portability/coders/coder";'],
      ["runners/stream/x.ts", 'import { fuse } from "../core/fusion";'],
      ["portability/harness/x.ts", 'import type { PipelineModel } from "../pipeline_model";'],
      ["cli/millrace.ts", 'import "../index";'],
    ] as const;
    for (const [file, source] of good) expect(checkImports(file, source), `${file}: ${source}`).to.deep.equal([]);
  });

  it("puts every source folder on a floor", () => {
    for (const f of [
      "model/kv.ts",
      "portability/proto/messages.ts",
      "sdk/pipeline.ts",
      "runners/core/fusion.ts",
      "runners/job_service/job_service.ts",
      "cli/millrace.ts",
    ]) {
      expect(layerOf(f), f).to.not.equal(undefined);
    }
  });
});
