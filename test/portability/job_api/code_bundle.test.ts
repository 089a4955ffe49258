/**
 * The job service's code bundle on its own: an ES module that holds ES and
 * CommonJS user modules, keeps their locations, and uses the service's copy
 * of millrace once linked.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as mr from "../../../index";
import { bundlePipelineModule, linkBundleToLibrary, LIBRARY_PLACEHOLDER } from "../../../portability/job_api/code_bundle";

describe("code bundle", function () {
  this.timeout(60_000);
  let root: string;
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bundle-")));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("bundles an ES module with top-level await that imports a CommonJS module; linked, it runs against this millrace with the users' locations", async () => {
    const src = path.join(root, "src");
    fs.mkdirSync(src);
    // CommonJS requiring a Node builtin and millrace: both stay outside the bundle, reached through a real require.
    fs.writeFileSync(
      path.join(src, "helper.cjs"),
      `const path = require("node:path");\nconst mr = require("millrace");\nmodule.exports = { joined: path.join("a", "b"), Pipeline: mr.Pipeline, dir: __dirname, file: __filename };\n`,
    );
    // The user's own top-level `require` must not clash with the bundle's.
    fs.writeFileSync(
      path.join(src, "entry.mjs"),
      `import { createRequire } from "node:module";
import helper from "./helper.cjs";
import * as mr from "millrace";
const require = createRequire(import.meta.url);
await Promise.resolve();
export const result = { helper, Pipeline: mr.Pipeline, url: import.meta.url, dirname: import.meta.dirname, filename: import.meta.filename, os: typeof require("node:os").cpus };
`,
    );
    const bundle = await bundlePipelineModule(path.join(src, "entry.mjs"));
    expect(bundle.code).to.include(LIBRARY_PLACEHOLDER);
    const staged = path.join(root, "staged", "pipeline.bundle.mjs");
    fs.mkdirSync(path.dirname(staged));
    fs.writeFileSync(staged, linkBundleToLibrary(bundle.code));
    const { result } = (await import(pathToFileURL(staged).href)) as {
      result: Record<string, unknown> & { helper: Record<string, unknown> };
    };
    expect(result.Pipeline).to.equal(mr.Pipeline);
    expect(result.helper.Pipeline).to.equal(mr.Pipeline);
    expect(result.helper.joined).to.equal(path.join("a", "b"));
    expect(result.os).to.equal("function");
    const entry = path.join(src, "entry.mjs");
    expect({ url: result.url, dirname: result.dirname, filename: result.filename }).to.deep.equal({
      url: pathToFileURL(entry).href,
      dirname: src,
      filename: entry,
    });
    expect({ dir: result.helper.dir, file: result.helper.file }).to.deep.equal({ dir: src, file: path.join(src, "helper.cjs") });
  });

  it("refuses to link a placeholder for a module this millrace does not have, naming it", () => {
    const code = `import * as x from "${LIBRARY_PLACEHOLDER}sdk/no_such_module";\n`;
    expect(() => linkBundleToLibrary(code)).to.throw(/does not have: sdk\/no_such_module/);
  });
});
