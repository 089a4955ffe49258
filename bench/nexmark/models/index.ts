/** Reference models of the Nexmark queries: see ./models.ts and ./README.md. */
export * from "./models";
