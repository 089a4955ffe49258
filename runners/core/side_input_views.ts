/**
 * Side input views and window mapping live in the harness floor
 * (`portability/harness/side_input_views.ts`), where an engine's SDK harness
 * uses them too; runners import them from here as before.
 */
export * from "../../portability/harness/side_input_views";
