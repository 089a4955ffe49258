// Which topic of the API reference each export belongs to, by the folder it
// is declared in; used by the TypeDoc plugin (typedoc_categories.mjs) and
// tested by test/docs/api_categories.test.ts.
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Source path prefixes (from the repository root) and their category; the first match wins. */
const CATEGORIES = [
  ["sdk/io/", "IO"],
  ["sdk/testing/", "Testing"],
  ["sdk/windowing/", "Windowing and triggers"],
  ["model/time", "Windowing and triggers"],
  ["model/windows", "Windowing and triggers"],
  ["model/pane", "Windowing and triggers"],
  ["model/windowed_value", "Windowing and triggers"],
  ["sdk/state/", "State and timers"],
  ["sdk/transforms/group_into_batches", "State and timers"],
  ["sdk/schemas/", "Schemas"],
  ["sdk/transforms/", "Transforms"],
  ["sdk/ptransform", "Transforms"],
  ["model/kv", "Transforms"],
  ["sdk/metrics/", "Metrics"],
  ["sdk/graph/primitive_spec", "Portability internals"],
  ["model/", "Pipeline and options"],
  ["sdk/", "Pipeline and options"],
  ["portability/coders", "Coders"],
  ["portability/proto/schema_root", "Coders"],
  ["portability/", "Portability internals"],
  ["runners/", "Portability internals"],
];

/** The category of an export declared in `fileName` (absolute), or undefined when no prefix matches. */
export function categoryOf(fileName) {
  const relative = path.relative(repo, fileName).split(path.sep).join("/");
  return CATEGORIES.find(([prefix]) => relative.startsWith(prefix))?.[1];
}
