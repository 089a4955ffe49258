/**
 * The floors of the architecture and who may import whom, read from the
 * source files themselves: `importViolations` lists every relative import
 * that runs the wrong way. See docs/architecture.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A named part of the tree, and the parts it may import besides itself. */
export interface Layer {
  readonly name: string;
  /** Does a repository-relative path (forward slashes) belong to this layer? */
  readonly owns: (file: string) => boolean;
  readonly mayImport: readonly string[];
}

const under = (dir: string) => (file: string) => file === dir || file.startsWith(dir + "/");
/** Beam's wire format: the Runner API messages, URNs and standard coders, which authoring needs too. */
const WIRE = ["portability/coders", "portability/proto", "portability/values"];
const inWire = (file: string) => file === "portability/urns.ts" || file === "portability/urns" || WIRE.some((d) => under(d)(file));
const RUNNERS = ["direct", "stream", "microbatch", "job_service", "portable"];

/**
 * Ground floor first. A runner may use everything below it but never
 * another runner; nothing below the top imports the package root.
 */
export const LAYERS: readonly Layer[] = [
  { name: "model", owns: under("model"), mayImport: [] },
  { name: "wire", owns: inWire, mayImport: ["model"] },
  { name: "sdk", owns: under("sdk"), mayImport: ["model", "wire"] },
  { name: "portability", owns: (f: string) => under("portability")(f) && !inWire(f), mayImport: ["model", "wire", "sdk"] },
  { name: "runners/core", owns: under("runners/core"), mayImport: ["model", "wire", "sdk", "portability"] },
  ...RUNNERS.map((r) => ({
    name: `runners/${r}`,
    owns: under(`runners/${r}`),
    mayImport: ["model", "wire", "sdk", "portability", "runners/core"],
  })),
  // Benchmarks measure the conformance suite's own pipelines, so they may read test cases.
  {
    name: "bench",
    owns: under("bench"),
    mayImport: ["model", "wire", "sdk", "portability", "runners/core", ...RUNNERS.map((r) => `runners/${r}`), "top", "test"],
  },
  {
    name: "top",
    owns: (f: string) => f === "index.ts" || ["cli", "examples"].some((d) => under(d)(f)),
    mayImport: ["model", "wire", "sdk", "portability", "runners/core", ...RUNNERS.map((r) => `runners/${r}`), "top"],
  },
  {
    name: "test",
    owns: under("test"),
    mayImport: ["model", "wire", "sdk", "portability", "runners/core", ...RUNNERS.map((r) => `runners/${r}`), "top", "bench", "chaos"],
  },
  // The chaos suite is a test harness run as a script: it starts the test fixtures' jobs and checks them with their models.
  {
    name: "chaos",
    owns: under("chaos"),
    mayImport: ["model", "wire", "sdk", "portability", "runners/core", ...RUNNERS.map((r) => `runners/${r}`), "top", "test"],
  },
];

/** The layer a file belongs to, or undefined for files outside every layer. */
export function layerOf(file: string): Layer | undefined {
  return LAYERS.find((l) => l.owns(file));
}

/** One import that breaks the rules. */
export interface ImportViolation {
  readonly file: string;
  readonly imports: string;
  readonly reason: string;
}

const IMPORT_SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** The repository-relative targets of a source text's relative imports. */
export function relativeImports(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_SPECIFIER)) {
    out.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)));
  }
  return out;
}

/**
 * Checks one file's imports against the layers. `resolve` maps an import
 * target to the file it names (default: `<target>.ts`).
 */
export function checkImports(file: string, source: string, resolve: (target: string) => string = (t) => `${t}.ts`): ImportViolation[] {
  const from = layerOf(file);
  if (!from) return [];
  const violations: ImportViolation[] = [];
  for (const target of relativeImports(file, source)) {
    const to = layerOf(resolve(target));
    if (target === "index" || target === "index.ts") {
      if (from.name !== "top" && from.name !== "test")
        violations.push({ file, imports: target, reason: "only the top floor imports the package root" });
      continue;
    }
    if (!to || to === from) continue;
    if (!from.mayImport.includes(to.name)) violations.push({ file, imports: target, reason: `${from.name} may not import ${to.name}` });
  }
  return violations;
}

/** Every TypeScript file under `root` (outside node_modules and dist), repository-relative. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name === "dist" || e.name.startsWith(".")) continue;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (/\.(c|m)?ts$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(rel);
    }
  };
  walk("");
  return out;
}

/** Every wrong-way import in the tree at `root`. */
export function importViolations(root: string): ImportViolation[] {
  const resolve = (target: string) => {
    for (const candidate of [`${target}.ts`, `${target}/index.ts`]) if (fs.existsSync(path.join(root, candidate))) return candidate;
    return target;
  };
  return sourceFiles(root).flatMap((f) => checkImports(f, fs.readFileSync(path.join(root, f), "utf8"), resolve));
}
