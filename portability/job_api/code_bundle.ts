/**
 * The user's code as an artifact a job service can load: one CommonJS file
 * bundling the pipeline's origin module with everything it imports (its local
 * modules and the npm packages it uses), built with esbuild.
 *
 * Why a bundle and not the source files: a pipeline module reaches millrace
 * and its helpers through relative paths, tsconfig paths and package names
 * that only resolve on the submitting machine's file tree. A bundle has no
 * such dependencies, except one that must stay out of it: millrace itself.
 * The service has to run the user's code against its own copy of the
 * library (the one its runners use, so that classes, registries and the
 * rebuild hook are shared), so every import of the library (by package name
 * or by path into its folders) is left as a placeholder import that the
 * service points at its own copy when it stages the bundle.
 *
 * `__dirname`, `__filename` and `import.meta.url` keep their original values
 * in each bundled module, so a pipeline that finds its data next to its
 * source still does when the service runs on the same machine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The prefix of placeholder imports that stand for millrace's own modules in a bundle. */
export const LIBRARY_PLACEHOLDER = "@millrace-library/";

/** The root of this copy of millrace: the folder holding `index` and `sdk/`, `portability/`, `runners/`. */
export const LIBRARY_ROOT = path.resolve(__dirname, "..", "..");

const LIBRARY_DIRS = ["sdk", "portability", "runners"].map((d) => path.join(LIBRARY_ROOT, d) + path.sep);

/** A bundled pipeline module. */
export interface CodeBundle {
  /** The CommonJS source. */
  readonly code: string;
  /** The module it was bundled from. */
  readonly entry: string;
}

/** Thrown when the pipeline's module cannot be bundled; the message carries esbuild's diagnostics. */
export class CodeBundleError extends Error {
  /** Always `"CodeBundleError"`. */
  override readonly name = "CodeBundleError";
}

function libraryModule(file: string): string | undefined {
  const noExt = file.replace(/\.(c|m)?(t|j)sx?$/, "");
  if (noExt === path.join(LIBRARY_ROOT, "index")) return "index";
  if (LIBRARY_DIRS.some((d) => file.startsWith(d))) return path.relative(LIBRARY_ROOT, noExt).split(path.sep).join("/");
  return undefined;
}

const LOADERS: Record<string, "ts" | "tsx" | "js" | "jsx"> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};

const BUNDLE_NAME = "pipeline.bundle.cjs";

/**
 * The bundle with its source map inlined, the map's sources made absolute:
 * the service runs the bundle from its staging folder, and a stack trace of
 * the user's code must point at the user's files (Node maps it with
 * `--enable-source-maps`), not at the bundle.
 */
function withSourceMap(code: string, mapText: string, outDir: string): string {
  const map = JSON.parse(mapText) as { sources: string[]; sourceRoot?: string };
  map.sources = map.sources.map((s) => pathToFileURL(path.resolve(outDir, map.sourceRoot ?? "", s)).href);
  delete map.sourceRoot;
  const body = code.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  return `${body}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
}

/** Bundles the module `entry` (a path or file URL) for a job service. */
export async function bundlePipelineModule(entry: string): Promise<CodeBundle> {
  const file = path.resolve(entry.startsWith("file:") ? fileURLToPath(entry) : entry);
  // Loaded only when a job is submitted: most processes never need esbuild.
  const esbuild = await import("esbuild");
  const millraceLibrary: import("esbuild").Plugin = {
    name: "millrace-library",
    setup(build) {
      build.onResolve({ filter: /^millrace(\/.*)?$/ }, () => ({ path: `${LIBRARY_PLACEHOLDER}index`, external: true }));
      build.onResolve({ filter: /^(\.|\/)/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        const module = libraryModule(path.resolve(args.resolveDir, args.path));
        return module === undefined ? undefined : { path: LIBRARY_PLACEHOLDER + module, external: true };
      });
      // After tsconfig paths and package resolution: anything that lands in the library stays out.
      build.onLoad({ filter: /\.(c|m)?(t|j)sx?$/ }, async (args) => {
        const module = libraryModule(args.path);
        if (module !== undefined) {
          return { contents: `module.exports = require(${JSON.stringify(LIBRARY_PLACEHOLDER + module)});`, loader: "js" };
        }
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await fs.promises.readFile(args.path, "utf8");
        const prelude =
          `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)}, ` +
          `__millrace_import_meta_url = ${JSON.stringify(pathToFileURL(args.path).href)};`;
        // A shebang must stay the first line; the prelude goes after it, on the same line count.
        const shebang = /^#!.*/.exec(source)?.[0];
        const contents = shebang ? `${shebang}\n${prelude}${source.slice(shebang.length + 1)}` : `${prelude}${source}`;
        return { contents, loader: LOADERS[path.extname(args.path)] ?? "js" };
      });
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: "node",
      format: "cjs",
      target: "node20",
      define: { "import.meta.url": "__millrace_import_meta_url" },
      plugins: [millraceLibrary],
      logLevel: "silent",
      absWorkingDir: path.dirname(file),
      // Never written: the name only anchors the source map's relative paths.
      outfile: path.join(path.dirname(file), BUNDLE_NAME),
      sourcemap: "external",
      sourcesContent: false,
    });
    const code = result.outputFiles.find((f) => f.path.endsWith(BUNDLE_NAME))!.text;
    const map = result.outputFiles.find((f) => f.path.endsWith(`${BUNDLE_NAME}.map`));
    return { code: map ? withSourceMap(code, map.text, path.dirname(file)) : code, entry: file };
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const detail = errors?.length
      ? errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ""}${m.text}`).join("\n")
      : (e as Error).message;
    throw new CodeBundleError(`cannot bundle ${file} for the job service:\n${detail}`, { cause: e });
  }
}

/**
 * Points a bundle's placeholder imports at the millrace copy rooted at
 * `libraryRoot` (the job service's own), so that the bundle shares the
 * service's library instead of bringing its own.
 */
export function linkBundleToLibrary(code: string, libraryRoot: string = LIBRARY_ROOT): string {
  const escaped = LIBRARY_PLACEHOLDER.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return code.replace(new RegExp(`require\\("${escaped}([A-Za-z0-9_./-]*)"\\)`, "g"), (_m, module: string) => {
    const target = path.join(libraryRoot, module);
    if (!target.startsWith(libraryRoot + path.sep)) throw new Error(`the bundle imports a module outside the library: ${module}`);
    return `require(${JSON.stringify(target)})`;
  });
}
