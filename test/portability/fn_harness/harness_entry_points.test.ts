import { expect } from "chai";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { HarnessFlagsError, parseHarnessFlags } from "../../../portability/fn_harness/harness_flags";
import { beamServiceDefinition } from "../../../portability/grpc/beam_services";
import { createClient, unaryCall } from "../../../portability/grpc/channels";
import { FnApiServices } from "../../../portability/proto/fn_api_root";

const repo = path.resolve(__dirname, "..", "..", "..", "..");

describe("Fn API harness entry points", function () {
  this.timeout(120_000);

  describe("millrace-harness flags (Beam's boot flags and environment)", () => {
    it("reads --id and the endpoints, as --name=value or --name value, and ignores an engine's other flags", () => {
      expect(
        parseHarnessFlags(
          [
            "--id=w1",
            "--control_endpoint",
            "localhost:1",
            "--logging_endpoint=localhost:2",
            "--semi_persist_dir=/tmp",
            "--provision_endpoint=localhost:3",
            "--artifact_endpoint=localhost:4",
          ],
          {},
        ),
      ).to.deep.equal({
        workerId: "w1",
        controlEndpoint: "localhost:1",
        loggingEndpoint: "localhost:2",
        provisionEndpoint: "localhost:3",
        artifactEndpoint: "localhost:4",
      });
    });

    it("falls back to the environment, reading an ApiServiceDescriptor's text form", () => {
      const flags = parseHarnessFlags([], { WORKER_ID: "w2", CONTROL_API_SERVICE_DESCRIPTOR: 'url: "127.0.0.1:9"' });
      expect([flags.workerId, flags.controlEndpoint]).to.deep.equal(["w2", "127.0.0.1:9"]);
    });

    it("says what is missing", () => {
      expect(() => parseHarnessFlags(["--control_endpoint=x:1"], {})).to.throw(HarnessFlagsError, /worker id/);
      expect(() => parseHarnessFlags(["--id=w"], {})).to.throw(HarnessFlagsError, /--control_endpoint or --provision_endpoint/);
    });
  });

  it("millrace harness --pool serves BeamFnExternalWorkerPool on the port it prints, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [path.join(repo, "dist/cli/millrace.js"), "harness", "--pool", "--port=0"], {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (b: Buffer) => {
          out += b.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`millrace harness exited (${code}) before listening: ${out}`)));
      });
      const client = createClient(beamServiceDefinition(FnApiServices.ExternalWorkerPool), "BeamFnExternalWorkerPool", endpoint);
      const r = await unaryCall(client, "StartWorker", { workerId: "w" });
      expect(r.error).to.match(/needs a control endpoint/);
      client.close();
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).to.equal(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("millrace harness without --pool says how to use it", async () => {
    const child = spawn(process.execPath, [path.join(repo, "dist/cli/millrace.js"), "harness"], {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).to.equal(2);
    expect(err).to.include("millrace harness --pool");
  });
});
