/**
 * Module hooks (Node's `module.register`) that let a TypeScript file with
 * top-level `await` run in a CommonJS project.
 *
 * tsx compiles a `.ts` file to CommonJS when its package has no
 * `"type": "module"`, and CommonJS cannot hold a top-level `await`: esbuild
 * refuses the file. Such a file can only run as an ES module, so these hooks
 * say it is one, as Node itself does for a `.js` file with ES syntax in a
 * package without a "type". Files that compile to CommonJS are left alone,
 * so `__dirname` keeps working where it did. Registered after tsx's hooks
 * (hooks registered later run first), by `millrace run` and by workers.
 */
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";

interface ResolveResult {
  url: string;
  format?: string | null;
}
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

const esmOnly = new Map<string, boolean>();

/** The `resolve` hook: a user's `.ts` file resolved as CommonJS that holds a top-level await becomes an ES module. */
export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<ResolveResult> {
  const result = await nextResolve(specifier, context);
  if (
    result.format === "commonjs" &&
    /^file:.*\.ts$/.test(result.url) &&
    !result.url.includes("/node_modules/") &&
    needsModuleFormat(result.url)
  ) {
    return { ...result, format: "module" };
  }
  return result;
}

function needsModuleFormat(url: string): boolean {
  let known = esmOnly.get(url);
  if (known === undefined) {
    known = false;
    try {
      // Loaded here, not at the top: most files never get this far.
      const esbuild = require("esbuild") as typeof import("esbuild");
      esbuild.transformSync(fs.readFileSync(fileURLToPath(url), "utf8"), { loader: "ts", format: "cjs" });
    } catch (e) {
      known = /Top-level await is currently not supported with the "cjs" output format/.test((e as Error).message);
    }
    esmOnly.set(url, known);
  }
  return known;
}
