// A TypeDoc plugin that sorts the API reference's index by topic instead of
// one alphabetical list: each export of the package root gets the category of
// the folder it is declared in. One table here instead of a `@category` tag in
// every declaration's comment, so a new export lands in its topic by itself.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Comment, CommentTag, Converter, ReflectionKind } from "typedoc";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Source path prefixes (from the repository root) and their category; the first match wins. */
const CATEGORIES = [
  ["sdk/io/", "IO"],
  ["sdk/testing/", "Testing"],
  ["sdk/windowing/", "Windowing and triggers"],
  ["sdk/values/time", "Windowing and triggers"],
  ["sdk/values/windows", "Windowing and triggers"],
  ["sdk/values/pane", "Windowing and triggers"],
  ["sdk/values/windowed_value", "Windowing and triggers"],
  ["sdk/state/", "State and timers"],
  ["sdk/transforms/group_into_batches", "State and timers"],
  ["sdk/transforms/", "Transforms"],
  ["sdk/ptransform", "Transforms"],
  ["sdk/values/kv", "Transforms"],
  ["sdk/metrics/", "Metrics"],
  ["sdk/graph/primitive_spec", "Portability internals"],
  ["sdk/", "Pipeline and options"],
  ["portability/coders", "Coders"],
  ["portability/proto/schema_root", "Coders"],
  ["portability/", "Portability internals"],
  ["runners/", "Portability internals"],
];

function categoryOf(fileName) {
  const relative = path.relative(repo, fileName).split(path.sep).join("/");
  return CATEGORIES.find(([prefix]) => relative.startsWith(prefix))?.[1];
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    // The exports of the entry module (TypeDoc may keep it as a module of its own under the project).
    const exports = (project.children ?? []).flatMap((c) => (c.kindOf(ReflectionKind.Module) ? (c.children ?? []) : [c]));
    for (const child of exports) {
      const fileName = project.getSymbolIdFromReflection(child)?.fileName;
      const category = fileName && categoryOf(fileName);
      if (!category) continue;
      // A signature-only export (a function) keeps its comment on the signature; the category belongs on the reflection.
      child.comment ??= new Comment();
      if (child.comment.blockTags.some((t) => t.tag === "@category")) continue;
      child.comment.blockTags.push(new CommentTag("@category", [{ kind: "text", text: category }]));
    }
  });
}
