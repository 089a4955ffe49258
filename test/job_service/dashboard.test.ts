/**
 * The dashboard in a real browser: Debian's headless Chromium driven by
 * playwright-core. Chromium is located at MILLRACE_CHROMIUM or on the PATH
 * (`apt-get install -y chromium`; .ci/run installs it); where it is not
 * installed, this test is skipped and says so.
 *
 * MILLRACE_SCREENSHOT=<file> keeps a screenshot of the page (docs/dashboard.png
 * is made that way).
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { JobService } from "../../runners/job_service/job_service";
import type { RemoteJob } from "../../portability/job_api/remote_job";
import { endless, sumOfSquares } from "./job_pipelines";

function findChromium(): string | undefined {
  const candidates = [process.env.MILLRACE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const found = execFileSync("which", [name], { encoding: "utf8" }).trim();
      if (found) return found;
    } catch {
      // not on the PATH
    }
  }
  return undefined;
}

/** Polls `read` in the page until `accept` holds; returns the accepted value. */
async function waitForText(page: Page, selector: string, accept: (text: string) => boolean, what: string): Promise<string> {
  let last = "";
  for (let i = 0; i < 300; i++) {
    last = (await page.locator(selector).first().textContent({ timeout: 30_000 })) ?? "";
    if (accept(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`timed out waiting for ${what}; last text of ${selector}: '${last}'`);
}

describe("job service dashboard (headless Chromium)", function () {
  this.timeout(120_000);
  const executable = findChromium();
  let service: JobService;
  let browser: Browser;

  before(async function () {
    if (!executable) {
      console.log(
        "    (skipped: Chromium is not installed; install it with `apt-get install -y chromium`, as .ci/run does, or set MILLRACE_CHROMIUM)",
      );
      this.skip();
    }
    service = await JobService.start({ port: 0 });
    browser = await chromium.launch({ executablePath: executable, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it("lists jobs, draws the plan, updates counters and the watermark live, and shows micro-batches", async () => {
    const job = endless.create([`--jobEndpoint=${service.endpoint}`, `--jobToken=${service.token}`, "--jobName=ticks"]).run() as RemoteJob;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    try {
      // Without the token the page is refused.
      const refused = await page.goto(service.dashboardUrl.replace(/\?token=.*/, ""));
      expect(refused?.status()).to.equal(401);

      await page.goto(service.dashboardUrl);
      await page.waitForFunction('document.getElementById("connection")?.textContent === "live"');
      const jobId = await new Promise<string>((resolve) => {
        const poll = (): void => (job.jobId ? resolve(job.jobId) : void setTimeout(poll, 20));
        poll();
      });
      const row = page.locator(`#jobs tbody tr[data-job="${jobId}"]`);
      await row.waitFor();
      expect(await row.textContent())
        .to.include("ticks")
        .and.include("direct");
      await row.click();

      // The plan: a stage per fused chain, a node for the grouping, with their transforms.
      const graph = service.registry.get(jobId)!.graph;
      await page.waitForFunction(`document.querySelectorAll("#graph svg g.node").length === ${graph.nodes.length}`);
      expect(graph.nodes.map((n) => n.id)).to.include("SumPerKey");
      expect(await page.locator('#graph g.node[data-node="SumPerKey"] text.title').textContent()).to.match(/^combine/);
      expect(await page.locator("#graph svg").textContent())
        .to.include("Key")
        .and.include("Format");
      expect(await page.locator("#graph svg path.edge").count()).to.equal(graph.edges.length);

      // Counters render, then move.
      await waitForText(page, "#job-state", (t) => t === "RUNNING", "the job to run");
      const source = graph.nodes.find((n) => n.transforms.some((t) => t.startsWith("Ticks")))!;
      const sourceCounts = `#graph g.node[data-node="${source.id}"] text.counts`;
      const first = await waitForText(page, sourceCounts, (t) => /^in [1-9][\d,]* /.test(t), "the source stage's counter");
      await waitForText(page, sourceCounts, (t) => t !== first, "the source stage's counter to move");
      const elementsIn = await waitForText(page, "#elements-in", (t) => t !== "0", "elements in");
      await waitForText(page, "#elements-in", (t) => t !== elementsIn, "elements in to move");
      await waitForText(page, "#watermark", (t) => /^\d{4}-\d\d-\d\d /.test(t), "the watermark");
      await waitForText(page, '#stages tr[data-stage="SumPerKey"] td:nth-child(2)', (t) => t !== "0", "the grouping's count");
      expect(await page.locator("#runner-view").textContent()).to.include("The direct runner takes no checkpoints");

      const screenshot = process.env.MILLRACE_SCREENSHOT ?? path.join(os.tmpdir(), "millrace-dashboard.png");
      await page.screenshot({ path: screenshot, fullPage: true });

      job.cancel();
      expect(await job.waitUntilFinish()).to.equal("CANCELLED");
      await waitForText(page, `#jobs tbody tr[data-job="${jobId}"] .state`, (t) => t === "CANCELLED", "the cancelled state");

      // The micro-batch runner's own view: its batches, as they commit.
      const batches = endless
        .create([`--jobEndpoint=${service.endpoint}`, `--jobToken=${service.token}`, "--runner=microbatch", "--batchIntervalMs=200"])
        .run() as RemoteJob;
      const batchJob = await new Promise<string>((resolve) => {
        const poll = (): void => (batches.jobId ? resolve(batches.jobId) : void setTimeout(poll, 20));
        poll();
      });
      await page.locator(`#jobs tbody tr[data-job="${batchJob}"]`).click();
      const firstCount = await waitForText(page, "#batches-completed", (t) => /^[1-9]/.test(t), "committed batches");
      await waitForText(page, "#batches-completed", (t) => t !== firstCount, "more committed batches");
      expect(await page.locator("#batches tbody tr").count()).to.be.greaterThan(0);
      expect(await page.locator("#batches thead").textContent())
        .to.include("input rows")
        .and.include("processing")
        .and.include("scheduling delay");
      batches.cancel();
      expect(await batches.waitUntilFinish()).to.equal("CANCELLED");

      // The stream runner's own view: its checkpoints, as they complete.
      const streaming = endless
        .create([
          `--jobEndpoint=${service.endpoint}`,
          `--jobToken=${service.token}`,
          "--runner=stream",
          "--parallelism=2",
          "--checkpointingIntervalMs=150",
        ])
        .run() as RemoteJob;
      const streamJob = await new Promise<string>((resolve) => {
        const poll = (): void => (streaming.jobId ? resolve(streaming.jobId) : void setTimeout(poll, 20));
        poll();
      });
      await page.locator(`#jobs tbody tr[data-job="${streamJob}"]`).click();
      const firstCheckpoints = await waitForText(page, "#checkpoints-completed", (t) => /^[1-9]/.test(t), "completed checkpoints");
      await waitForText(page, "#checkpoints-completed", (t) => t !== firstCheckpoints, "more completed checkpoints");
      expect(await page.locator("#checkpoints tbody tr").count()).to.be.greaterThan(0);
      expect(await page.locator("#checkpoints thead").textContent())
        .to.include("duration")
        .and.include("size");
      await page.screenshot({
        path: process.env.MILLRACE_STREAM_SCREENSHOT ?? path.join(os.tmpdir(), "millrace-dashboard-stream.png"),
        fullPage: true,
      });
      streaming.cancel();
      expect(await streaming.waitUntilFinish()).to.equal("CANCELLED");
    } finally {
      await page.close();
    }
  });

  it("shows a finished micro-batch job by its pipeline's name and file, with its stage counts and its own metrics apart from the runner's", async () => {
    const job = sumOfSquares
      .create([`--jobEndpoint=${service.endpoint}`, `--jobToken=${service.token}`, "--runner=microbatch"])
      .run() as RemoteJob;
    expect(await job.waitUntilFinish()).to.equal("DONE");
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    try {
      await page.goto(service.dashboardUrl);
      await page.waitForFunction('document.getElementById("connection")?.textContent === "live"');
      const row = page.locator(`#jobs tbody tr[data-job="${job.jobId!}"]`);
      await row.waitFor();
      expect(await row.textContent()).to.include("sumOfSquares");
      await row.click();
      expect(await waitForText(page, "#job-file", (t) => t !== "", "the job's file")).to.match(/job_pipelines\.(ts|js)$/);
      // Every node of the plan shows what it counted; the squaring stage read the 200 numbers.
      const graph = service.registry.get(job.jobId!)!.graph;
      await page.waitForFunction(`document.querySelectorAll("#graph svg g.node").length === ${graph.nodes.length}`);
      const squaring = graph.nodes.find((n) => n.transforms.some((t) => t.startsWith("Square")))!;
      expect(
        await waitForText(
          page,
          `#graph g.node[data-node="${squaring.id}"] text.counts`,
          (t) => t !== "in 0 · out 0",
          "the squaring stage's counts",
        ),
      ).to.match(/^in 200 /);
      // The user's counter in the table; the runner's (the assertion counter) folded apart.
      await waitForText(page, "#metrics-table", (t) => t.includes("squared"), "the user's metrics");
      expect(await page.locator("#metrics-table").textContent()).not.to.include("millrace.testing.assertionsPassed");
      expect(await page.locator("#runner-metrics-table").textContent()).to.include("millrace.testing.assertionsPassed");
    } finally {
      await page.close();
    }
  });
});
