/**
 * Type tests of the typed DoFn: the fixtures in test/type_fixtures are
 * type-checked against the built package, in one compiler run. Files under
 * `compiles/` must have no error; files under `rejects/` must fail exactly on
 * the lines marked `// error TSxxxx`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { expect } from "chai";

const repo = path.resolve(__dirname, "../../..");
const fixtures = path.join(repo, "test/type_fixtures");

function fixtureFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(fixtures, dir))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(fixtures, dir, f));
}

/** One line's diagnostics: `file:line` -> error codes. */
type ErrorsByLine = Map<string, Set<string>>;

function typeCheck(files: string[]): ErrorsByLine {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    noUnusedLocals: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    typeRoots: [path.join(repo, "node_modules/@types")],
    skipLibCheck: true,
    baseUrl: repo,
    // The fixtures import the package as users do; it resolves to the build's declarations.
    paths: { millrace: [path.join(repo, "dist/index.d.ts")] },
  });
  const byLine: ErrorsByLine = new Map();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const where =
      d.file && d.start !== undefined
        ? `${path.relative(fixtures, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
        : "(global)";
    if (!byLine.has(where)) byLine.set(where, new Set());
    byLine.get(where)!.add(`TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  }
  return byLine;
}

/** The `// error TS1|TS2` markers of a file: `file:line` -> accepted codes. */
function expectedErrors(file: string): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const m = /\/\/ error ((?:TS\d+\|?)+)\s*$/.exec(line);
      if (m) expected.set(`${path.relative(fixtures, file)}:${i + 1}`, m[1]!.split("|"));
    });
  return expected;
}

describe("typed DoFn (type tests: tsc on test/type_fixtures)", function () {
  this.timeout(120_000);
  const compiles = fixtureFiles("compiles");
  const rejects = fixtureFiles("rejects");
  let errors: ErrorsByLine;

  before(() => {
    errors = typeCheck([...compiles, ...rejects]);
  });

  it("has fixtures of both kinds", () => {
    expect(compiles.length).to.be.greaterThan(0);
    expect(rejects.length).to.be.greaterThan(0);
  });

  it("the correct uses compile, with the types the fixtures spell out", () => {
    const inCompiles = [...errors].filter(([where]) => where.startsWith("compiles") || where === "(global)");
    expect(inCompiles.map(([where, codes]) => `${where}: ${[...codes].join("; ")}`)).to.deep.equal([]);
  });

  it("each misuse is rejected on its marked line with the expected error, and nothing else is", () => {
    const expected = new Map<string, string[]>();
    for (const f of rejects) for (const [where, codes] of expectedErrors(f)) expected.set(where, codes);
    expect(expected.size).to.be.greaterThan(10);
    const missing: string[] = [];
    for (const [where, codes] of expected) {
      const got = [...(errors.get(where) ?? [])];
      if (!got.some((g) => codes.includes(g.split(" ")[0]!)))
        missing.push(`${where}: expected ${codes.join("|")}, got ${got.join("; ") || "no error"}`);
    }
    const unexpected = [...errors]
      .filter(([where]) => where.startsWith("rejects") && !expected.has(where))
      .map(([where, codes]) => `${where}: ${[...codes].join("; ")}`);
    expect({ missing, unexpected }).to.deep.equal({ missing: [], unexpected: [] });
  });
});
