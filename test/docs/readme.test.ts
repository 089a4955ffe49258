/** The README is read in a clone or on the package page: it may only point at files inside the repository. */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const repo = path.resolve(__dirname, "../../..");

describe("README", () => {
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");

  it("points at no file outside the repository", () => {
    expect(readme.match(/[`(]\.\.\/[^`)\s]*/g) ?? []).to.deep.equal([]);
  });

  it("links only to files that exist", () => {
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    expect(targets.filter((t) => !fs.existsSync(path.join(repo, t)))).to.deep.equal([]);
  });
});
