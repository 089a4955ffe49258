/** The API reference's index is grouped by topic: every module the package root exports from has a category. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const repo = path.resolve(__dirname, "../../..");

/** The modules index.ts exports from, as absolute .ts paths. */
function exportedModules(): string[] {
  const index = fs.readFileSync(path.join(repo, "index.ts"), "utf8");
  return [...index.matchAll(/^export[^;]*?from "(\.[^"]+)";/gms)].map((m) => {
    const base = path.join(repo, m[1]!);
    return fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, "index.ts");
  });
}

describe("API reference categories", () => {
  it("give every module the package exports from a topic, the user API before the portability internals", async () => {
    // The table is an ES module (TypeDoc loads it); a Function keeps TypeScript from turning this import into require().
    const load = new Function("url", "return import(url)") as (url: string) => Promise<{ categoryOf(file: string): string | undefined }>;
    const { categoryOf } = await load(new URL(`file://${path.join(repo, "docs/api_categories.mjs")}`).href);
    const modules = exportedModules();
    expect(modules.length).to.be.greaterThan(30);
    const uncategorized = modules.filter((m) => categoryOf(m) === undefined).map((m) => path.relative(repo, m));
    expect(uncategorized).to.deep.equal([]);
    const rel = (f: string) => categoryOf(path.join(repo, f));
    expect(rel("sdk/pipeline.ts")).to.equal("Pipeline and options");
    expect(rel("sdk/transforms/count.ts")).to.equal("Transforms");
    expect(rel("sdk/windowing/triggers.ts")).to.equal("Windowing and triggers");
    expect(rel("sdk/state/state_specs.ts")).to.equal("State and timers");
    expect(rel("sdk/schemas/select.ts")).to.equal("Schemas");
    expect(rel("sdk/io/index.ts")).to.equal("IO");
    expect(rel("sdk/testing/index.ts")).to.equal("Testing");
    expect(rel("portability/coders/index.ts")).to.equal("Coders");
    expect(rel("portability/proto/messages.ts")).to.equal("Portability internals");
    const order = (JSON.parse(fs.readFileSync(path.join(repo, "typedoc.json"), "utf8")) as { categoryOrder: string[] }).categoryOrder;
    expect(order.indexOf("Portability internals")).to.equal(order.length - 2); // then "*"
    expect(order.slice(0, 2)).to.deep.equal(["Pipeline and options", "Transforms"]);
  });
});
