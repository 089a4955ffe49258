/**
 * Preloaded (`--require`) by `millrace run` into the process that runs the
 * user's file. A file that only defines pipelines with `mr.definePipeline`
 * would otherwise load, start nothing and exit 0, which looks like success.
 * When the file has finished without running any pipeline, this runs its
 * single definition (or the one `--pipeline=<name>` chose), or fails saying
 * which names there are to choose from.
 *
 * It only reads the process-wide rebuild state (kept on `globalThis`), so it
 * works whichever copy of the library the user's file imported.
 */
import * as fs from "node:fs";
import { rebuildState } from "../sdk/user_code/rebuild_mode";

/** The file `millrace run` runs, passed in the environment of the process it starts. */
export const RUN_FILE_ENV = "MILLRACE_RUN_FILE";
/** The definition chosen with `--pipeline=<name>`, when there is one. */
export const RUN_PIPELINE_ENV = "MILLRACE_RUN_PIPELINE";

interface Definition {
  readonly name: string;
  create(args: readonly string[]): { run(): { waitUntilFinish(): Promise<unknown> } };
}

/** The definitions registered by `file` itself (a module key is `<module>#<name>`). */
export function definitionsOf(file: string): Definition[] {
  return [...rebuildState().definitions].filter(([key]) => key.startsWith(`${file}#`)).map(([, def]) => def as Definition);
}

/** The definition to run when the file ran none itself: the chosen one, or the only one. */
export function chooseDefinition(definitions: readonly Definition[], chosen: string | undefined, file: string): Definition {
  const names = definitions.map((d) => d.name);
  if (chosen !== undefined) {
    const def = definitions.find((d) => d.name === chosen);
    if (!def) throw new Error(`${file} defines no pipeline named '${chosen}'; it defines: ${names.join(", ") || "none"}`);
    return def;
  }
  if (definitions.length === 1) return definitions[0]!;
  if (definitions.length === 0) throw new Error(`${file} neither runs a pipeline nor defines one with mr.definePipeline`);
  throw new Error(`choose a pipeline with --pipeline=<name>; ${file} defines: ${names.join(", ")}`);
}

function installHook(): void {
  const file = process.env[RUN_FILE_ENV];
  if (!file) return;
  const chosen = process.env[RUN_PIPELINE_ENV] || undefined;
  // Children of this process (workers, bundlers) must not inherit the hook's choice.
  delete process.env[RUN_FILE_ENV];
  delete process.env[RUN_PIPELINE_ENV];
  const args = process.argv.slice(2);
  // 'beforeExit' comes once the file's own work is done and nothing is left to wait for.
  process.once("beforeExit", () => {
    // A script that ran a pipeline has counted it; one that set a failing exit code has said enough.
    if (rebuildState().runsByModule.size > 0 || process.exitCode) return;
    let def: Definition;
    try {
      def = chooseDefinition(definitionsOf(fs.realpathSync(file)), chosen, file);
    } catch (e) {
      process.stderr.write(`millrace: ${(e as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    void Promise.resolve()
      .then(() => def.create(args).run().waitUntilFinish())
      .catch((e: unknown) => {
        process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 1;
      });
  });
}

installHook();
