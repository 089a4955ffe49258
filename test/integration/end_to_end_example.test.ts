/** The API reference's "End to end" page shows examples/hourly_team_scores.ts verbatim, and its output is what the page says. */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repo = path.resolve(__dirname, "../../..");

describe("the end-to-end example page", function () {
  this.timeout(300_000);

  it("shows the example file as it is", () => {
    const page = fs.readFileSync(path.join(repo, "docs/end_to_end.md"), "utf8");
    const example = fs.readFileSync(path.join(repo, "examples/hourly_team_scores.ts"), "utf8");
    expect(page).to.include("```ts\n" + example + "```");
  });

  it("writes the lines the page shows, on the direct and the stream runner", () => {
    const page = fs.readFileSync(path.join(repo, "docs/end_to_end.md"), "utf8");
    const shown = /```text\n([\s\S]*?)```/
      .exec(page)![1]!
      .split("\n")
      .filter((l) => l !== "");
    for (const runner of ["direct", "stream"]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-e2e-"));
      try {
        execFileSync(
          process.execPath,
          [path.join(repo, "dist/examples/hourly_team_scores.js"), `--output=${path.join(dir, "scores")}`, `--runner=${runner}`],
          { stdio: "pipe" },
        );
        const written = fs
          .readdirSync(dir)
          .filter((f) => f.startsWith("scores") && f.endsWith(".txt"))
          .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
          .filter((l) => l !== "");
        expect(written.sort(), runner).to.deep.equal([...shown].sort());
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
