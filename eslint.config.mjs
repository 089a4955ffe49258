// Lint rules: ESLint's and typescript-eslint's recommended sets (without
// type information, so a lint of the whole tree stays fast). `any` is
// allowed: user values cross the SDK untyped by design. Unused names are
// errors unless they start with "_". Formatting is Prettier's job.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "docs/api/", "node_modules/", "**/*.js", "**/*.mjs", "**/*.cjs", "test/type_fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      // `{}` is how the typed DoFn spells "nothing declared" (no state, no timers, no side inputs).
      "@typescript-eslint/no-empty-object-type": "off",
      // A closure may read a `let` assigned after it is made (a forward reference), which `const` would break.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
);
