// A TypeDoc plugin that sorts the API reference's index by topic instead of
// one alphabetical list: each export of the package root gets the category of
// the folder it is declared in (the table is in api_categories.mjs), instead of
// a `@category` tag in every declaration, so a new export lands in its topic by itself.
import { Comment, CommentTag, Converter, ReflectionKind } from "typedoc";
import { categoryOf } from "./api_categories.mjs";

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
