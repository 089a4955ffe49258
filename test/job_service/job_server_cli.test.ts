import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serviceToken } from "../../cli/service_token";
import { jobEnvironment, parseJobEnv } from "../../runners/job_service/job_environment";
import { isRunnerMetric, splitMetrics } from "../../runners/core/runner_metrics";

const cli = path.resolve(__dirname, "../../cli/millrace.js");

/** Starts `millrace job-server` with `args` and `env`; resolves with its banner and stderr once it listens, then stops it. */
function jobServerBanner(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "job-server", "--port=0", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    child.stdout.on("data", (d) => {
      stdout += String(d);
      if (stdout.includes("dashboard:")) child.kill("SIGTERM");
    });
    child.once("exit", () => resolve({ stdout, stderr }));
    child.once("error", reject);
  });
}

describe("job-server secrets and trust", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-token-test-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("takes the token from --tokenFile or MILLRACE_JOB_TOKEN, and warns on --token (visible in ps)", async () => {
    const file = path.join(dir, "token");
    fs.writeFileSync(file, "from-the-file\n", { mode: 0o600 });
    const env = { ...process.env, MILLRACE_JOB_TOKEN: "" };
    const fromFile = await jobServerBanner([`--tokenFile=${file}`], env);
    expect(fromFile.stdout).to.include("token:     from-the-file (from --tokenFile)");
    expect(fromFile.stderr).to.equal("");
    const fromEnv = await jobServerBanner([], { ...env, MILLRACE_JOB_TOKEN: "from-the-env" });
    expect(fromEnv.stdout).to.include("token:     from-the-env (from MILLRACE_JOB_TOKEN)");
    const onLine = await jobServerBanner(["--token=on-the-line"], env);
    expect(onLine.stdout).to.include("token:     on-the-line (from --token)");
    expect(onLine.stderr).to.include("warning: --token puts the secret on the command line");
  });

  it("refuses an empty or unreadable token file, and warns on one others can read", () => {
    const empty = path.join(dir, "empty");
    fs.writeFileSync(empty, "\n");
    expect(() => serviceToken({ tokenFile: empty }, {})).to.throw(/is empty: put the token on its first line/);
    expect(() => serviceToken({ tokenFile: path.join(dir, "missing") }, {})).to.throw(/cannot read --tokenFile/);
    const open = path.join(dir, "open");
    fs.writeFileSync(open, "tok\n", { mode: 0o644 });
    fs.chmodSync(open, 0o644);
    expect(serviceToken({ tokenFile: open }, {}).warning).to.match(/can be read by other users/);
    expect(serviceToken({}, {}).token).to.equal(undefined);
  });

  it("gives jobs only the base variables and the allowed ones, never the service's token", () => {
    const env = jobEnvironment(
      { PATH: "/bin", HOME: "/h", AWS_SECRET_ACCESS_KEY: "k", MILLRACE_JOB_TOKEN: "t", APP_MODE: "x", APP_LEVEL: "y" },
      parseJobEnv("APP_*, MILLRACE_JOB_TOKEN"),
    );
    expect(env).to.deep.equal({ PATH: "/bin", HOME: "/h", APP_MODE: "x", APP_LEVEL: "y" });
    expect(() => parseJobEnv("A,B-C")).to.throw(/--jobEnv takes variable names/);
  });

  it("tells the runner's metrics from the user's", () => {
    expect(
      ["stream/stage0/recordsIn", "microbatch.batches", "millrace.testing.assertionsPassed", "droppedDueToLateness"].every(isRunnerMetric),
    ).to.equal(true);
    expect(isRunnerMetric("squared")).to.equal(false);
    const { user, runner } = splitMetrics({
      counters: { squared: 2, "stream/checkpoints": 3 },
      distributions: {},
      gauges: { "stream/x/watermark": { value: 1, timestamp: 0 } },
    });
    expect(user).to.deep.equal({ counters: { squared: 2 }, distributions: {}, gauges: {} });
    expect(Object.keys(runner.counters)).to.deep.equal(["stream/checkpoints"]);
    expect(Object.keys(runner.gauges)).to.deep.equal(["stream/x/watermark"]);
  });
});
