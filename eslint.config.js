// ESLint for static/: plain browser ES modules, served as written (no build step).
import js from "@eslint/js";
import globals from "globals";

export default [
  // static/vendor/: third-party files kept exactly as released (docs/design.md#trends).
  { ignores: ["node_modules/", "staticfiles/", ".venv/", "bench/", "docs/", "static/vendor/"] },
  {
    files: ["static/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  {
    files: ["eslint.config.js"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
  },
];
